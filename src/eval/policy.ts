/**
 * Held-out evaluation of a policy on a task: n samples per prompt (or greedy decoding), judged by the task's own
 * `evaluate`, summarised as accuracy, unbiased pass@k, distinct correct answers, entropy and length. The samples use
 * the Rng passed in, so an evaluation stream separate from training keeps evaluations comparable across steps.
 */
import type { GPT } from '../model/gpt.js';
import type { Rng } from '../random.js';
import { collectRollout } from '../rl/rollout.js';
import type { Evaluation, Task } from '../tasks/task.js';
import type { Tokenizer } from '../tasks/tokenizer.js';
import { distinctCorrectAnswers } from './diversity.js';
import { correctCountsPerPrompt, passAtK } from './pass-at-k.js';

export interface PolicyEvalOptions {
  /** Samples per prompt (n >= max k). Ignored (1) when greedy. */
  samples: number;
  maxNewTokens: number;
  /** Default 1. */
  temperature?: number;
  /** Default 1. */
  topP?: number;
  /** Argmax decoding (one sample per prompt). Default false. */
  greedy?: boolean;
  /** pass@k values to report; each k <= samples. Default [1]. */
  ks?: number[];
}

export interface PolicyEval<E extends Evaluation = Evaluation> {
  /** Fraction of all samples judged correct (pass@1 estimated from n samples). */
  accuracy: number;
  /** Mean unbiased pass@k over prompts, by k. */
  passAtK: Record<number, number>;
  /** [prompts] correct samples per prompt. */
  correctCounts: Int32Array;
  /** Mean number of distinct correct answers per prompt. */
  distinctCorrect: number;
  /** Mean entropy (nats) of the policy at the generated positions. */
  entropy: number;
  /** Mean generated length (tokens, EOS included). */
  length: number;
  samplesPerPrompt: number;
  /** [prompts * samples] every sample's evaluation, prompt-major (for task-specific counters). */
  evaluations: E[];
  completions: readonly string[];
}

/** Evaluates `model` on `problems`; see the module comment. */
export function evaluatePolicy<P, E extends Evaluation>(
  model: GPT,
  task: Task<P, E>,
  tokenizer: Tokenizer,
  problems: readonly P[],
  opts: PolicyEvalOptions,
  rng: Rng,
): PolicyEval<E> {
  const greedy = opts.greedy ?? false;
  const n = greedy ? 1 : opts.samples;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`evaluatePolicy: samples must be an integer >= 1, got ${opts.samples}`);
  const ks = opts.ks ?? [1];
  for (const k of ks)
    if (!(Number.isInteger(k) && k >= 1 && k <= n))
      throw new Error(`evaluatePolicy: every k in ks must be an integer in [1, samples=${n}], got ${k}`);
  const r = collectRollout(
    model,
    task,
    tokenizer,
    problems,
    {
      numGenerations: n,
      maxNewTokens: opts.maxNewTokens,
      temperature: opts.temperature ?? 1,
      topP: opts.topP ?? 1,
      greedy,
    },
    rng,
  );
  const evaluations = r.completions.map((c, i) => task.evaluate(problems[Math.floor(i / n)]!, c));
  const correct = Uint8Array.from(evaluations, (e) => (e.correct ? 1 : 0));
  const correctCounts = correctCountsPerPrompt(correct, n);
  const passAt: Record<number, number> = {};
  for (const k of ks) {
    let s = 0;
    for (const c of correctCounts) s += passAtK(n, c, k);
    passAt[k] = s / correctCounts.length;
  }
  const distinct = distinctCorrectAnswers(evaluations.map((e) => e.answer), correct, n);
  let h = 0;
  let tokens = 0;
  for (let i = 0; i < r.lengths.length; i++)
    for (let j = 0; j < r.lengths[i]!; j++) {
      h += r.entropies[i * r.maxNewTokens + j]!;
      tokens++;
    }
  return {
    accuracy: correct.reduce((a, b) => a + b, 0) / correct.length,
    passAtK: passAt,
    correctCounts,
    distinctCorrect: distinct.reduce((a, b) => a + b, 0) / distinct.length,
    entropy: h / tokens,
    length: tokens / r.lengths.length,
    samplesPerPrompt: n,
    evaluations,
    completions: r.completions,
  };
}
