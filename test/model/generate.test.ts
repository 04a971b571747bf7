import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, GPTWeights, paramSpecs } from '../../src/model/gpt.js';
import { gptConfig } from '../../src/model/config.js';
import { generate, generateFullRecompute, Generation } from '../../src/model/generate.js';
import { tokenLogProbsArrays } from '../../src/model/logprobs.js';

await initBackend({ quiet: true });
const cfg = gptConfig({ vocabSize: 9, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 2, mlpRatio: 2 });
// std 0.5 weights: peaked, varied distributions (std 0.02 gives near-uniform ones that test little)
function model(seed: string): GPT {
  const r = new Rng(seed);
  const w: GPTWeights = {};
  for (const s of paramSpecs(cfg)) w[s.name] = r.normals(s.shape.reduce((a, b) => a * b, 1), 0.5);
  return GPT.fromWeights(cfg, w);
}
const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 1], [2, 2]];
const EOS = 8;
const PAD = 0;

function row(g: Generation, b: number): number[] {
  return Array.from(g.tokens.subarray(b * g.width, b * g.width + g.promptLengths[b]! + g.lengths[b]!));
}

test('KV-cache sampling gives the same tokens as full recompute for the same seed (mixed prompt lengths)', () => {
  const m = model('a');
  for (const opts of [{ maxNewTokens: 8, padId: PAD }, { maxNewTokens: 8, padId: PAD, eosId: EOS, temperature: 0.7, topP: 0.9 }, { maxNewTokens: 6, padId: PAD, greedy: true }]) {
    const a = generate(m, prompts, opts, new Rng(7));
    const b = generateFullRecompute(m, prompts, opts, new Rng(7));
    assert.deepEqual(a.tokens, b.tokens, JSON.stringify(opts));
    assert.deepEqual(a.lengths, b.lengths);
    for (let i = 0; i < a.logProbs.length; i++) assert.ok(Math.abs(a.logProbs[i]! - b.logProbs[i]!) < 1e-4);
  }
  m.dispose();
});

test('output layout: prompt, generated tokens, then pad; EOS ends a row and counts in lengths', () => {
  const m = model('b');
  const g = generate(m, prompts, { maxNewTokens: 10, padId: PAD, eosId: EOS }, new Rng(3));
  assert.equal(g.width, 5 + 10);
  assert.deepEqual(Array.from(g.promptLengths), [3, 1, 5, 2]);
  for (let b = 0; b < 4; b++) {
    const r = row(g, b);
    assert.deepEqual(r.slice(0, prompts[b]!.length), prompts[b]);
    const gen = r.slice(prompts[b]!.length);
    const eosAt = gen.indexOf(EOS);
    assert.ok(eosAt === -1 ? gen.length === 10 : eosAt === gen.length - 1, `row ${b}: ${gen}`);
    for (let j = r.length; j < g.width; j++) assert.equal(g.tokens[b * g.width + j], PAD);
    for (let s = gen.length; s < 10; s++) assert.equal(g.logProbs[b * 10 + s], 0);
  }
  m.dispose();
});

test('a row is sampled as if alone: left padding does not change its tokens (greedy)', () => {
  const m = model('c');
  const all = generate(m, prompts, { maxNewTokens: 6, padId: PAD, greedy: true }, new Rng(0));
  for (let b = 0; b < prompts.length; b++) {
    const one = generate(m, [prompts[b]!], { maxNewTokens: 6, padId: PAD, greedy: true }, new Rng(0));
    assert.deepEqual(row(all, b), row(one, 0), `row ${b}`);
  }
  m.dispose();
});

test('sampling log-probs, entropies and self-certainty equal teacher-forced scores of the same sequences (T=1)', () => {
  const m = model('d');
  const g = generate(m, prompts, { maxNewTokens: 7, padId: PAD, eosId: EOS }, new Rng(11));
  const s = tokenLogProbsArrays(m, g.tokens, g.batch, g.width);
  const W1 = g.width - 1;
  let compared = 0;
  for (let b = 0; b < g.batch; b++)
    for (let k = 0; k < g.lengths[b]!; k++) {
      const t = g.promptLengths[b]! - 1 + k; // position predicting generated token k
      const i = b * g.maxNewTokens + k;
      assert.ok(Math.abs(g.logProbs[i]! - s.logp[b * W1 + t]!) < 1e-4, `logp row ${b} token ${k}`);
      assert.ok(Math.abs(g.entropies[i]! - s.entropy[b * W1 + t]!) < 1e-4, `entropy row ${b} token ${k}`);
      assert.ok(Math.abs(g.selfCertainty[i]! - s.selfCertainty[b * W1 + t]!) < 1e-4, `self-certainty row ${b}`);
      assert.ok(g.selfCertainty[i]! >= -1e-6 && g.entropies[i]! <= Math.log(9) + 1e-6);
      assert.equal(g.samplingLogProbs[i], g.logProbs[i], 'T=1, topP=1: the sampling distribution is the policy');
      compared++;
    }
  assert.ok(compared >= 10);
  m.dispose();
});

test('temperature and top-p: sampling log-probs differ from policy log-probs; topP keeps the likeliest tokens', () => {
  const m = model('e');
  const g = generate(m, prompts, { maxNewTokens: 5, padId: PAD, temperature: 0.5, topP: 0.5 }, new Rng(5));
  let differ = 0;
  for (let i = 0; i < g.logProbs.length; i++) {
    if (g.logProbs[i] !== 0 && Math.abs(g.samplingLogProbs[i]! - g.logProbs[i]!) > 1e-3) differ++;
    assert.ok(g.samplingLogProbs[i]! >= g.logProbs[i]! - 1e-6, 'sharpening and truncating raise the sampled token probability');
  }
  assert.ok(differ > 0);
  const greedy = generate(m, prompts, { maxNewTokens: 5, padId: PAD, greedy: true }, new Rng(1));
  const tiny = generate(m, prompts, { maxNewTokens: 5, padId: PAD, topP: 1e-6 }, new Rng(2));
  assert.deepEqual(tiny.tokens, greedy.tokens, 'topP -> 0 keeps only the argmax');
  m.dispose();
});

test('same seed, same tokens; different seeds differ', () => {
  const m = model('f');
  const o = { maxNewTokens: 8, padId: PAD };
  assert.deepEqual(generate(m, prompts, o, new Rng(1)).tokens, generate(m, prompts, o, new Rng(1)).tokens);
  assert.notDeepEqual(generate(m, prompts, o, new Rng(1)).tokens, generate(m, prompts, o, new Rng(2)).tokens);
  m.dispose();
});

test('repeated sampling keeps tf.memory().numTensors flat', () => {
  const m = model('g');
  const counts: number[] = [];
  for (let i = 0; i < 4; i++) {
    generate(m, prompts, { maxNewTokens: 6, padId: PAD, eosId: EOS }, new Rng(i));
    generateFullRecompute(m, prompts, { maxNewTokens: 3, padId: PAD }, new Rng(i));
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[3], counts[0], `${counts}`);
  m.dispose();
});

test('bad options and prompts are clear errors naming the field', () => {
  const m = model('h');
  const r = new Rng(0);
  const bad: Array<[object, RegExp]> = [
    [{ maxNewTokens: 0, padId: 0 }, /maxNewTokens must be a positive integer/],
    [{ maxNewTokens: 2, padId: 0, temperature: 0 }, /temperature must be a finite number > 0/],
    [{ maxNewTokens: 2, padId: 0, topP: 0 }, /topP must be in \(0, 1\]/],
    [{ maxNewTokens: 2, padId: 0, topP: 1.5 }, /topP must be in \(0, 1\]/],
    [{ maxNewTokens: 2, padId: 9 }, /padId must be a token id in \[0, 9\)/],
    [{ maxNewTokens: 2, padId: 0, eosId: -1 }, /eosId must be a token id/],
    [{ maxNewTokens: 2, padId: 0, temprature: 1 }, /unknown option "temprature"/],
    [{ maxNewTokens: 12, padId: 0 }, /longest prompt \(5\) \+ maxNewTokens \(12\) = 17 exceeds the model's contextLength \(16\)/],
  ];
  for (const [o, re] of bad) assert.throws(() => generate(m, prompts, o as never, r), re);
  assert.throws(() => generate(m, [[1], []], { maxNewTokens: 2, padId: 0 }, r), /prompts\[1\] is empty/);
  assert.throws(() => generate(m, [[1, 12]], { maxNewTokens: 2, padId: 0 }, r), /prompts\[0\]\[1\] = 12 is not a token id/);
  assert.doesNotThrow(() => generate(m, prompts, { maxNewTokens: 2, padId: 0, greedy: true, temperature: 0 }, r));
  // NaN weights: sampling refuses instead of drawing from garbage
  const w = m.getWeights();
  w['head']![0] = NaN;
  const broken = GPT.fromWeights(cfg, w);
  assert.throws(() => generate(broken, prompts, { maxNewTokens: 2, padId: 0 }, r), /logits of row 0 at new token 0 contain NaN or Inf/);
  broken.dispose();
  m.dispose();
});
