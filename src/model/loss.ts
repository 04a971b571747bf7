/**
 * Masked cross-entropy: the language-modelling loss on chosen positions only (e.g. the answer of a task).
 */
import * as tf from '@tensorflow/tfjs-core';

type T = tf.Tensor;
// tfjs-core does not export its CustomGradientFunc type; this is its parameter type.
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/**
 * sum(mask * -log p(target)) / sum(mask).
 *   logits [B, T, V] float32, targets int32 [B, T], mask float32 [B, T] (0/1, or any non-negative weights) -> scalar.
 * Stable for huge logits (log-softmax subtracts the row max). NaN logits give a NaN loss. An all-zero mask gives
 * NaN (0/0): the caller decides whether an empty batch is an error.
 * The gradient is written by hand: dlogits = (softmax - onehot) * mask / sum(mask), one fused expression instead
 * of the autodiff chain through logSoftmax, gather and the reductions.
 */
export function maskedCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const [B, Tn, V] = logits.shape;
  checkShape('targets', targets, [B, Tn]);
  checkShape('mask', mask, [B, Tn]);
  if (targets.dtype !== 'int32') throw new Error(`maskedCrossEntropy: targets must be int32, got ${targets.dtype}`);
  return tf.tidy(() => {
    const oh = tf.cast(tf.oneHot(tf.reshape(targets, [B * Tn]) as tf.Tensor1D, V, 1, 0, 'int32'), 'float32'); // [N, V]
    const w = tf.reshape(tf.cast(mask, 'float32'), [B * Tn, 1]); // [N, 1]
    return xent(tf.reshape(logits, [B * Tn, V]), oh, w);
  });
}

const xent = tf.customGrad(((z: T, oh: T, w: T, save: tf.GradSaveFunc) => {
  const lsm = tf.logSoftmax(z); // [N, V]
  const wn = tf.div(w, tf.sum(w)); // [N, 1] weights normalised by sum(mask)
  save([lsm, oh, wn]);
  return {
    value: tf.neg(tf.sum(tf.mul(tf.mul(lsm, oh), wn))) as tf.Scalar,
    gradFunc: (dy: T, saved: T[]) => {
      const [l, o, n] = saved as [T, T, T];
      const dz = tf.mul(tf.mul(tf.sub(tf.exp(l), o), n), dy); // [N, V]
      return [dz, tf.zerosLike(o), tf.zerosLike(n)]; // targets and mask are not differentiated
    },
  };
}) as CustomGradFn) as (z: T, oh: T, w: T) => tf.Scalar;

function checkShape(name: string, t: tf.Tensor, want: number[]): void {
  if (t.rank !== want.length || t.shape.some((d, i) => d !== want[i]))
    throw new Error(`maskedCrossEntropy: ${name} must have shape [${want}] (logits' [B, T]), got [${t.shape}]`);
}
