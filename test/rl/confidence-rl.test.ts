/**
 * The confidence rewards through the real RL loop: a tiny GPT pretrained briefly on the calibration mix's corpus
 * writes an answer and a confidence token; trainRL with each confidence reward runs, logs the reward's parts
 * (hasConfidence, brier) and leaks no tensors. The claim itself is the notebook's business.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, gptConfig } from '../../src/model/index.js';
import { Tokenizer, makeBatch, sampleTopicKeysTrain, trainExamples } from '../../src/tasks/index.js';
import { calibrationTask } from '../../src/tasks/calibration-mix.js';
import { languageModelLoss, train } from '../../src/train/index.js';
import { advantageFn, CONFIDENCE_REWARD_KINDS, createReward, trainRL } from '../../src/rl/index.js';

await initBackend({ quiet: true });

const task = calibrationTask();
const tokenizer = Tokenizer.forTasks([task]);
const config = gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, dModel: 32, nHeads: 2, nLayers: 1 });
const base = new GPT(config, new Rng(0).fork('init'));
await train({
  model: base,
  loss: languageModelLoss(base),
  batches: (_s, rng) => makeBatch(tokenizer, trainExamples(task, rng, 32, task.inner.config.heldOutFraction), 7),
  config: { steps: 100, lr: 3e-3, warmupSteps: 10, seed: 1 },
  onProgress: false,
});
const baseWeights = base.getWeights();
base.dispose();

for (const name of CONFIDENCE_REWARD_KINDS) {
  test(`trainRL with the ${name} reward logs its parts and leaks nothing`, async () => {
    const model = GPT.fromWeights(config, baseWeights);
    const tensors = tf.memory().numTensors;
    const res = await trainRL({
      model,
      task,
      tokenizer,
      reward: createReward({ name, task }),
      advantage: advantageFn('grpo'),
      sampleProblem: (rng) => sampleTopicKeysTrain(task.inner, rng),
      config: { steps: 2, promptsPerStep: 8, numGenerations: 4, maxNewTokens: 3, seed: 2 },
      onProgress: false,
    });
    assert.equal(tf.memory().numTensors, tensors, 'no tensors leaked');
    const m = res.history.metrics;
    for (const k of ['reward', 'accuracy', 'hasConfidence', 'brier']) assert.ok(m[k]?.every(Number.isFinite), `metric ${k}: ${m[k]}`);
    // After 100 pretraining steps the format (answer, then a confidence token) is learned.
    assert.ok(m['hasConfidence']![0]! > 0.9, `hasConfidence ${m['hasConfidence']}`);
    process.stderr.write(`confidence-rl ${name}: reward ${m['reward']!.map((x) => x.toFixed(3))} accuracy ${m['accuracy']} brier ${m['brier']!.map((x) => x.toFixed(3))}\n`);
    model.dispose();
  });
}
