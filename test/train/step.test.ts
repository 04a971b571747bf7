import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { AdamW, SGD, trainStep } from '../../src/train/index.js';
import { Linear, batches, mse } from './linear-fixture.js';

await initBackend({ quiet: true });

test('trainStep: loss falls, weights change, tensor count flat between step 2 and step 50', () => {
  const model = new Linear();
  const opt = new AdamW({ lr: 0.05, weightDecay: 0 });
  const rng = new Rng(1);
  const source = batches();
  const loss = mse(model);
  const w0 = Array.from(model.params['w']!.dataSync());
  const first = trainStep(model.params, () => loss(source(0, rng)), opt, 1);
  trainStep(model.params, () => loss(source(1, rng)), opt, 1);
  const n = tf.memory().numTensors;
  let last = first;
  for (let s = 2; s < 50; s++) last = trainStep(model.params, () => loss(source(s, rng)), opt, 1);
  assert.equal(tf.memory().numTensors, n);
  assert.notDeepEqual(Array.from(model.params['w']!.dataSync()), w0);
  assert.ok(last.loss < first.loss / 2, `loss ${first.loss} -> ${last.loss}`);
  assert.equal(typeof last.gradNorm, 'number');
  opt.dispose();
  model.dispose();
});

test('trainStep returns the loss and the pre-clip gradient norm, and clips the update', () => {
  // loss = sum((w - 3)^2) at w = 0: gradient -6 per entry, norm 6·sqrt(D).
  const w = tf.variable(tf.zeros([4]), true);
  const target = tf.fill([4], 3);
  const opt = new SGD({ lr: 1 });
  const r = trainStep({ w }, () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, opt, 1);
  assert.ok(Math.abs(r.loss - 36) < 1e-5);
  assert.ok(Math.abs(r.gradNorm - 12) < 1e-5);
  // Clipped to norm 1: each entry moves by 1/2 (= 6/12).
  for (const x of w.dataSync()) assert.ok(Math.abs(x - 0.5) < 1e-5, `w entry ${x}`);
  w.dispose();
  target.dispose();
  opt.dispose();
});

test('trainStep errors on no trainable params', () => {
  const w = tf.variable(tf.zeros([2]), false);
  assert.throws(() => trainStep({ w }, () => tf.sum(w) as tf.Scalar, new SGD()), /no trainable variables/);
  w.dispose();
});
