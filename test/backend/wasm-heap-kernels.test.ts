import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { heapKernelCalls } from '../../src/backend/wasm-heap-kernels.js';
import { Rng } from '../../src/random.js';

const info = await initBackend({ quiet: true });
const onWasm = info.name === 'wasm';

/** Plain-JS references on the same data. */
function transposeRef(a: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]!;
  return out;
}

test('Transpose of 2-D matrices equals the reference exactly (served by the heap kernel on wasm when sides are x4)', () => {
  const rng = new Rng('transpose');
  const before = heapKernelCalls();
  for (const [R, C] of [[4, 4], [8, 12], [260, 132], [3, 8], [6, 5]] as const) {
    const a = rng.normals(R * C, 1);
    const got = tf.tidy(() => tf.transpose(tf.tensor2d(a, [R, C])).dataSync());
    assert.deepEqual(Array.from(got), Array.from(transposeRef(a, R, C)), `[${R}, ${C}]`);
    const ints = Int32Array.from(a, (x) => Math.round(1000 * x));
    const gotI = tf.tidy(() => tf.transpose(tf.tensor2d(ints, [R, C], 'int32')).dataSync());
    assert.deepEqual(Array.from(gotI), Array.from(transposeRef(Float32Array.from(ints), R, C)), `int32 [${R}, ${C}]`);
  }
  // other permutations and ranks still work (tfjs's kernel)
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
  assert.deepEqual(tf.transpose(x, [0, 2, 1]).arraySync(), [[[1, 3], [2, 4]], [[5, 7], [6, 8]]]);
  x.dispose();
  if (onWasm) assert.equal(heapKernelCalls() - before, 6, 'the three x4 shapes, float32 and int32');
});

test('Sum over axis 0 equals a float64 reference; other axes and keepDims still right', () => {
  const rng = new Rng('colsum');
  const before = heapKernelCalls();
  for (const [R, C] of [[1, 4], [7, 8], [300, 12], [5, 6]] as const) {
    const a = rng.normals(R * C, 1);
    const want = new Float64Array(C);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) want[c] += a[r * C + c]!;
    const [got, kept] = tf.tidy(() => {
      const t = tf.tensor2d(a, [R, C]);
      return [tf.sum(t, 0).dataSync(), tf.sum(t, -2, true)];
    }) as [Float32Array, tf.Tensor];
    assert.deepEqual(kept.shape, [1, C]);
    const keptData = kept.dataSync();
    kept.dispose();
    for (let c = 0; c < C; c++) {
      assert.ok(Math.abs(got[c]! - want[c]!) < 1e-4, `[${R}, ${C}] column ${c}: ${got[c]} vs ${want[c]}`);
      assert.equal(keptData[c], got[c]);
    }
  }
  const t = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]);
  assert.deepEqual(tf.sum(t, 1).arraySync(), [10, 26]);
  assert.equal(tf.sum(t).arraySync(), 36);
  t.dispose();
  if (onWasm) assert.equal(heapKernelCalls() - before, 6, 'three x4 shapes, with and without keepDims');
});

test('column sums are bit-identical to a ones-row matmul (the form the model used before; training trajectories depend on it)', () => {
  const rng = new Rng('bits');
  for (const [R, C] of [[2560, 64], [300, 512]] as const) {
    const [a, b] = tf.tidy(() => {
      const x = tf.tensor2d(rng.normals(R * C, 1), [R, C]);
      return [tf.sum(x, 0).dataSync(), tf.matMul(tf.ones([1, R]), x).dataSync()];
    });
    if (onWasm) assert.deepEqual(Array.from(a!), Array.from(b!), `[${R}, ${C}]`);
    else for (let i = 0; i < C; i++) assert.ok(Math.abs(a![i]! - b![i]!) < 1e-3);
  }
});

test('Sum over axis 0 of a rank-3 tensor (the position embedding gradient) equals a float64 reference', () => {
  const rng = new Rng('colsum3');
  const a = rng.normals(5 * 3 * 8, 1);
  const got = tf.tidy(() => tf.sum(tf.tensor3d(a, [5, 3, 8]), 0));
  assert.deepEqual(got.shape, [3, 8]);
  const g = got.dataSync();
  got.dispose();
  for (let i = 0; i < 24; i++) {
    let want = 0;
    for (let r = 0; r < 5; r++) want += a[r * 24 + i]!;
    assert.ok(Math.abs(g[i]! - want) < 1e-5, `element ${i}`);
  }
});

test('NaN propagates through the column sum', () => {
  const got = tf.tidy(() => tf.sum(tf.tensor2d([1, NaN, 3, 4, 5, 6, 7, 8], [2, 4]), 0).arraySync()) as number[];
  assert.ok(Number.isNaN(got[1]));
  assert.deepEqual([got[0], got[2], got[3]], [6, 10, 12]);
});

test('the column-sum gradient path (bias of a linear layer) matches tfjs autodiff', () => {
  const rng = new Rng('grad');
  const x = tf.tensor2d(rng.normals(40 * 8, 1), [40, 8]);
  const w = tf.tensor2d(rng.normals(8 * 12, 1), [8, 12]);
  const b = tf.tensor1d(rng.normals(12, 1));
  const f = (bb: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(x, w), bb)));
  const g = tf.grad(f)(b).dataSync();
  // d/db sum((xw + b)^2) = 2 * column sums of (xw + b)
  const y = tf.add(tf.matMul(x, w), b).arraySync() as number[][];
  for (let c = 0; c < 12; c++) {
    const want = 2 * y.reduce((s, row) => s + row[c]!, 0);
    assert.ok(Math.abs(g[c]! - want) < 1e-3 * Math.max(1, Math.abs(want)), `column ${c}`);
  }
  tf.dispose([x, w, b]);
});
