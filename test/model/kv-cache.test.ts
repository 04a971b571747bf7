import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { gptConfig } from '../../src/model/config.js';
import { KVCache } from '../../src/model/kv-cache.js';
import { Rng } from '../../src/random.js';

await initBackend({ quiet: true });

/** Straightforward tfjs attention of query slot t over key slots [start[b], t]: [B, C]. */
function reference(q: number[][], ks: number[][][], vs: number[][][], start: Int32Array, t: number, H: number): Float32Array {
  const B = start.length;
  const C = q[0]!.length;
  const D = C / H;
  return tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (let b = 0; b < B; b++) {
      const heads: tf.Tensor[] = [];
      for (let h = 0; h < H; h++) {
        const sl = (x: number[]) => x.slice(h * D, h * D + D);
        const qh = tf.tensor2d([sl(q[b]!)]); // [1, D]
        const kh = tf.tensor2d(ks[b]!.slice(start[b]!, t + 1).map(sl)); // [n, D]
        const vh = tf.tensor2d(vs[b]!.slice(start[b]!, t + 1).map(sl));
        const w = tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(D)));
        heads.push(tf.matMul(w, vh)); // [1, D]
      }
      rows.push(tf.concat(heads, 1));
    }
    return tf.concat(rows, 0).dataSync() as Float32Array;
  });
}

for (const [label, dModel, nHeads] of [['D = 4', 8, 2], ['D = 3 (not whole lanes)', 6, 2], ['D = 32', 128, 4]] as const) {
  test(`attend equals straightforward tfjs attention, SIMD and JS paths (${label}, left padding)`, () => {
    const cfg = gptConfig({ vocabSize: 8, contextLength: 10, dModel, nHeads, nLayers: 2 });
    const B = 3;
    const W = 9;
    const T = 4; // prompt slots loaded at once
    const start = Int32Array.from([0, 2, 3]);
    const rng = new Rng(label);
    const C = dModel;
    const D = C / nHeads;
    const ks = Array.from({ length: B }, () => Array.from({ length: W }, () => Array.from(rng.normals(C, 1))));
    const vs = Array.from({ length: B }, () => Array.from({ length: W }, () => Array.from(rng.normals(C, 1))));
    for (const forceJs of [false, true]) {
      const cache = new KVCache(cfg, B, W, start, { forceJs });
      assert.equal(cache.simd, !forceJs);
      // load slots [0, T) as [B*H, T, D]
      const k = new Float32Array(B * nHeads * T * D);
      const v = new Float32Array(B * nHeads * T * D);
      for (let b = 0; b < B; b++)
        for (let h = 0; h < nHeads; h++)
          for (let t = 0; t < T; t++)
            for (let d = 0; d < D; d++) {
              k[((b * nHeads + h) * T + t) * D + d] = ks[b]![t]![h * D + d]!;
              v[((b * nHeads + h) * T + t) * D + d] = vs[b]![t]![h * D + d]!;
            }
      cache.load(1, k, v, T);
      for (let t = T; t < W; t++) {
        const q = Array.from({ length: B }, () => Array.from(rng.normals(C, 1)));
        const qkv = new Float32Array(B * 3 * C);
        for (let b = 0; b < B; b++) qkv.set([...q[b]!, ...ks[b]![t]!, ...vs[b]![t]!], b * 3 * C);
        const got = cache.attend(1, t, qkv, 1 / Math.sqrt(D));
        const want = reference(q, ks, vs, start, t, nHeads);
        for (let i = 0; i < want.length; i++)
          assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `${forceJs ? 'js' : 'simd'} slot ${t} [${i}]: ${got[i]} vs ${want[i]}`);
      }
    }
  });
}

test('bad sizes are errors naming the field', () => {
  const cfg = gptConfig({ vocabSize: 8, contextLength: 10, dModel: 8, nHeads: 2, nLayers: 1 });
  assert.throws(() => new KVCache(cfg, 2, 11, new Int32Array(2)), /width must be an integer in \[1, contextLength=10\]/);
  assert.throws(() => new KVCache(cfg, 2, 5, new Int32Array(3)), /start has 3 entries, expected batch=2/);
  assert.throws(() => new KVCache(cfg, 1, 5, Int32Array.from([5])), /start\[0\] = 5 is not in \[0, 5\)/);
  const c = new KVCache(cfg, 1, 5, new Int32Array(1));
  assert.throws(() => c.attend(0, 5, new Float32Array(24), 1), /slot must be in \[0, 5\)/);
  assert.throws(() => c.attend(0, 1, new Float32Array(23), 1), /qkv must be \[1, 24\]/);
  const padded = new KVCache(cfg, 1, 5, Int32Array.from([3]));
  assert.throws(() => padded.attend(0, 2, new Float32Array(24), 1), /slot 2 is before row 0's first slot 3/);
});
