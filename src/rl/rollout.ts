/**
 * Rollouts: P prompts x G samples from the current policy, kept as plain typed arrays between steps (tensors never
 * cross a step). The per-token arrays come straight from the sampler (`generate`), which records the log-prob of
 * each sampled token under the UNMODIFIED policy (temperature 1): that is pi_old for the ratio in the surrogate,
 * whatever temperature was sampled at (TRL instead divides the logits by the sampling temperature in both pi_old and
 * pi_theta; with T = 1, the setting of every claim here, the two agree).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt.js';
import { generate, type Generation } from '../model/generate.js';
import { tokenLogProbsArrays } from '../model/logprobs.js';
import type { Rng } from '../random.js';
import { encodePrompts } from '../tasks/batch.js';
import { Tokenizer } from '../tasks/tokenizer.js';
import type { Task } from '../tasks/task.js';
import type { RewardRollout } from './rewards.js';

export interface SamplingOptions {
  /** Samples per prompt, G (TRL `num_generations`). >= 1. */
  numGenerations: number;
  /** Tokens generated per sample at most. */
  maxNewTokens: number;
  /** Sampling temperature (> 0). Default 1. */
  temperature?: number;
  /** Nucleus sampling mass in (0, 1]. Default 1. */
  topP?: number;
  /** Argmax decoding instead of sampling (then numGenerations is usually 1). Default false. */
  greedy?: boolean;
  /** Rows per sampler call (bounds memory of the KV cache). Default 1024. */
  chunkRows?: number;
}

/** A rollout batch: what rewards consume (`RewardRollout`) plus the token layout the update needs. */
export interface Rollout<P> extends RewardRollout<P> {
  /** [N, width]: BOS prompt completion, then PAD; N = P * G, prompt-major. */
  tokens: Int32Array;
  width: number;
  /** [N] prompt length including BOS. */
  promptLengths: Int32Array;
  /** [N, maxNewTokens] log pi_old(o_t) at temperature 1. */
  logProbs: Float32Array;
  entropies: Float32Array;
  selfCertainty: Float32Array;
  /** [N, maxNewTokens] log-probs under the frozen reference policy, when one was given. */
  refLogProbs?: Float32Array;
}

/**
 * Samples G completions for each problem. Problems are repeated G times (prompt-major), sampled in chunks of
 * `chunkRows` rows, and decoded with the task's tokenizer (`decodeCompletion`: the text before EOS).
 */
export function collectRollout<P>(
  model: GPT,
  task: Task<P>,
  tokenizer: Tokenizer,
  problems: readonly P[],
  opts: SamplingOptions,
  rng: Rng,
  reference?: GPT,
): Rollout<P> {
  const G = opts.numGenerations;
  if (!(Number.isInteger(G) && G >= 1)) throw new Error(`collectRollout: numGenerations must be an integer >= 1, got ${G}`);
  if (problems.length === 0) throw new Error('collectRollout: problems is empty');
  const chunkRows = opts.chunkRows ?? 1024;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new Error(`collectRollout: chunkRows must be an integer >= 1, got ${chunkRows}`);
  const prompts = encodePrompts(tokenizer, problems.map((p) => task.prompt(p)));
  const rows: Int32Array[] = [];
  for (const p of prompts) for (let g = 0; g < G; g++) rows.push(p);
  const genOpts = {
    maxNewTokens: opts.maxNewTokens,
    padId: Tokenizer.PAD,
    eosId: Tokenizer.EOS,
    temperature: opts.temperature ?? 1,
    topP: opts.topP ?? 1,
    greedy: opts.greedy ?? false,
  };
  const parts: Generation[] = [];
  for (let i = 0; i < rows.length; i += chunkRows) parts.push(generate(model, rows.slice(i, i + chunkRows), genOpts, rng));
  const gen = concatGenerations(parts);

  const N = rows.length;
  const M = gen.maxNewTokens;
  const completions: string[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const start = i * gen.width + gen.promptLengths[i]!;
    completions[i] = tokenizer.decodeCompletion(gen.tokens.subarray(start, start + gen.lengths[i]!));
  }
  const rollout: Rollout<P> = {
    problems,
    groupSize: G,
    completions,
    lengths: gen.lengths,
    maxNewTokens: M,
    tokens: gen.tokens,
    width: gen.width,
    promptLengths: gen.promptLengths,
    logProbs: gen.logProbs,
    entropies: gen.entropies,
    selfCertainty: gen.selfCertainty,
  };
  if (reference) rollout.refLogProbs = completionScores(reference, rollout).logp;
  return rollout;
}

/** Joins sampler outputs of equal maxNewTokens (chunks may differ in width: the longest prompt of each chunk). */
export function concatGenerations(parts: readonly Generation[]): Generation {
  if (parts.length === 1) return parts[0]!;
  const M = parts[0]!.maxNewTokens;
  const width = Math.max(...parts.map((g) => g.width));
  const B = parts.reduce((s, g) => s + g.batch, 0);
  const out: Generation = {
    batch: B,
    width,
    maxNewTokens: M,
    tokens: new Int32Array(B * width).fill(Tokenizer.PAD),
    promptLengths: new Int32Array(B),
    lengths: new Int32Array(B),
    logProbs: new Float32Array(B * M),
    samplingLogProbs: new Float32Array(B * M),
    entropies: new Float32Array(B * M),
    selfCertainty: new Float32Array(B * M),
  };
  let row = 0;
  for (const g of parts) {
    if (g.maxNewTokens !== M) throw new Error('concatGenerations: parts differ in maxNewTokens');
    for (let b = 0; b < g.batch; b++) out.tokens.set(g.tokens.subarray(b * g.width, (b + 1) * g.width), (row + b) * width);
    out.promptLengths.set(g.promptLengths, row);
    out.lengths.set(g.lengths, row);
    for (const k of ['logProbs', 'samplingLogProbs', 'entropies', 'selfCertainty'] as const) out[k].set(g[k], row * M);
    row += g.batch;
  }
  return out;
}

/** The rows of a rollout as an update batch: tokens [n, W] and the completion positions of the scores [n, W-1]. */
export interface UpdateBatch {
  n: number;
  /** W: the longest prompt + completion among the rows (no wasted columns). */
  width: number;
  tokens: Int32Array; // [n, W]
  /** [n, W-1] 1 where the score at that position is a completion token's. */
  mask: Float32Array;
  /** [n, W-1] pi_old of the completion tokens at their score positions, 0 elsewhere. */
  oldLogp: Float32Array;
  /** [n, W-1] reference log-probs at the same positions (when the rollout has them). */
  refLogp?: Float32Array;
}

/**
 * Gathers rows `idx` of a rollout. Completion token j of row i sits at slot promptLen_i + j and is scored at
 * position promptLen_i + j - 1 (position t predicts token t+1), which is where its mask and pi_old go.
 */
export function updateBatch<P>(r: Rollout<P>, idx: ArrayLike<number>): UpdateBatch {
  const n = idx.length;
  const M = r.maxNewTokens;
  let W = 2;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    W = Math.max(W, r.promptLengths[i]! + r.lengths[i]!);
  }
  const tokens = new Int32Array(n * W); // PAD = 0
  const mask = new Float32Array(n * (W - 1));
  const oldLogp = new Float32Array(n * (W - 1));
  const refLogp = r.refLogProbs ? new Float32Array(n * (W - 1)) : undefined;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    const pl = r.promptLengths[i]!;
    const len = r.lengths[i]!;
    tokens.set(r.tokens.subarray(i * r.width, i * r.width + pl + len), k * W);
    for (let j = 0; j < len; j++) {
      const pos = k * (W - 1) + pl + j - 1;
      mask[pos] = 1;
      oldLogp[pos] = r.logProbs[i * M + j]!;
      if (refLogp) refLogp[pos] = r.refLogProbs![i * M + j]!;
    }
  }
  return refLogp ? { n, width: W, tokens, mask, oldLogp, refLogp } : { n, width: W, tokens, mask, oldLogp };
}

/**
 * Teacher-forced scores of every rollout row's completion tokens under `model`, in the rollout's
 * [N, maxNewTokens] layout (0 beyond a row's length). Used for the reference policy's log-probs.
 */
export function completionScores<P>(model: GPT, r: Rollout<P>): { logp: Float32Array; entropy: Float32Array } {
  const N = r.lengths.length;
  const M = r.maxNewTokens;
  const all = Array.from({ length: N }, (_, i) => i);
  const b = updateBatch(r, all);
  const s = tokenLogProbsArrays(model, b.tokens, N, b.width);
  const logp = new Float32Array(N * M);
  const entropy = new Float32Array(N * M);
  for (let i = 0; i < N; i++) {
    const pl = r.promptLengths[i]!;
    for (let j = 0; j < r.lengths[i]!; j++) {
      logp[i * M + j] = s.logp[i * (b.width - 1) + pl + j - 1]!;
      entropy[i * M + j] = s.entropy[i * (b.width - 1) + pl + j - 1]!;
    }
  }
  return { logp, entropy };
}

/** Tensors of an update batch (caller disposes, or builds them inside a tidy). */
export function updateTensors(b: UpdateBatch): {
  tokens: tf.Tensor2D;
  mask: tf.Tensor2D;
  oldLogp: tf.Tensor2D;
  refLogp?: tf.Tensor2D;
} {
  const shape: [number, number] = [b.n, b.width - 1];
  const t = {
    tokens: tf.tensor2d(b.tokens, [b.n, b.width], 'int32'),
    mask: tf.tensor2d(b.mask, shape),
    oldLogp: tf.tensor2d(b.oldLogp, shape),
  };
  return b.refLogp ? { ...t, refLogp: tf.tensor2d(b.refLogp, shape) } : t;
}
