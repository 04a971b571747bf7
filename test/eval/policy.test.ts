/**
 * The one evaluation path: per-sample records carry the task's own Evaluation fields and the sampler's trace,
 * prompt-major; the summary is a function of the records, so a subset of prompts summarises the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { evaluatePolicy, summarizeSamples } from '../../src/eval/policy.js';
import { passAtK } from '../../src/eval/pass-at-k.js';
import { GPT, gptConfig } from '../../src/model/index.js';
import { Rng } from '../../src/random.js';
import { generateHeldOutSet, Tokenizer, TwoStyleAdditionTask } from '../../src/tasks/index.js';

await initBackend({ quiet: true });

const task = new TwoStyleAdditionTask({ digits: 2 });
const tokenizer = Tokenizer.forTasks([task]);
const model = new GPT(gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 24, dModel: 16, nHeads: 2, nLayers: 1 }), new Rng(3).fork('init'));
const problems = generateHeldOutSet(task, 5, 6);
const opts = { samples: 4, maxNewTokens: 12, ks: [1, 2, 4] };

test('records: the task\'s fields, the sample\'s prompt and its trace, prompt-major', () => {
  const before = tf.memory().numTensors;
  const ev = evaluatePolicy(model, task, tokenizer, problems, opts, new Rng('eval'));
  assert.equal(tf.memory().numTensors, before, 'no tensor survives an evaluation');
  assert.equal(ev.samples.length, problems.length * 4);
  assert.deepEqual(ev.samples.map((s) => s.prompt), problems.flatMap((_, p) => [p, p, p, p]));
  for (const s of ev.samples) {
    const again = task.evaluate(problems[s.prompt]!, s.completion);
    assert.deepEqual({ correct: s.correct, answer: s.answer, style: s.style, traceCorrect: s.traceCorrect }, again);
    assert.equal(s.logProbs.length, s.tokens.length);
    assert.equal(s.entropies.length, s.tokens.length);
    assert.equal(tokenizer.decodeCompletion(s.tokens), s.completion);
    assert.ok(s.tokens.length >= 1 && s.tokens.length <= opts.maxNewTokens);
    assert.ok(s.logProbs.every((x) => x <= 0) && s.entropies.every((x) => x >= 0));
  }
  // An untrained model writes both styles and neither; the counts come from the records.
  assert.ok(new Set(ev.samples.map((s) => s.style)).size >= 2);
  // The same stream gives the same samples.
  const again = evaluatePolicy(model, task, tokenizer, problems, opts, new Rng('eval'));
  assert.deepEqual(again.samples.map((s) => s.completion), ev.samples.map((s) => s.completion));
});

test('summary: from the records, for all prompts or any subset of them', () => {
  const ev = evaluatePolicy(model, task, tokenizer, problems, opts, new Rng('eval'));
  const { samples, ...summary } = ev;
  assert.deepEqual(summarizeSamples(samples, 4, opts.ks), summary);
  assert.equal(summary.accuracy, samples.filter((s) => s.correct).length / samples.length);
  const tokens = samples.reduce((n, s) => n + s.tokens.length, 0);
  assert.ok(Math.abs(summary.length - tokens / samples.length) < 1e-12);
  // One prompt alone: its own pass@k.
  const p2 = samples.filter((s) => s.prompt === 2);
  const c = p2.filter((s) => s.correct).length;
  const one = summarizeSamples(p2, 4, [1, 4]);
  assert.equal(one.prompts, 1);
  assert.equal(one.passAtK[4], passAtK(4, c, 4));
  assert.deepEqual(Array.from(one.correctCounts), [c]);
});

test('bad input is a clear error', () => {
  const ev = evaluatePolicy(model, task, tokenizer, problems.slice(0, 2), { samples: 2, maxNewTokens: 12 }, new Rng('eval'));
  assert.throws(() => evaluatePolicy(model, task, tokenizer, problems, { samples: 2, maxNewTokens: 12, ks: [4] }, new Rng(0)), /every k in ks must be an integer in \[1, samples=2\], got 4/);
  assert.throws(() => summarizeSamples([], 2), /samples is empty/);
  assert.throws(() => summarizeSamples(ev.samples.slice(0, 3), 2), /3 samples are not whole groups of samplesPerPrompt=2/);
  const shuffled = [ev.samples[0]!, ev.samples[2]!, ev.samples[1]!, ev.samples[3]!];
  assert.throws(() => summarizeSamples(shuffled, 2), /sample 1 belongs to prompt 1, not to its group's prompt 0/);
});
