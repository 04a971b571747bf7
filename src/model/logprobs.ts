/**
 * Teacher-forced per-token scores of given sequences: the kernel the RL objectives use.
 * For position t the model sees tokens[<= t] and is scored on tokens[t+1].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from './gpt.js';

/** Per-token scores, each [B, T-1]. */
export interface TokenScores<A> {
  /** log pi(tokens[t+1] | tokens[<= t]) at temperature 1. */
  logp: A;
  /** Entropy of pi(. | tokens[<= t]) in nats. */
  entropy: A;
  /** Self-certainty logsumexp(z) - mean(z) - log V = KL(U || pi) >= 0 (Intuitor's per-token self-certainty, as in Zhang et al., arXiv 2506.17219). */
  selfCertainty: A;
}

/**
 * Scores from logits.  logits [B, T, V] (position t predicts token t+1), tokens int32 [B, T] -> each [B, T-1].
 * Differentiable. Uses log-softmax, so huge logits are safe; NaN logits give NaN scores.
 */
export function scoresFromLogits(logits: tf.Tensor3D, tokens: tf.Tensor2D): TokenScores<tf.Tensor2D> {
  const [B, T, V] = logits.shape;
  if (tokens.rank !== 2 || tokens.shape[0] !== B || tokens.shape[1] !== T)
    throw new Error(`scoresFromLogits: tokens must be [${B}, ${T}] (logits' [B, T]), got [${tokens.shape}]`);
  if (T < 2) throw new Error(`scoresFromLogits: sequences need at least 2 tokens to score one, got T=${T}`);
  const N = B * (T - 1);
  const out = tf.tidy(() => {
    const lsm = tf.logSoftmax(tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), [N, V])); // [N, V]
    const next = tf.reshape(tf.slice(tokens, [0, 1], [B, T - 1]), [N]) as tf.Tensor1D; // [N]
    const oh = tf.cast(tf.oneHot(next, V, 1, 0, 'int32'), 'float32'); // [N, V] (int32 then cast: see layers.ts)
    const logp = tf.sum(tf.mul(lsm, oh), 1); // [N]
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(lsm), lsm), 1)); // [N]
    // lsm = z - lse(z), so -mean(lsm) = lse(z) - mean(z)
    const selfCertainty = tf.sub(tf.neg(tf.mean(lsm, 1)), Math.log(V)); // [N]
    const shape: [number, number] = [B, T - 1];
    return {
      logp: tf.reshape(logp, shape) as tf.Tensor2D,
      entropy: tf.reshape(entropy, shape) as tf.Tensor2D,
      selfCertainty: tf.reshape(selfCertainty, shape) as tf.Tensor2D,
    };
  });
  return out;
}

/**
 * Teacher-forced scores of sequences under `model`.  tokens int32 [B, T] -> logp, entropy, selfCertainty [B, T-1].
 * Differentiable with respect to `model.params` (use inside `tf.variableGrads`). Right padding is harmless (causal);
 * mask the padded positions in the objective.
 */
export function tokenLogProbs(model: GPT, tokens: tf.Tensor2D): TokenScores<tf.Tensor2D> {
  const out = tf.tidy(() => scoresFromLogits(model.forward(tokens), tokens) as unknown as tf.TensorContainer);
  return out as unknown as TokenScores<tf.Tensor2D>;
}

/**
 * The same scores as plain arrays.  tokens: row-major [batch, length] -> each Float32Array [batch, length-1].
 * Runs in chunks of `chunkRows` rows to bound memory.
 */
export function tokenLogProbsArrays(
  model: GPT,
  tokens: Int32Array,
  batch: number,
  length: number,
  chunkRows = 256,
): TokenScores<Float32Array> {
  if (!(Number.isInteger(batch) && batch > 0 && Number.isInteger(length) && length >= 2))
    throw new Error(`tokenLogProbsArrays: batch must be >= 1 and length >= 2, got batch=${batch}, length=${length}`);
  if (tokens.length !== batch * length)
    throw new Error(`tokenLogProbsArrays: tokens has ${tokens.length} values, expected batch*length=${batch * length}`);
  if (!(Number.isInteger(chunkRows) && chunkRows > 0))
    throw new Error(`tokenLogProbsArrays: chunkRows must be a positive integer, got ${chunkRows}`);
  const out = {
    logp: new Float32Array(batch * (length - 1)),
    entropy: new Float32Array(batch * (length - 1)),
    selfCertainty: new Float32Array(batch * (length - 1)),
  };
  for (let r0 = 0; r0 < batch; r0 += chunkRows) {
    const rows = Math.min(chunkRows, batch - r0);
    const t = tf.tensor2d(tokens.subarray(r0 * length, (r0 + rows) * length), [rows, length], 'int32');
    const s = tokenLogProbs(model, t);
    out.logp.set(s.logp.dataSync() as Float32Array, r0 * (length - 1));
    out.entropy.set(s.entropy.dataSync() as Float32Array, r0 * (length - 1));
    out.selfCertainty.set(s.selfCertainty.dataSync() as Float32Array, r0 * (length - 1));
    tf.dispose([t, s.logp, s.entropy, s.selfCertainty]);
  }
  return out;
}
