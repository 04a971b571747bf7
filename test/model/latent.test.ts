import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, GPTWeights, paramSpecs } from '../../src/model/gpt.js';
import { gptConfig, type GPTConfig } from '../../src/model/config.js';
import { LatentGPT, type ThoughtLayout } from '../../src/model/latent.js';
import { maskedCrossEntropy } from '../../src/model/loss.js';
import { AdamW } from '../../src/train/adamw.js';
import { trainStep } from '../../src/train/step.js';

await initBackend({ quiet: true });

/** A GPT with std `std` weights (0.5: peaked, varied outputs; 0.3 for finite differences above float32 noise). */
function model(cfg: GPTConfig, seed: string, std: number): GPT {
  const r = new Rng(seed);
  const w: GPTWeights = {};
  for (const s of paramSpecs(cfg)) w[s.name] = r.normals(s.shape.reduce((a, b) => a * b, 1), std);
  return GPT.fromWeights(cfg, w);
}

const cfg = gptConfig({ vocabSize: 9, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 2, mlpRatio: 2 });
const layout = (start: number[], steps: number[]): ThoughtLayout => ({ start: Int32Array.from(start), steps: Int32Array.from(steps) });
const tokens = () => tf.tensor2d([[1, 3, 4, 5, 6, 7, 3, 2, 0, 0], [1, 6, 6, 2, 3, 4, 8, 8, 5, 0], [1, 4, 2, 2, 7, 7, 6, 5, 4, 3]], [3, 10], 'int32');

test('with no thoughts the latent and pause models equal the plain GPT exactly (logits and loss)', () => {
  const gpt = model(cfg, 'plain', 0.5);
  const latent = new LatentGPT(gpt, { mode: 'latent' });
  const pause = new LatentGPT(gpt, { mode: 'pause', maxSteps: 3 }, new Rng('pause'));
  const t = tokens();
  const targets = tf.tensor2d(Array.from({ length: 30 }, (_, i) => (i * 7) % 9), [3, 10], 'int32');
  const mask = tf.tensor2d(Array.from({ length: 30 }, (_, i) => (i % 10 >= 4 ? 1 : 0)), [3, 10]);
  const none = layout([3, 2, 5], [0, 0, 0]);
  tf.tidy(() => {
    const want = gpt.forward(t);
    for (const m of [latent, pause]) {
      assert.deepEqual(m.forward(t, none).dataSync(), want.dataSync(), `${m.mode} logits`);
      assert.equal(maskedCrossEntropy(m.forward(t, none), targets, mask).dataSync()[0], maskedCrossEntropy(want, targets, mask).dataSync()[0]);
    }
    // In a batch where other rows think, a row without thoughts, and every slot before a row's first thought, are
    // still exactly the plain model's (causality; the thought terms add exact zeros there).
    const mixed = layout([3, 2, 5], [0, 2, 3]);
    for (const m of [latent, pause]) {
      const got = m.forward(t, mixed).arraySync() as number[][][];
      const ref = want.arraySync() as number[][][];
      assert.deepEqual(got[0], ref[0], `${m.mode}: row without thoughts`);
      assert.deepEqual(got[1]!.slice(0, 2), ref[1]!.slice(0, 2), `${m.mode}: slots before the thoughts`);
      assert.notDeepEqual(got[1]![2], ref[1]![2], `${m.mode}: a thought slot differs from the token it replaces`);
    }
  });
  tf.dispose([t, targets, mask]);
  pause.dispose();
  gpt.dispose();
});

// Central finite differences through the unrolled latent chain (float32: a few coordinates, relative tolerance).
test('gradients through the latent chain (and of the pause embeddings) match finite differences', () => {
  const tiny = gptConfig({ vocabSize: 5, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 2, mlpRatio: 2 });
  const base: GPTWeights = {};
  const init = new Rng('fd-latent');
  for (const s of paramSpecs(tiny)) base[s.name] = init.normals(s.shape.reduce((a, b) => a * b, 1), 0.3);
  const gpt = GPT.fromWeights(tiny, base);
  const t = tf.tensor2d([[1, 3, 0, 0, 0, 2, 4, 0], [1, 2, 4, 0, 0, 3, 1, 2]], [2, 8], 'int32');
  const targets = tf.tensor2d([[3, 0, 0, 0, 2, 4, 0, 0], [2, 4, 0, 0, 3, 1, 2, 0]], [2, 8], 'int32');
  // Loss only on the completion after the thoughts, so every gradient into the thoughts is backpropagation through them.
  const mask = tf.tensor2d([[0, 0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1, 1, 0]]);
  const l = layout([2, 3], [3, 2]); // row 0: thoughts at 2,3,4; row 1: at 3,4
  for (const mode of ['latent', 'pause'] as const) {
    gpt.setWeights(base);
    const m = new LatentGPT(gpt, mode === 'latent' ? { mode } : { mode, maxSteps: 3 }, new Rng('fd-pause'));
    if (mode === 'pause') tf.tidy(() => m.params['pause']!.assign(tf.mul(m.params['pause']!, 15))); // std 0.3 like the rest
    const pause0 = m.params['pause'] ? (m.params['pause'].dataSync() as Float32Array) : undefined;
    const loss = () => maskedCrossEntropy(m.forward(t, l), targets, mask);
    const { grads } = tf.variableGrads(loss, Object.values(m.params));
    const eps = 1e-2;
    let checked = 0;
    const names = ['wte', 'wpe', 'h0.attn.wq', 'h0.attn.wv', 'h0.mlp.w1', 'h1.attn.wk', 'h1.mlp.w2', 'lnf.g', 'lnf.b', 'head'];
    if (mode === 'pause') names.push('pause');
    for (const name of names) {
      const g = grads[m.params[name]!.name]!.dataSync();
      const w0 = name === 'pause' ? pause0! : base[name]!;
      for (const i of [0, Math.floor(w0.length / 3), Math.floor((2 * w0.length) / 3), w0.length - 1]) {
        const at = (d: number) => {
          const v = Float32Array.from(w0);
          v[i]! += d;
          if (name === 'pause') tf.tidy(() => m.params['pause']!.assign(tf.tensor2d(v, m.params['pause']!.shape as [number, number])));
          else gpt.setWeights({ ...base, [name]: v });
          return tf.tidy(() => loss().dataSync()[0]!);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        assert.ok(Math.abs(fd - g[i]!) <= 2e-3 + 0.05 * Math.abs(fd), `${mode} ${name}[${i}]: autodiff ${g[i]} vs fd ${fd}`);
        checked++;
      }
      if (name === 'pause') tf.tidy(() => m.params['pause']!.assign(tf.tensor2d(w0, m.params['pause']!.shape as [number, number])));
      else gpt.setWeights(base);
    }
    assert.equal(checked, 4 * names.length);
    tf.dispose(Object.values(grads));
    m.dispose();
  }
  tf.dispose([t, targets, mask]);
  gpt.dispose();
});

test('training steps through the latent chain keep tf.memory().numTensors flat, change the weights and lower the loss', () => {
  for (const mode of ['latent', 'pause'] as const) {
    const gpt = new GPT(cfg, new Rng('train'));
    const m = new LatentGPT(gpt, mode === 'latent' ? { mode } : { mode, maxSteps: 3 }, new Rng('pause'));
    const t = tokens();
    const targets = tf.tensor2d([[3, 0, 0, 0, 6, 7, 2, 0, 0, 0], [6, 6, 0, 0, 0, 8, 5, 2, 0, 0], [4, 2, 0, 0, 0, 6, 5, 4, 3, 2]], [3, 10], 'int32');
    const mask = tf.tensor2d([[0, 0, 0, 0, 1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]]);
    const l = layout([2, 3, 2], [2, 2, 3]);
    const opt = new AdamW({ lr: 1e-2, weightDecay: 0 });
    const before = Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, v.dataSync().slice()]));
    const losses: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      losses.push(trainStep(m.params, () => maskedCrossEntropy(m.forward(t, l), targets, mask), opt).loss);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(counts[5], counts[1], `${mode}: numTensors per step ${counts}`);
    assert.ok(losses[5]! < losses[0]!, `${mode}: loss should fall: ${losses}`);
    for (const [k, v] of Object.entries(m.params)) assert.notDeepEqual(v.dataSync(), before[k], `${mode}: ${k} did not change`);
    opt.dispose();
    tf.dispose([t, targets, mask]);
    m.dispose();
    gpt.dispose();
  }
});

test('KV-cached inference with k thoughts gives the training forward\'s answer distribution and greedy tokens', () => {
  const gpt = model(cfg, 'infer', 0.5);
  const prompts = [[1, 2, 3], [1, 4], [1, 5, 6, 7, 8], [1, 2, 2]];
  const M = 5;
  for (const [mode, k] of [['latent', 3], ['latent', 1], ['pause', 3]] as const) {
    const m = new LatentGPT(gpt, mode === 'latent' ? { mode } : { mode, maxSteps: 3 }, new Rng('pause'));
    const g = m.generate(prompts, k, { maxNewTokens: M, padId: 0, greedy: true }, new Rng(0));
    assert.equal(g.width, 5 + M, 'output rows hold prompt and completion only');
    // Teacher-force the same rows: prompt, k thought slots (PAD), the generated completion.
    const T = 5 + k + M - 1;
    const rows = new Int32Array(prompts.length * T);
    prompts.forEach((p, b) => {
      rows.set(p, b * T);
      rows.set(g.tokens.subarray(b * g.width + p.length, b * g.width + p.length + M - 1), b * T + p.length + k);
    });
    const start = prompts.map((p) => p.length);
    const logits = tf.tidy(() => tf.logSoftmax(m.forward(tf.tensor2d(rows, [prompts.length, T], 'int32'), layout(start, start.map(() => k)))));
    const lp = logits.arraySync() as number[][][];
    logits.dispose();
    prompts.forEach((p, b) => {
      for (let s = 0; s < M; s++) {
        const at = lp[b]![p.length + k - 1 + s]!; // the slot predicting completion token s
        const tok = g.tokens[b * g.width + p.length + s]!;
        assert.equal(tok, at.indexOf(Math.max(...at)), `${mode} k=${k} row ${b} token ${s}: greedy = argmax`);
        assert.ok(Math.abs(g.logProbs[b * M + s]! - at[tok]!) < 1e-4, `${mode} k=${k} row ${b} token ${s}: ${g.logProbs[b * M + s]} vs ${at[tok]}`);
        const ent = -at.reduce((a, x) => a + Math.exp(x) * x, 0);
        assert.ok(Math.abs(g.entropies[b * M + s]! - ent) < 1e-4, `${mode} k=${k} row ${b} token ${s}: entropy`);
      }
    });
    m.dispose();
  }
  gpt.dispose();
});

test('repeated generation with thoughts keeps tf.memory().numTensors flat (both modes)', () => {
  const gpt = model(cfg, 'gen-mem', 0.5);
  for (const m of [new LatentGPT(gpt, { mode: 'latent' }), new LatentGPT(gpt, { mode: 'pause', maxSteps: 3 }, new Rng('p'))]) {
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      m.generate([[1, 2, 3], [1, 4]], 3, { maxNewTokens: 4, padId: 0, temperature: 0.8 }, new Rng(i));
      counts.push(tf.memory().numTensors);
    }
    assert.equal(counts[3], counts[0], `${m.mode}: numTensors ${counts}`);
    m.dispose();
  }
  gpt.dispose();
});

test('thoughtStates are the final hidden states at the thought slots (the head of them gives forward\'s logits there)', () => {
  const gpt = model(cfg, 'states', 0.5);
  for (const m of [new LatentGPT(gpt, { mode: 'latent' }), new LatentGPT(gpt, { mode: 'pause', maxSteps: 3 }, new Rng('p'))]) {
    const t = tokens();
    const l = layout([2, 3, 4], [3, 1, 2]);
    tf.tidy(() => {
      const states = m.thoughtStates(t, l); // [3, 3, C]
      assert.deepEqual(states.shape, [3, 3, cfg.dModel]);
      const fromStates = gpt.unembed(tf.reshape(states, [9, cfg.dModel]) as tf.Tensor2D).arraySync() as number[][];
      const logits = m.forward(t, l).arraySync() as number[][][];
      for (let b = 0; b < 3; b++)
        for (let j = 0; j < 3; j++) {
          const row = fromStates[b * 3 + j]!;
          if (j >= l.steps[b]!) assert.ok(row.every((x) => x === 0), `${m.mode}: row ${b} has no thought ${j}`);
          else row.forEach((x, v) => assert.ok(Math.abs(x - logits[b]![l.start[b]! + j]![v]!) < 1e-4, `${m.mode} row ${b} thought ${j}`));
        }
    });
    tf.dispose(t);
    m.dispose();
  }
  gpt.dispose();
});

test('bad layouts and options are clear errors naming the field', () => {
  const gpt = model(cfg, 'errors', 0.02);
  const latent = new LatentGPT(gpt, { mode: 'latent' });
  const pause = new LatentGPT(gpt, { mode: 'pause', maxSteps: 2 }, new Rng(0));
  const t = tokens();
  assert.throws(() => latent.forward(t, layout([2, 2], [1, 1])), /one entry per row \(3\)/);
  assert.throws(() => latent.forward(t, layout([0, 2, 2], [1, 1, 1])), /layout.start\[0\] = 0 is not in \[1, T=10\]/);
  assert.throws(() => latent.forward(t, layout([2, 2, 8], [1, 1, 3])), /row 2's thoughts end at slot 11, past T=10/);
  assert.throws(() => pause.forward(t, layout([2, 2, 2], [1, 3, 1])), /layout.steps\[1\] = 3 is not in \[0, maxSteps=2\]/);
  assert.throws(() => pause.generate([[1, 2]], 3, { maxNewTokens: 2, padId: 0 }, new Rng(0)), /steps must be an integer in \[0, 2\]/);
  assert.throws(() => latent.generate([[1, 2]], 8, { maxNewTokens: 7, padId: 0 }, new Rng(0)), /\+ thoughts \(8\) \+ maxNewTokens \(7\) = 17 exceeds/);
  assert.throws(() => new LatentGPT(gpt, { mode: 'pause' }, new Rng(0)), /maxSteps must be a positive integer/);
  assert.throws(() => new LatentGPT(gpt, { mode: 'pause', maxSteps: 2 }), /needs an Rng/);
  assert.throws(() => new LatentGPT(gpt, { mode: 'latent', maxSteps: 2 }), /maxSteps is for pause mode/);
  assert.throws(() => new LatentGPT(gpt, { mode: 'lat' as 'latent' }), /mode must be "latent" or "pause"/);
  tf.dispose(t);
  pause.dispose();
  gpt.dispose();
});
