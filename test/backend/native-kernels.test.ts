/**
 * The `blas` backend: tfjs-wasm with BatchMatMul / _FusedMatMul on a native BLAS (src/backend/native-kernels.ts).
 * Values and gradients against the pure-JS cpu backend, a short training run against plain wasm, and the fallback.
 * CI installs OpenBLAS (.ci/install-system-deps.sh), so there a missing BLAS fails instead of skipping: CI must
 * exercise both the native path (here and every test that uses the default backend) and the wasm one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { blasKernelCalls, blasKernelsEnabled, nativeGelu, nativeLayerNorm, openBlas } from '../../src/backend/native-kernels.js';
import { gelu, layerNorm } from '../../src/model/layers.js';
import { Rng } from '../../src/random.js';
import { GPT, gptConfig } from '../../src/model/index.js';
import { AdditionTask, Tokenizer, makeBatch, trainExamples } from '../../src/tasks/index.js';
import { languageModelLoss, train } from '../../src/train/index.js';

const lib = openBlas();
const missing = typeof lib === 'string' ? lib : undefined;
const skip = missing !== undefined && !process.env['CI'] ? `no native BLAS here: ${missing}` : false;

test('CI has the native BLAS (the blas path must run there)', { skip: !process.env['CI'] }, () => {
  assert.equal(missing, undefined, `CI must build the addon (npm ci) and install OpenBLAS (npm run setup-test): ${missing}`);
});

type Case = { a: number[]; b: number[]; tA: boolean; tB: boolean; bias?: number; valuesOnly?: boolean };
const cases: Case[] = [
  { a: [5, 7], b: [7, 3], tA: false, tB: false }, // 2-D
  { a: [7, 5], b: [3, 7], tA: true, tB: true },
  { a: [6, 5, 7], b: [6, 7, 8], tA: false, tB: false },
  { a: [3, 7, 5], b: [3, 6, 7], tA: true, tB: true },
  { a: [2, 3, 1, 4], b: [2, 3, 4, 5], tA: false, tB: false }, // rank 4, one-row products (decode steps)
  // One matrix shared by every batch entry (tfjs's own matMul gradient does not support this broadcast).
  { a: [4, 5, 6], b: [6, 3], tA: false, tB: false, valuesOnly: true },
  { a: [9, 16], b: [16, 12], tA: false, tB: false, bias: 12 }, // fused matmul with bias (the linear layer)
  { a: [16, 9], b: [12, 16], tA: true, tB: true, bias: 12 },
];

function run(backend: string, c: Case, da: Float32Array, db: Float32Array, dbias: Float32Array): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(da, c.a);
    const b = tf.tensor(db, c.b);
    const bias = tf.tensor1d(dbias);
    const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
      c.bias ? tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, transposeA: c.tA, transposeB: c.tB, bias: z }) : tf.matMul(x, y, c.tA, c.tB);
    const y = f(a, b, bias);
    const weights = tf.range(0, y.size).reshape(y.shape).mod(5); // a non-uniform upstream gradient
    const loss = (...v: tf.Tensor[]) => tf.sum(tf.mul(f(v[0]!, v[1]!, v[2] ?? bias), weights));
    const grads = c.valuesOnly ? [] : tf.grads(loss)(c.bias ? [a, b, bias] : [a, b]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

test('blas matmuls match the cpu backend on values and gradients', { skip }, async () => {
  await initBackend({ backend: 'blas', quiet: true });
  assert.ok(blasKernelsEnabled());
  const rng = new Rng('blas-kernels');
  const calls0 = blasKernelCalls();
  for (const c of cases) {
    const da = rng.normals(c.a.reduce((x, y) => x * y, 1));
    const db = rng.normals(c.b.reduce((x, y) => x * y, 1));
    const dbias = rng.normals(c.bias ?? 1);
    const got = run('wasm', c, da, db, dbias);
    const ref = run('cpu', c, da, db, dbias);
    got.forEach((g, k) => {
      assert.equal(g.length, ref[k]!.length);
      for (let i = 0; i < g.length; i++)
        assert.ok(Math.abs(g[i]! - ref[k]![i]!) <= 1e-4 * (1 + Math.abs(ref[k]![i]!)), `${JSON.stringify(c)} output ${k}[${i}]: ${g[i]} vs ${ref[k]![i]}`);
    });
  }
  tf.setBackend('wasm');
  const products = cases.reduce((n, c) => n + (c.valuesOnly ? 1 : 3), 0);
  assert.ok(blasKernelCalls() - calls0 >= products, 'every forward and gradient matmul ran on the BLAS');
});

test('fused LayerNorm and GELU equal the tfjs compositions (cpu) on values and gradients, over a wide range', { skip }, async () => {
  await initBackend({ backend: 'blas', quiet: true });
  const rng = new Rng('fused');
  // GELU's inputs span the clamp of its exp (|2u| > 87 at |x| > ~11) and a large-magnitude tail.
  const xs = Float32Array.from({ length: 4096 }, (_, i) => (i < 2048 ? -30 + (60 * i) / 2047 : 3 * rng.normal()));
  const ln = { x: rng.normals(64 * 48, 2), g: rng.normals(48), b: rng.normals(48), cot: rng.normals(64 * 48) };
  const both = (backend: string) => {
    tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const cot = tf.tensor1d(xs.map((_, i) => Math.cos(i)));
      const gy = gelu(x);
      const gdx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), cot)))(x);
      const lx = tf.tensor2d(ln.x, [64, 48]);
      const [g, b, lcot] = [tf.tensor1d(ln.g), tf.tensor1d(ln.b), tf.tensor2d(ln.cot, [64, 48])];
      const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, c as tf.Tensor1D, d as tf.Tensor1D), lcot));
      const lgrads = tf.grads(f)([lx, g, b]);
      return [gy, gdx, layerNorm(lx, g, b), ...lgrads].map((t) => t.dataSync() as Float32Array);
    });
  };
  const fusedBefore = tf.tidy(() => nativeGelu(tf.zeros([4])) !== null && nativeLayerNorm(tf.zeros([2, 4]), tf.ones([4]), tf.zeros([4]), 1e-5) !== null);
  assert.ok(fusedBefore, 'the fused kernels serve float32 calls on blas');
  const got = both('wasm');
  const ref = both('cpu');
  const names = ['gelu', 'gelu grad', 'layerNorm', 'layerNorm dx', 'layerNorm dg', 'layerNorm db'];
  got.forEach((g, k) => {
    for (let i = 0; i < g.length; i++)
      assert.ok(Math.abs(g[i]! - ref[k]![i]!) <= 2e-5 * (1 + Math.abs(ref[k]![i]!)), `${names[k]}[${i}]: ${g[i]} vs ${ref[k]![i]}`);
  });
  tf.setBackend('wasm');
  const n0 = tf.memory().numTensors;
  both('wasm');
  tf.setBackend('wasm');
  assert.equal(tf.memory().numTensors, n0, 'the fused kernels leak no tensors');
});

test('training on blas follows plain wasm to rounding, and switching backends turns the BLAS off', { skip }, async () => {
  const lossCurve = async (backend: string): Promise<number[]> => {
    await initBackend({ backend, quiet: true });
    const task = new AdditionTask({ digits: 2 });
    const tokenizer = Tokenizer.forTasks([task]);
    const model = new GPT(gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 16, dModel: 32, nHeads: 4, nLayers: 2 }), new Rng(0).fork('init'));
    const res = await train({
      model,
      loss: languageModelLoss(model),
      batches: (_s, r) => makeBatch(tokenizer, trainExamples(task, r, 64), 10),
      config: { steps: 8, lr: 1e-3, warmupSteps: 0, seed: 3 },
      onProgress: false,
    });
    model.dispose();
    return res.history.loss;
  };
  const before = blasKernelCalls();
  const wasm = await lossCurve('wasm');
  assert.equal(blasKernelCalls(), before, 'plain wasm made no BLAS calls');
  const blas = await lossCurve('blas');
  assert.ok(blasKernelCalls() > before, 'blas made BLAS calls');
  assert.equal(blas.length, 8);
  blas.forEach((l, i) => assert.ok(Math.abs(l - wasm[i]!) < 1e-4 * Math.abs(wasm[i]!), `step ${i}: blas ${l} vs wasm ${wasm[i]}`));
});

test('a BLAS that cannot be opened: forcing blas is an error that says why; the default falls back to wasm', () => {
  const indexJs = fileURLToPath(new URL('../../src/backend/index.js', import.meta.url));
  const script = `import(${JSON.stringify(indexJs)}).then(async m => console.log((await m.initBackend()).name))`;
  const env = (backend?: string) => ({ ...process.env, RLREPRO_BLAS_LIB: '/nonexistent/libnoblas.so', RLREPRO_BACKEND: backend, RLREPRO_QUIET: undefined });
  const forced = spawnSync(process.execPath, ['-e', script], { env: env('blas'), encoding: 'utf8' });
  assert.notEqual(forced.status, 0);
  assert.match(forced.stderr, /backend "blas": .*(no BLAS library could be opened.*libnoblas|addon is not built)/);
  const fallback = spawnSync(process.execPath, ['-e', script], { env: env(undefined), encoding: 'utf8' });
  assert.equal(fallback.status, 0, fallback.stderr);
  assert.equal(fallback.stdout.trim(), 'wasm');
  assert.match(fallback.stderr, /rlrepro: tfjs backend wasm \(1 thread\(s\) per engine; native BLAS not used: /);
});
