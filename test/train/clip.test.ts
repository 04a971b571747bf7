import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { clipByGlobalNorm } from '../../src/train/index.js';

await initBackend({ quiet: true });

test('clipByGlobalNorm: global norm over all gradients, scaled like torch clip_grad_norm_', () => {
  tf.tidy(() => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) }; // global norm 5
    const { grads: c, norm } = clipByGlobalNorm(grads, 1);
    assert.ok(Math.abs(norm.dataSync()[0]! - 5) < 1e-6);
    const coef = 1 / (5 + 1e-6);
    assert.ok(Math.abs(c['a']!.dataSync()[0]! - 3 * coef) < 1e-6);
    assert.ok(Math.abs(c['b']!.dataSync()[1]! - 4 * coef) < 1e-6);
    assert.deepEqual(c['b']!.shape, [1, 2]);
  });
});

test('clipByGlobalNorm leaves small gradients alone and only measures with Infinity', () => {
  tf.tidy(() => {
    const grads = { a: tf.tensor1d([0.3, 0.4]) };
    const small = clipByGlobalNorm(grads, 1);
    assert.deepEqual(Array.from(small.grads['a']!.dataSync()), Array.from(grads.a.dataSync()));
    const measured = clipByGlobalNorm(grads, Infinity);
    assert.equal(measured.grads, grads);
    assert.ok(Math.abs(measured.norm.dataSync()[0]! - 0.5) < 1e-6);
  });
});

test('clipByGlobalNorm: a NaN gradient gives a NaN norm (the trainer stops on it), bad maxNorm is an error', () => {
  tf.tidy(() => {
    const { grads, norm } = clipByGlobalNorm({ a: tf.tensor1d([NaN, 1]) }, 1);
    assert.ok(Number.isNaN(norm.dataSync()[0]));
    assert.ok(Number.isNaN(grads['a']!.dataSync()[0]));
  });
  assert.throws(() => clipByGlobalNorm({ a: tf.scalar(1) }, 0), /maxNorm must be a number/);
  assert.throws(() => clipByGlobalNorm({}, 1), /grads is empty/);
});
