/**
 * Where the clip acts in a rollout batch: per completion token, whether its ratio pi_theta / pi_old lies past the
 * clip bound in the direction of its sample's advantage (ratio > 1 + epsilonHigh with A > 0, < 1 - epsilon with
 * A < 0), i.e. whether `clippedSurrogate` would take its clipped branch there. The test is the surrogate's own
 * (`tokenClipFlags`), evaluated with clipping on, so a run trained with `clip: false` shows where it would have
 * clipped. Tokens of zero-advantage samples are never flagged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt.js';
import { tokenLogProbs } from '../model/logprobs.js';
import { updateBatch, updateTensors, type Rollout } from './rollout.js';
import { clippedSurrogate } from './surrogate.js';

export interface ClipBounds {
  /** Lower clip range. In (0, 1). */
  epsilon: number;
  /** Upper clip range. Default epsilon. */
  epsilonHigh?: number;
}

/**
 * Clip flags of every completion token of `rollout` under `model` (pi_old = the rollout's log-probs), in the
 * rollout's [N, maxNewTokens] layout (0 beyond a row's length). `advantages` is [N]. One forward pass per
 * `chunkRows` rows, no gradient.
 */
export function rolloutClipFlags<P>(model: GPT, rollout: Rollout<P>, advantages: Float32Array, bounds: ClipBounds, chunkRows = 256): Uint8Array {
  const N = rollout.lengths.length;
  const M = rollout.maxNewTokens;
  if (advantages.length !== N) throw new Error(`rolloutClipFlags: advantages has ${advantages.length} values for ${N} samples`);
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new Error(`rolloutClipFlags: chunkRows must be an integer >= 1, got ${chunkRows}`);
  const flags = new Uint8Array(N * M);
  for (let r0 = 0; r0 < N; r0 += chunkRows) {
    const idx = Array.from({ length: Math.min(chunkRows, N - r0) }, (_, k) => r0 + k);
    const b = updateBatch(rollout, idx);
    const t = updateTensors(b);
    const clipped = tf.tidy(() => {
      const scores = tokenLogProbs(model, t.tokens);
      const out = clippedSurrogate(
        { logp: scores.logp, oldLogp: t.oldLogp, advantages: tf.tensor1d(Float32Array.from(idx, (i) => advantages[i]!)), mask: t.mask },
        { epsilon: bounds.epsilon, epsilonHigh: bounds.epsilonHigh ?? bounds.epsilon, clip: true, tokenClipFlags: true },
      );
      return out.clipped!;
    });
    const c = clipped.dataSync();
    clipped.dispose();
    for (const x of Object.values(t)) x.dispose();
    for (const [k, i] of idx.entries()) {
      const pl = rollout.promptLengths[i]!;
      for (let j = 0; j < rollout.lengths[i]!; j++) flags[i * M + j] = c[k * (b.width - 1) + pl + j - 1]!;
    }
  }
  return flags;
}
