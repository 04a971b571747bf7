/**
 * The generation-verification gap of rejection sampling with a verifier score (Song et al., "Mind the Gap", arXiv
 * 2412.02674): per prompt, keep the samples whose score P(Y) is at least tau and compare the accuracy of the kept
 * samples with the plain accuracy of all samples. A prompt with no kept sample falls back to plain sampling (gap 0).
 */
import { mean } from './stats.js';

export interface GapAtTau {
  tau: number;
  /** Mean over prompts of (accuracy of kept samples, or plain accuracy when none kept) - plain accuracy. */
  gap: number;
  /** gap / (1 - accuracy); NaN when accuracy is 1. */
  relativeGap: number;
  /** Fraction of all samples with P(Y) >= tau. */
  kept: number;
}

/** Gap at each tau for samples grouped per prompt (prompt-major, `perPrompt` each). */
export function gapCurve(correct: ArrayLike<number>, pYes: ArrayLike<number>, perPrompt: number, taus: readonly number[]): GapAtTau[] {
  if (correct.length !== pYes.length) throw new Error(`gapCurve: correct (${correct.length}) and pYes (${pYes.length}) differ`);
  if (!(Number.isInteger(perPrompt) && perPrompt >= 1 && correct.length % perPrompt === 0))
    throw new Error(`gapCurve: perPrompt must be a positive integer dividing ${correct.length}, got ${perPrompt}`);
  const prompts = correct.length / perPrompt;
  const acc = mean(correct);
  return taus.map((tau) => {
    let gapSum = 0;
    let kept = 0;
    for (let p = 0; p < prompts; p++) {
      let c = 0;
      let k = 0;
      let kc = 0;
      for (let j = p * perPrompt; j < (p + 1) * perPrompt; j++) {
        c += correct[j]!;
        if (pYes[j]! >= tau) {
          k++;
          kc += correct[j]!;
        }
      }
      kept += k;
      if (k > 0) gapSum += kc / k - c / perPrompt;
    }
    const gap = gapSum / prompts;
    return { tau, gap, relativeGap: acc < 1 ? gap / (1 - acc) : NaN, kept: kept / correct.length };
  });
}
