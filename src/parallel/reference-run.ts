/**
 * A small, CPU-bound, fully seeded training run used to test and measure the worker pool: a two-layer tanh MLP
 * fitted by plain SGD to a random teacher network, with data and initial weights drawn from `Rng`. Its matmuls are
 * 2-D and untransposed in the forward pass, so the cost is mostly arithmetic, like the real experiments.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import type { RunContext } from './run-function.js';

export interface ReferenceRunConfig {
  seed: number;
  /** SGD steps (integer >= 1). */
  steps: number;
  /** Examples per step (integer >= 1). */
  batch: number;
  /** Input width (integer >= 1). */
  inputs: number;
  /** Hidden width (integer >= 1). */
  hidden: number;
  /** Learning rate (> 0). */
  lr: number;
  /** Call `context.progress({ step, loss })` every this many steps (0: never). */
  progressEvery?: number;
}

export interface ReferenceRunResult {
  seed: number;
  /** Mean-squared error before each step. */
  losses: number[];
  /** First trained weights of each layer, and the sum of all of them (a fingerprint of the whole model). */
  w1Head: number[];
  w2Head: number[];
  weightSum: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`referenceRun: ${name} must be an integer >= ${min}, got ${v}`);
}

/** One training run; the result depends only on the config. */
export async function referenceRun(config: ReferenceRunConfig, context?: RunContext): Promise<ReferenceRunResult> {
  const { seed, steps, batch, inputs, hidden, lr } = config;
  checkInt('steps', steps, 1);
  checkInt('batch', batch, 1);
  checkInt('inputs', inputs, 1);
  checkInt('hidden', hidden, 1);
  if (!(lr > 0)) throw new Error(`referenceRun: lr must be > 0, got ${lr}`);
  const progressEvery = config.progressEvery ?? 0;
  checkInt('progressEvery', progressEvery, 0);

  const rng = new Rng(seed);
  const init = rng.fork('init');
  const data = rng.fork('data');
  const scale1 = 1 / Math.sqrt(inputs);
  const scale2 = 1 / Math.sqrt(hidden);
  const teacher = tf.tensor2d(data.normals(inputs, scale1), [inputs, 1]); // [I, 1]; targets sin(x . teacher) have O(1) arguments
  // tidy disposes the initial tensors; the variables survive it.
  const w1 = tf.tidy(() => tf.variable(tf.tensor2d(init.normals(inputs * hidden, scale1), [inputs, hidden]))); // [I, H]
  const w2 = tf.tidy(() => tf.variable(tf.tensor2d(init.normals(hidden, scale2), [hidden, 1]))); // [H, 1]
  const losses: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const x = tf.tensor2d(data.normals(batch * inputs, 1), [batch, inputs]); // [B, I]
      const lossT = tf.tidy(() => {
        const y = tf.sin(tf.matMul(x, teacher)); // [B, 1]
        const { value, grads } = tf.variableGrads(() => {
          const h = tf.tanh(tf.matMul(x, w1)); // [B, H]
          return tf.mean(tf.square(tf.sub(tf.matMul(h, w2), y))) as tf.Scalar;
        });
        w1.assign(tf.sub(w1, tf.mul(grads[w1.name]!, lr)));
        w2.assign(tf.sub(w2, tf.mul(grads[w2.name]!, lr)));
        return value;
      });
      x.dispose();
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      losses.push(loss);
      if (context && progressEvery > 0 && (step + 1) % progressEvery === 0) context.progress({ step: step + 1, loss });
    }
    const w1v = await w1.data();
    const w2v = await w2.data();
    let weightSum = 0;
    for (const v of w1v) weightSum += v;
    for (const v of w2v) weightSum += v;
    return { seed, losses, w1Head: Array.from(w1v.subarray(0, 4)), w2Head: Array.from(w2v.subarray(0, 4)), weightSum };
  } finally {
    teacher.dispose();
    w1.dispose();
    w2.dispose();
  }
}
