import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT } from '../../src/model/gpt.js';
import { REFERENCE_CONFIG, gptConfig } from '../../src/model/config.js';
import { maskedCrossEntropy } from '../../src/model/loss.js';
import { mixWeights } from '../../src/model/weights.js';

await initBackend({ quiet: true });
const tiny = gptConfig({ vocabSize: 7, contextLength: 8, dModel: 16, nHeads: 2, nLayers: 2, mlpRatio: 2 });

test('forward gives logits [B, T, V]; the reference model has 413,184 parameters', () => {
  const m = new GPT(tiny, new Rng(1));
  const logits = m.forward(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'));
  assert.deepEqual(logits.shape, [2, 3, 7]);
  assert.ok(Array.from(logits.dataSync()).every(Number.isFinite));
  logits.dispose();
  m.dispose();
  const ref = new GPT(REFERENCE_CONFIG, new Rng(0));
  assert.equal(ref.numParams(), 4096 + 8192 + 2 * 198272 + 256 + 4096);
  ref.dispose();
});

test('forward is causal: changing a later token leaves earlier logits unchanged', () => {
  const m = new GPT(tiny, new Rng(2));
  const a = m.forward(tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32'));
  const b = m.forward(tf.tensor2d([[1, 2, 3, 0]], [1, 4], 'int32'));
  const da = a.dataSync(), db = b.dataSync();
  for (let i = 0; i < 3 * 7; i++) assert.ok(Math.abs(da[i]! - db[i]!) < 1e-6, `position ${Math.floor(i / 7)}`);
  assert.ok(Math.abs(da[3 * 7]! - db[3 * 7]!) > 1e-6, 'the last position sees its own token');
  tf.dispose([a, b]);
  m.dispose();
});

test('the same seed gives the same weights; fromWeights / setWeights / mixWeights round-trip', () => {
  const a = new GPT(tiny, new Rng(3));
  const b = new GPT(tiny, new Rng(3));
  const wa = a.getWeights();
  assert.deepEqual(Object.keys(wa), Object.keys(a.params));
  assert.deepEqual(wa, b.getWeights());
  const c = new GPT(tiny, new Rng(4));
  assert.notDeepEqual(c.getWeights()['wte'], wa['wte']);
  const d = GPT.fromWeights(tiny, c.getWeights());
  assert.deepEqual(d.getWeights(), c.getWeights());
  const half = mixWeights(wa, c.getWeights(), 0.5);
  d.setWeights(half);
  const k = 'h0.attn.wk';
  assert.ok(Math.abs(d.getWeights()[k]![5]! - (wa[k]![5]! + c.getWeights()[k]![5]!) / 2) < 1e-7);
  assert.throws(() => d.setWeights({ ...half, extra: new Float32Array(1) }), /unknown parameter "extra"/);
  const { wte: _drop, ...missing } = half;
  assert.throws(() => d.setWeights(missing), /parameter "wte" is missing/);
  assert.throws(() => mixWeights(wa, half, 1.5), /alpha must be in \[0, 1\]/);
  for (const m of [a, b, c, d]) m.dispose();
});

test('forward rejects bad token tensors with a clear error', () => {
  const m = new GPT(tiny, new Rng(5));
  const long = tf.zeros([1, 9], 'int32') as tf.Tensor2D;
  assert.throws(() => m.forward(long), /sequence length 9 must be in \[1, contextLength=8\]/);
  const f = tf.zeros([1, 3]) as tf.Tensor2D;
  assert.throws(() => m.forward(f), /tokens must be int32/);
  tf.dispose([long, f]);
  m.dispose();
});

test('training steps keep tf.memory().numTensors flat and change the weights', () => {
  const m = new GPT(tiny, new Rng(6));
  const tokens = tf.tensor2d([[1, 2, 3, 4, 5], [2, 3, 4, 5, 6]], [2, 5], 'int32');
  const targets = tf.tensor2d([[2, 3, 4, 5, 6], [3, 4, 5, 6, 0]], [2, 5], 'int32');
  const mask = tf.ones([2, 5]) as tf.Tensor2D;
  const opt = tf.train.sgd(0.1);
  const before = m.getWeights();
  const losses: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < 6; i++) {
    const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(m.forward(tokens), targets, mask));
    opt.applyGradients(grads as Record<string, tf.Variable>);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads)]);
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[5], counts[1], `numTensors per step: ${counts}`);
  assert.ok(losses[5]! < losses[0]!, `loss should fall: ${losses}`);
  const after = m.getWeights();
  for (const k of Object.keys(before)) assert.notDeepEqual(after[k], before[k], `${k} did not change`);
  tf.dispose([tokens, targets, mask]);
  opt.dispose();
  m.dispose();
});
