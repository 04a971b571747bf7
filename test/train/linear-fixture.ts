/**
 * A tiny trainable for the training tests: linear regression y = X·w* + b* on batches drawn from the trainer's
 * Rng, so the tests exercise the optimizer, step, loop and checkpoints without depending on the GPT.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../src/random.js';

export const D = 4;
export const TRUE_W = [1.5, -2, 0.5, 3];
export const TRUE_B = 0.7;

export interface RegressionBatch {
  x: Float32Array; // [N, D]
  y: Float32Array; // [N]
  n: number;
}

export class Linear {
  readonly params: Record<string, tf.Variable>;
  constructor(init = 0) {
    this.params = {
      w: tf.variable(tf.fill([D, 1], init), true),
      b: tf.variable(tf.zeros([1]), true),
    };
  }
  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}

export function batches(n = 16) {
  return (_step: number, rng: Rng): RegressionBatch => {
    const x = rng.normals(n * D);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = TRUE_B;
      for (let j = 0; j < D; j++) s += x[i * D + j]! * TRUE_W[j]!;
      y[i] = s + 0.01 * rng.normal();
    }
    return { x, y, n };
  };
}

/** Mean squared error of the model on a batch. */
export function mse(model: Linear) {
  return (b: RegressionBatch): tf.Scalar => {
    const x = tf.tensor2d(b.x, [b.n, D]);
    const y = tf.tensor2d(b.y, [b.n, 1]);
    const pred = tf.add(tf.matMul(x, model.params['w']!), model.params['b']!);
    return tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar;
  };
}
