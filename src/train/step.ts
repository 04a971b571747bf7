/**
 * One optimisation step in the tfjs-examples shape: `tf.variableGrads` of a loss closure, clip by global norm,
 * optimizer update, everything disposed; the loss and the pre-clip gradient norm come back as plain numbers from a
 * single data read.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm } from './clip.js';
import type { Optimizer } from './optimizer.js';

/** Anything with named trainable weights (a GPT, a linear probe in a test). */
export interface Trainable {
  params: Record<string, tf.Variable>;
}

export interface StepResult {
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
}

/**
 * Runs `loss` (a closure building a scalar from the model's variables), differentiates it with respect to every
 * trainable entry of `params`, clips to `clipNorm` (Infinity: no clipping) and applies `optimizer`.
 * The optimizer's learning rate must already be set for this step.
 */
export function trainStep(
  params: Record<string, tf.Variable>,
  loss: () => tf.Scalar,
  optimizer: Optimizer,
  clipNorm = Infinity,
): StepResult {
  const entries = Object.entries(params).filter(([, v]) => v.trainable);
  if (entries.length === 0) throw new Error('trainStep: params has no trainable variables');
  const byVarName = new Map(entries.map(([key, v]) => [v.name, key]));
  const metrics = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, entries.map(([, v]) => v));
    // variableGrads keys gradients by tf's variable name; the optimizer wants the params record's keys.
    const named: Record<string, tf.Tensor> = {};
    for (const [varName, g] of Object.entries(grads)) if (g) named[byVarName.get(varName)!] = g;
    const { grads: clipped, norm } = clipByGlobalNorm(named, clipNorm);
    optimizer.applyGradients(params, clipped);
    return tf.stack([value, norm]);
  });
  const [lossValue, gradNorm] = metrics.dataSync();
  metrics.dispose();
  return { loss: lossValue!, gradNorm: gradNorm! };
}
