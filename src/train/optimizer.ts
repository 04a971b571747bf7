/**
 * What the training step needs from an optimizer, and the plain-JS form of its state (for checkpoints). Optimizers
 * update `tf.Variable`s in place, keyed by the same names as the model's `params` record, so a checkpoint of the
 * optimizer lines up with a checkpoint of the weights by name.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A float32 array with its shape: how tensors cross a step boundary or go to disk. */
export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

/**
 * An optimizer's state as typed arrays: the step count and one slot per moment buffer (`m`, `v` for AdamW,
 * `momentum` for SGD), each keyed by parameter name. Parameters not updated yet have no entry.
 */
export interface OptimizerState {
  kind: string;
  step: number;
  slots: Record<string, Record<string, NamedArray>>;
}

export interface Optimizer {
  readonly kind: string;
  /** Learning rate of the next `applyGradients`; the trainer sets it from the schedule before every step. */
  lr: number;
  /** Completed updates (torch's `state['step']`). */
  readonly step: number;
  /**
   * One update of every parameter that has a gradient (`grads[name]` for `params[name]`, same shape). Parameters
   * with no gradient are left alone, like torch skips `p.grad is None`. Call inside `tf.tidy`.
   */
  applyGradients(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>): void;
  /** Reads the state into typed arrays (one data read per buffer; call between steps, not inside one). */
  getState(): OptimizerState;
  /** Replaces the state (for resume); the slot buffers are checked against the parameters at the next update. */
  setState(state: OptimizerState): void;
  /** Frees the moment buffers. */
  dispose(): void;
}

/** Part of the `applyGradients` contract: a gradient must have its parameter's shape. */
export function checkGradShape(name: string, p: tf.Variable, g: tf.Tensor): void {
  if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i]))
    throw new Error(`gradient of "${name}" has shape [${g.shape}] but the parameter has shape [${p.shape}]`);
}
