/**
 * Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`: the L2 norm over all gradients together;
 * if it exceeds `maxNorm`, every gradient is scaled by maxNorm / (norm + 1e-6).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkRange } from './validate.js';

/**
 * Returns the clipped gradients (same keys and shapes) and the pre-clip global norm as a scalar tensor, so the
 * caller reads it together with the loss in one data read. `maxNorm = Infinity` only measures. Call inside tidy.
 */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  if (maxNorm !== Infinity) checkRange('clipByGlobalNorm maxNorm', maxNorm, Number.MIN_VALUE, Infinity);
  const names = Object.keys(grads);
  if (names.length === 0) throw new Error('clipByGlobalNorm: grads is empty');
  const norm = tf.tidy(() => tf.addN(names.map((n) => grads[n]!.square().sum())).sqrt()) as tf.Scalar;
  if (maxNorm === Infinity) return { grads, norm };
  // min(1, maxNorm / (norm + 1e-6)) as a tensor: no data read, and NaN norms propagate into the update.
  const coef = tf.tidy(() => tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(norm.add(1e-6))));
  const clipped: Record<string, tf.Tensor> = {};
  for (const n of names) clipped[n] = grads[n]!.mul(coef);
  coef.dispose();
  return { grads: clipped, norm };
}
