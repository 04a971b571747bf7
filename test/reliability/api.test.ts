/**
 * Defect group 6 (issue 20): API misuse gets an error that says what is wrong, not a tfjs-internal one or silence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { gptConfig } from '../../src/model/config.js';
import { generate } from '../../src/model/generate.js';
import { GPT } from '../../src/model/gpt.js';
import { Rng } from '../../src/random.js';

await initBackend({ quiet: true });
const cfg = gptConfig({ vocabSize: 9, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 1 });

test('a disposed model says so in generate, forward and getWeights', () => {
  const model = new GPT(cfg, new Rng(0));
  model.dispose();
  assert.equal(model.isDisposed, true);
  const opts = { maxNewTokens: 2, padId: 0, eosId: 1, greedy: true };
  assert.throws(() => generate(model, [[2, 3]], opts, new Rng(1)), /^Error: generate: the model was disposed; build or load a new GPT$/);
  const tokens = tf.tensor2d([[2, 3]], [1, 2], 'int32');
  assert.throws(() => model.forward(tokens), /GPT\.forward: the model was disposed/);
  tokens.dispose();
  assert.throws(() => model.getWeights(), /GPT\.getWeights: the model was disposed/);
});

test('new GPT without an Rng or weights names what init must be', () => {
  for (const bad of [undefined, null, 7, 'seed', [1]]) {
    assert.throws(() => new GPT(cfg, bad as never), /^Error: GPT: init must be an Rng \(random weights, e\.g\. new Rng\(0\)\) or GPTWeights \(from getWeights\(\)\), got /);
  }
  const before = tf.memory().numTensors;
  assert.throws(() => new GPT(cfg, undefined as never));
  assert.equal(tf.memory().numTensors, before, 'nothing allocated for a rejected model');
});

test('new Rng accepts only a number or a string seed', () => {
  assert.throws(() => new Rng({} as never), /^Error: Rng: seed must be a number or a string, got object$/);
  assert.throws(() => new Rng(null as never), /got null/);
  assert.throws(() => new Rng([1] as never), /got an array/);
  assert.throws(() => new Rng(undefined as never), /got undefined/);
  assert.equal(new Rng('a').uniform(), new Rng('a').uniform());
});
