/**
 * Verification examples for the generation-verification gap (claim 1; Song et al., "Mind the Gap",
 * arXiv 2412.02674): a task that can also be CHECKED renders `CHECK question answer -> verdict` as a prompt whose
 * completion is one token, `Y` or `N`. The verdict always comes from the task's true checker; candidates come from a
 * task-specific noise process (or, at evaluation time, from the model's own samples).
 *
 * The check prompt of problem p has the key of p (`task.key(p)`), so a held-out split keeps every CHECK rendering of
 * an evaluation question out of training.
 */
import type { Rng } from '../random.js';
import type { Example } from './batch.js';
import type { Evaluation, Task } from './task.js';

export const VERDICT_YES = 'Y';
export const VERDICT_NO = 'N';

/** A generation task that can also render and label CHECK examples. */
export interface CheckableTask<P, E extends Evaluation = Evaluation> extends Task<P, E> {
  /** The CHECK prompt for candidate answer `answer` (raw completion text); the model continues with Y or N. */
  checkPrompt(p: P, answer: string): string;
  /** A candidate answer from the task's noise process (may happen to be correct). */
  noiseCandidate(p: P, rng: Rng): string;
}

/**
 * One CHECK example: with probability `positiveFraction` a valid answer (`task.target`), else a noise candidate;
 * the verdict is the true checker's (`task.evaluate`).
 */
export function checkExample<P>(task: CheckableTask<P>, p: P, rng: Rng, positiveFraction = 0.5): Example {
  if (!(positiveFraction >= 0 && positiveFraction <= 1))
    throw new Error(`checkExample: positiveFraction must be in [0, 1], got ${positiveFraction}`);
  const answer = rng.bernoulli(positiveFraction) ? task.target(p, rng) : task.noiseCandidate(p, rng);
  const verdict = task.evaluate(p, answer).correct ? VERDICT_YES : VERDICT_NO;
  return { prompt: task.checkPrompt(p, answer), completion: verdict };
}
