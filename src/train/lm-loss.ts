/**
 * The loss closure `train` needs for a language model on token batches: forward, then masked cross-entropy on the
 * positions the batch's mask selects (all positions for pretraining, the answer for SFT).
 */
import * as tf from '@tensorflow/tfjs-core';
import { maskedCrossEntropy } from '../model/loss.js';
import type { ThoughtLayout } from '../model/latent.js';
import type { Batch, ThoughtBatch } from '../tasks/batch.js';

/** Anything that maps tokens int32 [B, T] to logits [B, T, V] (a GPT). */
export interface LanguageModel {
  forward(tokens: tf.Tensor2D): tf.Tensor3D;
}

/** `(batch) => scalar loss` for `train({ loss })`; the batch's typed arrays become tensors inside the step. */
export function languageModelLoss(model: LanguageModel): (batch: Batch) => tf.Scalar {
  return (batch) => {
    const shape: [number, number] = [batch.batchSize, batch.seqLen];
    const tokens = tf.tensor2d(batch.tokens, shape, 'int32'); // [B, T]
    const targets = tf.tensor2d(batch.targets, shape, 'int32'); // [B, T]
    const mask = tf.tensor2d(batch.mask, shape, 'float32'); // [B, T]
    return maskedCrossEntropy(model.forward(tokens), targets, mask);
  };
}

/** Anything that maps tokens [B, T] with thought slots to logits [B, T, V] (a LatentGPT, src/model/latent.ts). */
export interface ThoughtLanguageModel {
  forward(tokens: tf.Tensor2D, layout: ThoughtLayout): tf.Tensor3D;
}

/** `languageModelLoss` for batches with thought slots (`makeThoughtBatch`): the loss is on the completion only. */
export function thoughtModelLoss(model: ThoughtLanguageModel): (batch: ThoughtBatch) => tf.Scalar {
  return (batch) => {
    const shape: [number, number] = [batch.batchSize, batch.seqLen];
    const tokens = tf.tensor2d(batch.tokens, shape, 'int32'); // [B, T]
    const targets = tf.tensor2d(batch.targets, shape, 'int32'); // [B, T]
    const mask = tf.tensor2d(batch.mask, shape, 'float32'); // [B, T]
    const layout = { start: batch.thoughtStart, steps: batch.thoughtSteps };
    return maskedCrossEntropy(model.forward(tokens, layout), targets, mask);
  };
}
