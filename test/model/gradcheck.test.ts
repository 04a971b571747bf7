import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { openBlas } from '../../src/backend/native-kernels.js';
import { Rng } from '../../src/random.js';
import { GPT, GPTWeights, paramSpecs } from '../../src/model/gpt.js';
import { gptConfig } from '../../src/model/config.js';
import { embed, gelu, layerNorm, linear, matMul2d } from '../../src/model/layers.js';
import { maskedCrossEntropy } from '../../src/model/loss.js';

await initBackend({ quiet: true });
const rng = new Rng('gradcheck');
const rand = (shape: number[], std = 1) => tf.tensor(rng.normals(shape.reduce((a, b) => a * b, 1), std), shape);

function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string): void {
  const x = a.dataSync(), y = b.dataSync();
  assert.equal(x.length, y.length, what);
  for (let i = 0; i < x.length; i++)
    assert.ok(Math.abs(x[i]! - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

// Each hand-written gradient against tfjs autodiff of the textbook formula, under a random cotangent, on plain wasm
// (the tfjs compositions) and on blas (native matmuls and fused LayerNorm / GELU) where it is available.
const layerBackends = ['wasm', ...(typeof openBlas() === 'string' ? [] : ['blas'])];
for (const backend of layerBackends)
test(`hand-written layer gradients match autodiff of the plain formulas (${backend})`, async () => {
  await initBackend({ backend, quiet: true });
  tf.tidy(() => {
    const x = rand([5, 4]), w = rand([4, 3]), b = rand([3]), g = rand([4]), bb = rand([4]);
    const c3 = rand([5, 3]), c4 = rand([5, 4]);
    const wWide = rand([4, 6]), bWide = rand([6]), c6 = rand([5, 6]); // O > I: the other weight-gradient branch
    const pairs: Array<[string, (...a: tf.Tensor[]) => tf.Tensor, (...a: tf.Tensor[]) => tf.Tensor, tf.Tensor[], tf.Tensor]> = [
      ['linear', (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!), [x, w, b], c3],
      ['linear (wide)', (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!), [x, wWide, bWide], c6],
      ['matMul2d', (x, w) => matMul2d(x as tf.Tensor2D, w as tf.Tensor2D), (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), [x, w], c3],
      ['layerNorm', (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D),
        (x, g, b) => { const { mean, variance } = tf.moments(x!, 1, true); return tf.add(tf.mul(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-5))), g!), b!); }, [x, g, bb], c4],
      ['gelu', (x) => gelu(x!), (x) => tf.mul(tf.mul(0.5, x!), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x!, tf.mul(0.044715, tf.pow(x!, 3))))))), [x], c4],
    ];
    for (const [name, mine, ref, inputs, cot] of pairs) {
      close(mine(...inputs), ref(...inputs), 1e-5, `${name} value`);
      const gm = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(mine(...a), cot)))(inputs);
      const gr = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(ref(...a), cot)))(inputs);
      gm.forEach((t, i) => close(t, gr[i]!, 1e-4, `${name} grad ${i}`));
    }
    // embedding: d(wte) of onehot @ wte is the per-token sum of the cotangent rows
    const wte = rand([6, 3]);
    const toks = tf.tensor1d([1, 4, 1, 0, 5], 'int32');
    const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(embed(toks, w as tf.Tensor2D), c3)))(wte);
    close(embed(toks, wte as tf.Tensor2D), tf.gather(wte, toks), 1e-6, 'embed value');
    const want = new Float32Array(18);
    const cd = c3.dataSync();
    [1, 4, 1, 0, 5].forEach((t, r) => { for (let j = 0; j < 3; j++) want[t * 3 + j]! += cd[r * 3 + j]!; });
    close(dw, tf.tensor(want, [6, 3]), 1e-5, 'embed grad');
  });
  await initBackend({ quiet: true, backend: layerBackends.at(-1)! });
});

// The whole model against central finite differences (float32: a few coordinates, relative tolerance).
test('model gradient matches finite differences on a tiny GPT', () => {
  const cfg = gptConfig({ vocabSize: 5, contextLength: 4, dModel: 8, nHeads: 2, nLayers: 1, mlpRatio: 2 });
  // std 0.3 weights (not 0.02) so every gradient is well above float32 noise
  const init = new Rng('fd');
  const w: GPTWeights = {};
  for (const s of paramSpecs(cfg)) w[s.name] = init.normals(s.shape.reduce((a, b) => a * b, 1), 0.3);
  const m = GPT.fromWeights(cfg, w);
  const tokens = tf.tensor2d([[1, 3, 2, 4], [0, 2, 2, 1]], [2, 4], 'int32');
  const targets = tf.tensor2d([[3, 2, 4, 0], [2, 2, 1, 3]], [2, 4], 'int32');
  const mask = tf.tensor2d([[0, 1, 1, 1], [1, 1, 0, 1]]);
  const loss = () => maskedCrossEntropy(m.forward(tokens), targets, mask);
  const { grads } = tf.variableGrads(loss);
  const eps = 1e-2;
  let checked = 0;
  for (const name of ['wte', 'wpe', 'h0.ln1.g', 'h0.attn.wq', 'h0.attn.wk', 'h0.attn.wv', 'h0.attn.wo', 'h0.mlp.w1', 'h0.mlp.b2', 'lnf.b', 'head']) {
    const g = grads[m.params[name]!.name]!.dataSync(); // variableGrads keys by variable name
    const base = w[name]!;
    for (const i of [0, Math.floor(base.length / 2), base.length - 1]) {
      const at = (d: number) => {
        const v = Float32Array.from(base);
        v[i]! += d;
        m.setWeights({ ...w, [name]: v });
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      assert.ok(Math.abs(fd - g[i]!) <= 2e-3 + 0.05 * Math.abs(fd), `${name}[${i}]: autodiff ${g[i]} vs fd ${fd}`);
      checked++;
    }
  }
  m.setWeights(w);
  assert.equal(checked, 33);
  tf.dispose([tokens, targets, mask, ...Object.values(grads)]);
  m.dispose();
});
