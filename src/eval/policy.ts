/**
 * Held-out evaluation of a policy on a task, the one evaluation path of every experiment: n samples per prompt (or
 * greedy decoding), each judged by the task's own `evaluate`. It returns one record per sample (the task's
 * `Evaluation` fields, e.g. a style or which key was hit, plus the sample's tokens, log-probs and entropies) and a
 * summary (accuracy, unbiased pass@k, distinct correct answers, entropy, length). A task-specific number is a
 * function of the records; a subset of prompts (a class, a split) is summarised with `summarizeSamples`. The samples
 * use the Rng passed in, so an evaluation stream separate from training keeps evaluations comparable across steps.
 *
 * ```ts
 * const ev = evaluatePolicy(model, task, tokenizer, problems, { samples: 8, maxNewTokens: 4, ks: [1, 4] }, rng);
 * ev.passAtK[4];                                        // all prompts
 * const key2 = ev.samples.filter((s) => s.which === 'key2').length;  // a task field
 * summarizeSamples(ev.samples.filter((s) => hard[s.prompt]), 8, [1, 4]).passAtK[4];  // one class of prompts
 * ```
 */
import type { GPT } from '../model/gpt.js';
import type { Rng } from '../random.js';
import { collectRollout } from '../rl/rollout.js';
import type { Evaluation, Task } from '../tasks/task.js';
import type { Tokenizer } from '../tasks/tokenizer.js';
import { distinctCorrectAnswers } from './diversity.js';
import { meanPassAtK } from './pass-at-k.js';

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

/** What the sampler recorded for one sample, beside the task's judgement. */
export interface SampleTrace {
  /** Index of the sample's problem in the evaluated `problems`. */
  prompt: number;
  /** The text before EOS, as the task judged it. */
  completion: string;
  /** [length] generated token ids, EOS included when it was sampled. */
  tokens: Int32Array;
  /** [length] log pi of each generated token at temperature 1. */
  logProbs: Float32Array;
  /** [length] entropy (nats) of the policy at each generated position. */
  entropies: Float32Array;
}

/** One sample: the task's `Evaluation` (with whatever fields the task adds) and its trace. */
export type SampleRecord<E extends Evaluation = Evaluation> = E & SampleTrace;

/** Summary numbers of a set of samples, n per prompt. */
export interface PolicySummary {
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
  prompts: number;
  samplesPerPrompt: number;
}

export interface PolicyEval<E extends Evaluation = Evaluation> extends PolicySummary {
  /** [prompts * samples] every sample, prompt-major. */
  samples: SampleRecord<E>[];
}

function checkKs(ks: readonly number[], n: number, where: string): void {
  for (const k of ks)
    if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`${where}: every k in ks must be an integer in [1, samples=${n}], got ${k}`);
}

/**
 * Summarises samples laid out prompt-major, `samplesPerPrompt` consecutive records per prompt (any subset of an
 * evaluation's prompts, e.g. `ev.samples.filter((s) => hard[s.prompt])`).
 */
export function summarizeSamples(samples: readonly SampleRecord[], samplesPerPrompt: number, ks: readonly number[] = [1]): PolicySummary {
  const n = samplesPerPrompt;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`summarizeSamples: samplesPerPrompt must be an integer >= 1, got ${n}`);
  if (samples.length === 0) throw new Error('summarizeSamples: samples is empty (need at least one prompt)');
  if (samples.length % n !== 0) throw new Error(`summarizeSamples: ${samples.length} samples are not whole groups of samplesPerPrompt=${n}`);
  checkKs(ks, n, 'summarizeSamples');
  const prompts = samples.length / n;
  for (let i = 0; i < samples.length; i++)
    if (samples[i]!.prompt !== samples[i - (i % n)]!.prompt)
      throw new Error(`summarizeSamples: sample ${i} belongs to prompt ${samples[i]!.prompt}, not to its group's prompt ${samples[i - (i % n)]!.prompt} (records must be prompt-major)`);
  const correct = Uint8Array.from(samples, (s) => (s.correct ? 1 : 0));
  const correctCounts = new Int32Array(prompts);
  for (let i = 0; i < correct.length; i++) correctCounts[Math.floor(i / n)]! += correct[i]!;
  const passAt: Record<number, number> = {};
  for (const k of ks) passAt[k] = meanPassAtK(correctCounts, n, k);
  const distinct = distinctCorrectAnswers(samples.map((s) => s.answer), correct, n);
  let h = 0;
  let tokens = 0;
  for (const s of samples)
    for (let j = 0; j < s.entropies.length; j++) {
      h += s.entropies[j]!;
      tokens++;
    }
  return {
    accuracy: correct.reduce((a, b) => a + b, 0) / correct.length,
    passAtK: passAt,
    correctCounts,
    distinctCorrect: distinct.reduce((a, b) => a + b, 0) / distinct.length,
    entropy: h / tokens,
    length: tokens / samples.length,
    prompts,
    samplesPerPrompt: n,
  };
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
  checkKs(ks, n, 'evaluatePolicy');
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
  const M = r.maxNewTokens;
  const samples = r.completions.map((completion, i): SampleRecord<E> => {
    const prompt = Math.floor(i / n);
    const len = r.lengths[i]!;
    const start = i * r.width + r.promptLengths[i]!;
    return {
      ...task.evaluate(problems[prompt]!, completion),
      prompt,
      completion,
      tokens: r.tokens.subarray(start, start + len),
      logProbs: r.logProbs.subarray(i * M, i * M + len),
      entropies: r.entropies.subarray(i * M, i * M + len),
    };
  });
  return { ...summarizeSamples(samples, n, ks), samples };
}
