import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gptConfig, GPT_DEFAULTS, REFERENCE_CONFIG } from '../../src/model/config.js';

test('gptConfig fills documented defaults and keeps given fields', () => {
  assert.deepEqual(gptConfig({ vocabSize: 10 }), { vocabSize: 10, ...GPT_DEFAULTS });
  assert.equal(gptConfig({ vocabSize: 10, nLayers: 3 }).nLayers, 3);
  assert.deepEqual(REFERENCE_CONFIG, { vocabSize: 32, contextLength: 64, dModel: 128, nHeads: 4, nLayers: 2, mlpRatio: 4 });
});

test('gptConfig rejects an unknown key, naming it and listing the valid keys', () => {
  assert.throws(() => gptConfig({ vocabSize: 10, nLayer: 2 }), /unknown key "nLayer"; valid keys are vocabSize, contextLength, dModel, nHeads, nLayers, mlpRatio/);
});

test('gptConfig rejects missing vocabSize and non-positive or non-integer sizes, naming the field', () => {
  assert.throws(() => gptConfig({}), /vocabSize is required/);
  assert.throws(() => gptConfig({ vocabSize: 0 }), /vocabSize must be a positive integer, got 0/);
  assert.throws(() => gptConfig({ vocabSize: 10, dModel: -8 }), /dModel must be a positive integer/);
  assert.throws(() => gptConfig({ vocabSize: 10, nHeads: 1.5 }), /nHeads must be a positive integer/);
  assert.throws(() => gptConfig({ vocabSize: 10, contextLength: '64' }), /contextLength must be a positive integer/);
  assert.throws(() => gptConfig(null), /expected an object/);
});

test('gptConfig rejects dModel not divisible by nHeads', () => {
  assert.throws(() => gptConfig({ vocabSize: 10, dModel: 30, nHeads: 4 }), /dModel \(30\) must be divisible by nHeads \(4\)/);
});
