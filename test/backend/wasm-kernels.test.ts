import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { simdBatchMatMulCalls } from '../../src/backend/wasm-kernels.js';
import { heapKernelCalls } from '../../src/backend/wasm-heap-kernels.js';

// The SIMD BatchMatMul registered for wasm against the cpu backend's kernel, values and gradients.
const info = await initBackend({ backend: 'wasm', quiet: true }).catch(() => undefined);

type Case = { a: number[]; b: number[]; tA: boolean; tB: boolean };
const cases: Case[] = [
  { a: [6, 5, 7], b: [6, 7, 8], tA: false, tB: false }, // N multiple of 4
  { a: [6, 5, 7], b: [6, 9, 7], tA: false, tB: true }, // N = 9: padded lanes
  { a: [3, 7, 5], b: [3, 7, 12], tA: true, tB: false },
  { a: [3, 7, 5], b: [3, 6, 7], tA: true, tB: true },
  { a: [2, 3, 1, 4], b: [2, 3, 4, 5], tA: false, tB: false }, // rank 4, M = 1
  { a: [1, 4, 3], b: [1, 3, 4], tA: false, tB: false }, // batch 1: tfjs's own kernel
];

function run(backend: string, c: Case, da: Float32Array, db: Float32Array): { y: Float32Array; ga: Float32Array; gb: Float32Array } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(da, c.a), b = tf.tensor(db, c.b);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.tA, c.tB);
    const y = f(a, b);
    const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), tf.onesLike(y).mul(tf.range(0, y.size).reshape(y.shape).mod(5)))))([a, b]);
    return { y: y.dataSync() as Float32Array, ga: ga!.dataSync() as Float32Array, gb: gb!.dataSync() as Float32Array };
  });
}

/** Values and both gradients of every case on wasm equal the cpu backend's to 1e-4 (relative). */
function assertParity(cases: Case[], label: string): void {
  const rng = new Rng(label);
  for (const c of cases) {
    const da = rng.normals(c.a.reduce((x, y) => x * y, 1));
    const db = rng.normals(c.b.reduce((x, y) => x * y, 1));
    const w = run('wasm', c, da, db);
    const r = run('cpu', c, da, db);
    for (const k of ['y', 'ga', 'gb'] as const) {
      assert.equal(w[k].length, r[k].length);
      for (let i = 0; i < r[k].length; i++)
        assert.ok(Math.abs(w[k][i]! - r[k][i]!) <= 1e-4 * (1 + Math.abs(r[k][i]!)), `${JSON.stringify(c)} ${k}[${i}]: ${w[k][i]} vs ${r[k][i]}`);
    }
  }
  tf.setBackend('wasm');
}

test('wasm BatchMatMul (SIMD kernel) matches the cpu backend on values and gradients', { skip: info === undefined }, () => {
  const calls0 = simdBatchMatMulCalls();
  assertParity(cases, 'wasm-kernels');
  // The SIMD kernel served the 4 rank-3 cases x (2 forward calls + 2 gradient matmuls) and the rank-4 case's one
  // product with >= 4 rows (its M = 1 products stay on tfjs's loop, as does the batch-1 case).
  assert.equal(simdBatchMatMulCalls() - calls0, 17);
});

// N % 32 === 0: the register-blocked in-place kernel (attention's shapes: N = T or D), with strided transposeA and
// a temporary transposed B.
const inPlaceCases: Case[] = [
  { a: [6, 5, 8], b: [6, 8, 32], tA: false, tB: false },
  { a: [4, 7, 32], b: [4, 64, 32], tA: false, tB: true },
  { a: [4, 8, 5], b: [4, 8, 32], tA: true, tB: false },
  { a: [2, 3, 8, 12], b: [2, 3, 64, 12], tA: false, tB: true },
  { a: [3, 9, 4], b: [3, 64, 9], tA: true, tB: true },
];

test('wasm BatchMatMul, in-place register-blocked kernel (N % 32 = 0), matches the cpu backend on values and gradients', { skip: info === undefined }, () => {
  const calls0 = heapKernelCalls();
  assertParity(inPlaceCases, 'wasm-kernels-32');
  assert.ok(heapKernelCalls() - calls0 >= inPlaceCases.length, 'every forward product ran on the in-place kernel');
});

// 2-D products with transpose flags (the model's backward passes): explicit SIMD transposes + flag-free XNNPACK,
// including (B^T A)^T for a weight gradient whose B is wider than A, and sides that are not multiples of 4.
const flagCases: Case[] = [
  { a: [12, 8], b: [16, 8], tA: false, tB: true }, // dx = dy @ W^T
  { a: [24, 8], b: [24, 32], tA: true, tB: false }, // x^T @ dy with dy wider: (dy^T x)^T
  { a: [24, 32], b: [24, 8], tA: true, tB: false }, // x^T @ dy with x wider
  { a: [8, 12], b: [16, 8], tA: true, tB: true },
  { a: [7, 5], b: [7, 9], tA: true, tB: false }, // odd sides: tfjs's own transpose
];

test('wasm 2-D matmuls with transpose flags match the cpu backend; transposes run on the heap kernel', { skip: info === undefined }, () => {
  const calls0 = heapKernelCalls();
  assertParity(flagCases, 'wasm-kernels-flags');
  assert.ok(heapKernelCalls() - calls0 >= flagCases.length, 'the explicit transposes ran on the SIMD kernel');
});

test('Identity (clone) shares memory safely: the clone outlives its source, gradients through saved tensors are right', () => {
  const a = tf.tensor1d([1, 2, 3, 4]);
  const b = tf.clone(a);
  a.dispose();
  assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3, 4]);
  b.dispose();
  const before = tf.memory().numTensors;
  const x = tf.tensor1d([0.5, -2, 3]);
  // d/dx sum(x * exp(x)) = exp(x) (1 + x): exp's gradient uses its saved output
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.exp(t))))(x);
  const xs = [0.5, -2, 3];
  Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - Math.exp(xs[i]!) * (1 + xs[i]!)) < 1e-4));
  tf.dispose([x, g]);
  assert.equal(tf.memory().numTensors, before);
});
