import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { verifyScores } from '../../src/eval/verifier.js';
import { gptConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { Rng } from '../../src/random.js';
import { VERDICT_NO, VERDICT_YES } from '../../src/tasks/check.js';
import { Sum3Task } from '../../src/tasks/sum3.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';

await initBackend({ quiet: true });

test('verifyScores: P(Y) / (P(Y) + P(N)) after the CHECK prompt, one row at a time or padded in a batch', () => {
  const task = new Sum3Task();
  const tokenizer = Tokenizer.forTasks([task]);
  const model = new GPT(gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 24, dModel: 16, nHeads: 1, nLayers: 1 }), new Rng(0).fork('init'));
  const rng = new Rng(1);
  const problems = [task.sample(rng), task.sample(rng), task.sample(rng)];
  // Candidates of different lengths, so the batch pads the shorter rows.
  const answers = ['129', '4', '37'];
  const before = tf.memory().numTensors;
  const u = verifyScores(model, tokenizer, task, problems, answers.map((a) => tokenizer.encode(a)));
  assert.equal(tf.memory().numTensors, before, 'no tensors left');
  const yes = tokenizer.encode(VERDICT_YES)[0]!;
  const no = tokenizer.encode(VERDICT_NO)[0]!;
  for (const [i, p] of problems.entries()) {
    // The reference: the CHECK prompt's text encoded whole, one unpadded row, the verdict logits at its last position.
    const ids = [Tokenizer.BOS, ...tokenizer.encode(task.checkPrompt(p, answers[i]!))];
    const z = tf.tidy(() => model.forward(tf.tensor2d(ids, [1, ids.length], 'int32')).arraySync()[0]![ids.length - 1]!);
    const expected = Math.exp(z[yes]!) / (Math.exp(z[yes]!) + Math.exp(z[no]!));
    assert.ok(Math.abs(u[i]! - expected) < 1e-5, `row ${i}: ${u[i]} vs ${expected}`);
  }
  assert.ok(u[0] !== u[1], 'different prompts score differently');
  assert.throws(() => verifyScores(model, tokenizer, task, problems, []), /problems \(3\) and candidates \(0\) differ/);
  const long = tokenizer.encode('1'.repeat(20));
  assert.throws(() => verifyScores(model, tokenizer, task, [problems[0]!], [long]), /more than contextLength 24/);
  model.dispose();
});
