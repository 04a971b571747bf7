import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { AdamW, assignWeights, configDiff, loadCheckpoint, saveCheckpoint } from '../../src/train/index.js';

await initBackend({ quiet: true });

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlrepro-ck-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function params() {
  return {
    'h0.w': tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3])),
    'h0.b': tf.variable(tf.tensor1d([-1, 0.5, 1e-7])),
  };
}
const CONFIG = { vocabSize: 12, dModel: 8, nLayers: 1 };

test(
  'checkpoint round-trip: weights, config, tokenizer, meta, optimizer state',
  withDir((dir) => {
    const p = params();
    const opt = new AdamW({ lr: 0.1 });
    tf.tidy(() => opt.applyGradients(p, { 'h0.w': tf.ones([2, 3]), 'h0.b': tf.ones([3]) }));
    const tokenizer = { chars: '0123456789+=', specials: ['<pad>'] };
    const ck = join(dir, 'run', 'ck');
    saveCheckpoint(ck, { params: p, modelConfig: CONFIG, tokenizer, meta: { step: 1, note: 'x' }, optimizer: opt.getState() });
    const loaded = loadCheckpoint(ck, { expectedConfig: CONFIG });
    assert.deepEqual(Object.keys(loaded.weights), ['h0.w', 'h0.b']);
    assert.deepEqual(loaded.weights['h0.w']!.shape, [2, 3]);
    assert.deepEqual(Array.from(loaded.weights['h0.b']!.data), Array.from(p['h0.b'].dataSync()));
    assert.deepEqual(loaded.modelConfig, CONFIG);
    assert.deepEqual(loaded.tokenizer, tokenizer);
    assert.deepEqual(loaded.meta, { step: 1, note: 'x' });
    assert.equal(loaded.optimizer?.step, 1);
    assert.deepEqual(Array.from(loaded.optimizer!.slots['v']!['h0.w']!.data), Array.from(opt.getState().slots['v']!['h0.w']!.data));
    // Into fresh variables:
    const q = { 'h0.w': tf.variable(tf.zeros([2, 3])), 'h0.b': tf.variable(tf.zeros([3])) };
    assignWeights(q, loaded.weights);
    assert.deepEqual(Array.from(q['h0.w'].dataSync()), Array.from(p['h0.w'].dataSync()));
    // Saving again replaces the checkpoint and leaves no temporary directories behind.
    saveCheckpoint(ck, { params: q, modelConfig: CONFIG });
    assert.equal(loadCheckpoint(ck).optimizer, undefined);
    assert.deepEqual(readdirSync(join(dir, 'run')), ['ck']);
    opt.dispose();
    [...Object.values(p), ...Object.values(q)].forEach((v) => v.dispose());
  }),
);

test(
  'loading: missing directory, config mismatch, truncated or corrupt weights are clear errors',
  withDir((dir) => {
    assert.throws(() => loadCheckpoint(join(dir, 'absent')), new RegExp(`checkpoint directory not found: ${join(dir, 'absent')}`));
    const p = params();
    const ck = join(dir, 'ck');
    saveCheckpoint(ck, { params: p, modelConfig: CONFIG });
    assert.throws(
      () => loadCheckpoint(ck, { expectedConfig: { ...CONFIG, dModel: 16, nHeads: 2 } }),
      /model config does not match the expected one: dModel: expected 16, found 8; nHeads: expected 2, found nothing/,
    );
    const bin = join(ck, 'weights.bin');
    const bytes = readFileSync(bin);
    writeFileSync(bin, bytes.subarray(0, bytes.length - 4));
    assert.throws(() => loadCheckpoint(ck), /weights.bin: 32 bytes but the index says 36 \(truncated/);
    const flipped = Buffer.from(bytes);
    flipped[5] = flipped[5]! ^ 0xff;
    writeFileSync(bin, flipped);
    assert.throws(() => loadCheckpoint(ck), /weights.bin: sha256 [0-9a-f]+ does not match the index .* corrupt/);
    rmSync(join(ck, 'config.json'));
    assert.throws(() => loadCheckpoint(ck), /checkpoint file missing: .*config.json/);
    assert.ok(existsSync(bin));
    Object.values(p).forEach((v) => v.dispose());
  }),
);

test('assignWeights names missing, unexpected and mis-shaped parameters', () => {
  const p = params();
  const w = { 'h0.w': { shape: [3, 2], data: new Float32Array(6) }, extra: { shape: [1], data: new Float32Array(1) } };
  assert.throws(() => assignWeights(p, w), /missing "h0.b"; unexpected "extra"; "h0.w" has shape \[3,2\] in the checkpoint but \[2,3\]/);
  Object.values(p).forEach((v) => v.dispose());
});

test('configDiff lists dotted paths of nested differences', () => {
  assert.deepEqual(configDiff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } }), ['b.c: expected [1,2], found [1,3]']);
  assert.deepEqual(configDiff({ a: 1 }, { a: 1 }), []);
});
