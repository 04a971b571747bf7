/**
 * Calibration of stated or model confidences against correctness (for the RLCR claim, arXiv 2507.16806).
 * Confidences are probabilities in [0, 1]; `correct` is a boolean or 0/1 per sample.
 *
 * ECE uses EQUAL-WIDTH bins (bin b holds q in [b/B, (b+1)/B), the last bin also q = 1), not equal-mass bins; with the
 * confidence suffix of src/tasks/confidence.ts and the same B, each stated bin's centre lands in its own ECE bin.
 */
import { rocAuc } from './auroc.js';

function checkPairs(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, where: string): void {
  if (confidence.length !== correct.length) {
    throw new Error(`${where}: confidence and correct lengths differ (${confidence.length} vs ${correct.length})`);
  }
  if (confidence.length === 0) throw new Error(`${where}: no samples`);
  for (let i = 0; i < confidence.length; i++) {
    const q = confidence[i]!;
    if (!(q >= 0 && q <= 1)) throw new Error(`${where}: confidence[${i}] must be in [0, 1], got ${q}`);
    const v = correct[i];
    if (v !== true && v !== false && v !== 0 && v !== 1) {
      throw new Error(`${where}: correct[${i}] must be a boolean or 0/1, got ${String(v)}`);
    }
  }
}

/** Brier score: mean of (q - 1[correct])^2. 0 is perfect; always answering 0.5 scores 0.25. */
export function brierScore(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>): number {
  checkPairs(confidence, correct, 'brierScore');
  let s = 0;
  for (let i = 0; i < confidence.length; i++) s += (confidence[i]! - (correct[i] ? 1 : 0)) ** 2;
  return s / confidence.length;
}

/** One confidence bin of a reliability diagram. */
export interface CalibrationBin {
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/**
 * Expected calibration error with `bins` equal-width bins on [0, 1] (Guo et al. 2017): sum over bins of
 * (count / n) * |accuracy - mean confidence|. Bin b holds q in [b/B, (b+1)/B), the last bin also holds q = 1.
 * Returns the bins too, for a reliability diagram.
 */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
  bins = 10,
): { ece: number; bins: CalibrationBin[] } {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`expectedCalibrationError: bins must be an integer >= 1, got ${bins}`);
  checkPairs(confidence, correct, 'expectedCalibrationError');
  const count = new Float64Array(bins);
  const sumQ = new Float64Array(bins);
  const sumC = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const q = confidence[i]!;
    const b = Math.min(bins - 1, Math.floor(q * bins));
    count[b]! += 1;
    sumQ[b]! += q;
    sumC[b]! += correct[i] ? 1 : 0;
  }
  const n = confidence.length;
  let ece = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b]!;
    const meanConfidence = c > 0 ? sumQ[b]! / c : NaN;
    const acc = c > 0 ? sumC[b]! / c : NaN;
    if (c > 0) ece += (c / n) * Math.abs(acc - meanConfidence);
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: c, meanConfidence, accuracy: acc });
  }
  return { ece, bins: out };
}

/**
 * Share of the WRONG answers stated with confidence >= `threshold` (default 0.9): with 10 confidence bins at their
 * centres, exactly the share of <c9> among wrong answers, the overconfident-guessing symptom. NaN with no wrong answer.
 */
export function confidentWrongShare(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, threshold = 0.9): number {
  checkPairs(confidence, correct, 'confidentWrongShare');
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`confidentWrongShare: threshold must be in [0, 1], got ${threshold}`);
  let wrong = 0;
  let confident = 0;
  for (let i = 0; i < confidence.length; i++) {
    if (correct[i]) continue;
    wrong++;
    if (confidence[i]! >= threshold) confident++;
  }
  return wrong > 0 ? confident / wrong : NaN;
}

export interface CalibrationSummary {
  n: number;
  accuracy: number;
  meanConfidence: number;
  /** meanConfidence - accuracy: > 0 is overconfident on average. */
  overconfidence: number;
  /** Equal-width bins (see the module comment). */
  ece: number;
  brier: number;
  /** AUROC of the confidence for correctness (how well it ranks right above wrong; NaN with one class only). */
  auroc: number;
  /** Share of wrong answers with confidence >= 0.9 (`confidentWrongShare`). */
  confidentWrongShare: number;
  /** The ECE bins, for a reliability diagram. */
  bins: CalibrationBin[];
}

/** Every calibration metric of one set of (confidence, correct) pairs; `bins` is the ECE's bin count (default 10). */
export function calibrationSummary(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, bins = 10): CalibrationSummary {
  const { ece, bins: eceBins } = expectedCalibrationError(confidence, correct, bins);
  const n = confidence.length;
  let q = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    q += confidence[i]!;
    c += correct[i] ? 1 : 0;
  }
  const label = Float64Array.from({ length: n }, (_, i) => (correct[i] ? 1 : 0));
  return {
    n,
    accuracy: c / n,
    meanConfidence: q / n,
    overconfidence: (q - c) / n,
    ece,
    brier: brierScore(confidence, correct),
    auroc: rocAuc(label, confidence),
    confidentWrongShare: confidentWrongShare(confidence, correct),
    bins: eceBins,
  };
}
