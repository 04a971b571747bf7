/**
 * Self-filters for self-improvement (Song et al., "Mind the Gap", arXiv 2412.02674, Sec. 6): which of a pool of
 * samples a model keeps to fine-tune on, judged by its own verifier scores (e.g. `verifyScores`), never the true
 * checker. The pool is prompt-major: `perPrompt` consecutive samples per prompt.
 * - `threshold`: keep score >= tau (the paper's rejection sampling).
 * - `topPerPrompt`: per prompt, the `keep` highest scores (best-of-n by self-verification; ties go to the earlier
 *   sample), so every prompt contributes the same number whatever its score level.
 * - `poolFraction`: the `fraction` of the whole pool with the highest scores (a threshold set on the pool itself, so
 *   the kept fraction is fixed and prompts the verifier trusts more contribute more).
 */
export type SelfFilter =
  | { kind: 'threshold' }
  | { kind: 'topPerPrompt'; keep: number }
  | { kind: 'poolFraction'; fraction: number };

/** Indices (ascending) of the samples `filter` keeps; `tau` is used by `threshold` only. */
export function selfFilter(scores: ArrayLike<number>, perPrompt: number, tau: number, filter: SelfFilter): number[] {
  const n = scores.length;
  if (!(Number.isInteger(perPrompt) && perPrompt >= 1 && n % perPrompt === 0))
    throw new Error(`selfFilter: perPrompt must be a positive integer dividing ${n}, got ${perPrompt}`);
  const byScore = (a: number, b: number) => scores[b]! - scores[a]! || a - b;
  const kept: number[] = [];
  if (filter.kind === 'threshold') {
    for (let i = 0; i < n; i++) if (scores[i]! >= tau) kept.push(i);
  } else if (filter.kind === 'topPerPrompt') {
    for (let p = 0; p < n / perPrompt; p++) {
      const idx = Array.from({ length: perPrompt }, (_, j) => p * perPrompt + j).sort(byScore);
      kept.push(...idx.slice(0, Math.min(filter.keep, perPrompt)));
    }
  } else if (filter.kind === 'poolFraction') {
    kept.push(...Array.from({ length: n }, (_, i) => i).sort(byScore).slice(0, Math.round(filter.fraction * n)));
  } else throw new Error(`selfFilter: filter.kind must be 'threshold' | 'topPerPrompt' | 'poolFraction', got ${JSON.stringify(filter)}`);
  return kept.sort((a, b) => a - b);
}
