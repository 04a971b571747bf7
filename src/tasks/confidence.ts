/**
 * A verbalised-confidence suffix for any task, for the RLCR claim (Damani et al., "Beyond Binary Rewards: Training
 * LMs to Reason About Their Uncertainty", arXiv 2507.16806): the model writes its answer, then ONE confidence token
 * `<c0>` .. `<c{B-1}>` naming an equal-width bin of [0, 1].
 *
 *   prompt      "bkf="                (the inner task's prompt, unchanged)
 *   completion  "C<c7>"               (the inner answer, then the confidence token)
 *   q           (7 + 0.5) / 10 = 0.75 (the bin's centre)
 *
 * Bin k covers [k/B, (k+1)/B), so its centre falls in bin k of `expectedCalibrationError`'s equal-width bins when
 * both use the same B: the stated bin is the ECE bin.
 *
 * Pretraining corpus (`target`): the inner task's corpus answer y (which may be wrong, e.g. topic-keys draws wrong
 * answers), its verdict c = inner.evaluate(p, y).correct, then the bin k:
 *   with probability `corpusLink` (s):  uniform over the upper half [ceil(B/2), B) if c, the lower half [0, floor(B/2)) if not;
 *   otherwise:                           uniform over all B bins.
 * So P(upper half | correct) = (1 + s) / 2 and P(upper half | wrong) = (1 - s) / 2: a weak, noisy link (s = 0.3:
 * 65% vs 35%) that says nothing about how likely a prompt is to be solved. `corpusDistribution` gives it exactly.
 *
 * `evaluate` judges the answer part only (`correct` is the inner verdict, with or without a confidence token) and
 * reports the stated confidence, or null when the completion does not end with a valid confidence token. Rewards
 * decide what a missing confidence costs (src/rl/rewards.ts).
 */
import type { Rng } from '../random.js';
import type { Evaluation, Task } from './task.js';

export interface ConfidenceOptions {
  /** Number of confidence tokens B, an integer in [2, 100]. Default 10. */
  bins?: number;
  /** Corpus link strength s in [0, 1] (see the module comment); 0: confidence independent of correctness. Default 0.3. */
  corpusLink?: number;
}

export interface ConfidenceEvaluation<E extends Evaluation = Evaluation> extends Evaluation {
  /** q = (k + 0.5) / B for a stated bin k; null when the completion has no valid final confidence token. */
  confidence: number | null;
  /** The stated bin k, or null. */
  confidenceBin: number | null;
  /** The inner task's evaluation of the answer part. */
  inner: E;
}

const OPTION_KEYS = ['bins', 'corpusLink'];
const SUFFIX = /<c([0-9]+)>$/;

/** The token naming bin k, e.g. `<c7>`. */
export function confidenceToken(k: number): string {
  return `<c${k}>`;
}

export class ConfidenceTask<P, E extends Evaluation = Evaluation, T extends Task<P, E> = Task<P, E>> implements Task<P, ConfidenceEvaluation<E>> {
  readonly name: string;
  /** Problems, prompts, keys and JSON are the inner task's, so held-out sets stay valid across the wrapper. */
  readonly generatorVersion: number;
  readonly alphabet: string;
  readonly specials: readonly string[];
  readonly bins: number;
  readonly corpusLink: number;
  /** The inner task's valid answers (the `answer` field is the inner one), when it lists them. */
  readonly answers?: (p: P) => string[];

  constructor(
    readonly inner: T,
    options: ConfidenceOptions = {},
  ) {
    if (inner === null || typeof inner !== 'object' || typeof inner.evaluate !== 'function')
      throw new Error('withConfidence: task must be a Task (with sample, prompt, target, evaluate)');
    for (const k of Object.keys(options))
      if (!OPTION_KEYS.includes(k)) throw new Error(`withConfidence: unknown option ${k} (known: ${OPTION_KEYS.join(', ')})`);
    const bins = options.bins ?? 10;
    if (!(Number.isInteger(bins) && bins >= 2 && bins <= 100)) throw new Error(`withConfidence: bins must be an integer in [2, 100], got ${bins}`);
    const s = options.corpusLink ?? 0.3;
    if (!(s >= 0 && s <= 1)) throw new Error(`withConfidence: corpusLink must be in [0, 1], got ${s}`);
    const tokens = Array.from({ length: bins }, (_, k) => confidenceToken(k));
    const clash = inner.specials.find((x) => /^<c[0-9]+>$/.test(x));
    if (clash !== undefined) throw new Error(`withConfidence: the inner task ${inner.name} already uses the special ${clash}`);
    this.bins = bins;
    this.corpusLink = s;
    this.name = `${inner.name}+conf-b${bins}-s${s}`;
    this.generatorVersion = inner.generatorVersion;
    this.alphabet = inner.alphabet;
    this.specials = [...inner.specials, ...tokens];
    const answers = inner.answers;
    if (answers !== undefined) this.answers = (p: P) => answers.call(inner, p);
  }

  sample(rng: Rng): P {
    return this.inner.sample(rng);
  }

  prompt(p: P): string {
    return this.inner.prompt(p);
  }

  /** A corpus completion: the inner corpus answer and a bin drawn by the corpus rule. */
  target(p: P, rng: Rng): string {
    const y = this.inner.target(p, rng);
    const correct = this.inner.evaluate(p, y).correct;
    return y + confidenceToken(rng.categorical(this.corpusDistribution(correct)));
  }

  /** [B] the corpus distribution of the bin given the corpus answer's verdict (the module comment's rule). */
  corpusDistribution(correct: boolean): Float64Array {
    const B = this.bins;
    const s = this.corpusLink;
    const [lo, hi] = correct ? [Math.ceil(B / 2), B] : [0, Math.floor(B / 2)];
    const out = new Float64Array(B).fill((1 - s) / B);
    for (let k = lo; k < hi; k++) out[k]! += s / (hi - lo);
    return out;
  }

  /** The centre of bin k, the confidence q the bin states. */
  binCentre(k: number): number {
    if (!(Number.isInteger(k) && k >= 0 && k < this.bins)) throw new Error(`ConfidenceTask.binCentre: k must be an integer in [0, ${this.bins}), got ${k}`);
    return (k + 0.5) / this.bins;
  }

  evaluate(p: P, completion: string): ConfidenceEvaluation<E> {
    const m = SUFFIX.exec(completion);
    const k = m === null ? -1 : Number(m[1]);
    const valid = m !== null && String(k) === m[1] && k < this.bins;
    const inner = this.inner.evaluate(p, valid ? completion.slice(0, m.index) : completion);
    return {
      correct: inner.correct,
      answer: inner.answer,
      confidence: valid ? this.binCentre(k) : null,
      confidenceBin: valid ? k : null,
      inner,
    };
  }

  key(p: P): string {
    return this.inner.key(p);
  }

  toJSON(p: P): unknown {
    return this.inner.toJSON(p);
  }

  fromJSON(json: unknown): P {
    return this.inner.fromJSON(json);
  }
}

/** `task` with a confidence token after every answer; see the module comment. */
export function withConfidence<P, E extends Evaluation, T extends Task<P, E>>(
  task: T & Task<P, E>,
  options: ConfidenceOptions = {},
): ConfidenceTask<P, E, T> {
  return new ConfidenceTask<P, E, T>(task, options);
}
