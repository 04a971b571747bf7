/**
 * The RL trainer loop on the real model and task: GRPO with the task's verifiable reward improves a weakly
 * pretrained tiny GPT on 2-digit addition; the loop leaks no tensors; the same seed gives the same run; bad
 * configs are clear errors; and on the tiny GPT, the policy gradient with reward log pi(o) is minus the gradient of
 * the sequence entropy (Zhang et al.'s equivalence, claim 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, gptConfig, tokenLogProbs } from '../../src/model/index.js';
import { AdditionTask, Tokenizer, generateHeldOutSet, makeBatch, sampleTrainProblem, trainExamples } from '../../src/tasks/index.js';
import { languageModelLoss, train } from '../../src/train/index.js';
import { evaluatePolicy } from '../../src/eval/policy.js';
import { advantageFn, clippedSurrogate, completionScores, intrinsicReward, rlConfig, trainRL, verifiableReward } from '../../src/rl/index.js';

await initBackend({ quiet: true });

const task = new AdditionTask({ digits: 2 });
const tokenizer = Tokenizer.forTasks([task]);
const config = gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 16, dModel: 48, nHeads: 4, nLayers: 2 });
const heldOut = generateHeldOutSet(task, 7, 100);

/** A tiny GPT pretrained briefly: it knows the format but is often wrong. */
async function weakModel(): Promise<GPT> {
  const model = new GPT(config, new Rng(0).fork('init'));
  await train({
    model,
    loss: languageModelLoss(model),
    batches: (_s, rng) => makeBatch(tokenizer, trainExamples(task, rng, 64), 10),
    config: { steps: Number(process.env['RLREPRO_RL_PRETRAIN'] ?? 500), lr: 3e-3, minLr: 1e-3, warmupSteps: 20, seed: 1 },
    onProgress: false,
  });
  return model;
}

const base = await weakModel();
const baseWeights = base.getWeights();
function copyOfBase(): GPT {
  return GPT.fromWeights(config, baseWeights);
}

const accuracy = (m: GPT) =>
  evaluatePolicy(m, task, tokenizer, heldOut, { samples: 16, maxNewTokens: 5 }, new Rng('eval')).accuracy;

test('GRPO with the verifiable reward raises held-out accuracy', async () => {
  const model = copyOfBase();
  const before = accuracy(model);
  const res = await trainRL({
    model,
    task,
    tokenizer,
    reward: verifiableReward(task),
    advantage: advantageFn('grpo'),
    sampleProblem: (rng) => sampleTrainProblem(task, rng),
    config: {
      steps: Number(process.env['RLREPRO_RL_STEPS'] ?? 80),
      promptsPerStep: 32,
      numGenerations: 8,
      miniBatchSize: 32, // 8 updates per rollout batch
      maxNewTokens: 5,
      seed: 3,
      optim: { optimizer: 'adamw', lr: 1e-4 },
    },
    onProgress: false,
  });
  const after = accuracy(model);
  const m = res.history.metrics;
  process.stderr.write(`rl-trainer: accuracy ${before.toFixed(3)} -> ${after.toFixed(3)} in ${res.seconds.toFixed(1)} s\n`);
  assert.ok(before > 0.05 && before < 0.8, `the weak model should be neither useless nor solved: ${before}`);
  // Seen at 40 steps: +0.13 to +0.15 over RL seeds 3-6 on wasm, but only +0.048 on blas, whose rounding gives another
  // pretrained base (.624 vs .582); at 80 steps blas gains +0.088. Bases that pretraining left near .1 gain ~+0.02.
  assert.ok(after > before + 0.05, `accuracy ${before} -> ${after}`);
  assert.ok(m['clipFraction']!.some((x) => x > 0), 'with 8 updates per rollout batch, clipping fires sometimes');
  for (const k of ['reward', 'accuracy', 'entropy', 'meanTokenProb', 'length', 'approxKL', 'msSampling'])
    assert.equal(m[k]!.length, res.history.step.length, `metric ${k} recorded every step`);
  model.dispose();
});

test('tensors stay flat over 30 RL steps, and the same seed gives the same run', async () => {
  const run = async (model: GPT) =>
    (
      await trainRL({
        model,
        task,
        tokenizer,
        reward: verifiableReward(task),
        advantage: advantageFn('grpo'),
        config: { steps: 30, promptsPerStep: 4, numGenerations: 4, miniBatchSize: 8, epochs: 2, maxNewTokens: 5, seed: 11 },
        onProgress: false,
      })
    ).history;
  const a = copyOfBase();
  const b = copyOfBase();
  const ha = await run(a);
  // A second run on the same model (its per-shape caches already exist) must end with the same tensor count.
  const before = tf.memory().numTensors;
  await run(a);
  assert.equal(tf.memory().numTensors, before, 'no tensor survives the loop');
  const hb = await run(b);
  const strip = (h: typeof ha) => Object.fromEntries(Object.entries(h.metrics).filter(([k]) => !k.startsWith('ms')));
  assert.deepEqual(strip(ha), strip(hb));
  const wa = a.getWeights();
  const changed = Object.keys(wa).some((k) => wa[k]!.some((x, i) => x !== baseWeights[k]![i]));
  assert.ok(changed, 'the weights changed');
  a.dispose();
  b.dispose();
});

test('rolloutMetrics gets the step\'s advantages and the clip flags of the model after its updates', async () => {
  const model = copyOfBase();
  const epsilon = 0.1;
  let flagged = 0;
  let checked = 0;
  await trainRL({
    model,
    task,
    tokenizer,
    reward: verifiableReward(task),
    advantage: advantageFn('grpo'),
    config: { steps: 3, promptsPerStep: 4, numGenerations: 4, miniBatchSize: 4, epochs: 4, epsilon, maxNewTokens: 5, seed: 5, optim: { lr: 3e-3 } },
    rolloutMetrics: (r, step) => {
      const correct = Float32Array.from(r.completions, (c, i) => (task.evaluate(r.problems[Math.floor(i / r.groupSize)]!, c).correct ? 1 : 0));
      assert.deepEqual(step.advantages, advantageFn('grpo')({ rewards: correct, groupSize: r.groupSize }));
      const before = tf.memory().numTensors;
      const flags = step.clipFlags();
      assert.equal(step.clipFlags(), flags, 'computed once');
      assert.equal(tf.memory().numTensors, before, 'the flags leave no tensor behind');
      // The same test in plain JS on the updated model's log-probs, away from the bounds' rounding.
      const now = completionScores(model, r).logp;
      for (let i = 0; i < r.lengths.length; i++)
        for (let t = 0; t < r.maxNewTokens; t++) {
          const f = flags[i * r.maxNewTokens + t]!;
          if (t >= r.lengths[i]!) {
            assert.equal(f, 0, 'no flag past a sample\'s end');
            continue;
          }
          const ratio = Math.exp(now[i * r.maxNewTokens + t]! - r.logProbs[i * r.maxNewTokens + t]!);
          const a = step.advantages[i]!;
          if (Math.abs(ratio - (1 + epsilon)) < 1e-4 || Math.abs(ratio - (1 - epsilon)) < 1e-4) continue;
          assert.equal(f, (a > 0 && ratio > 1 + epsilon) || (a < 0 && ratio < 1 - epsilon) ? 1 : 0, `sample ${i} token ${t}: ratio ${ratio}, A ${a}`);
          checked++;
          flagged += f;
        }
      return {};
    },
    onProgress: false,
  });
  assert.ok(checked > 50 && flagged > 0, `a real test: ${flagged} of ${checked} tokens flagged`);
  model.dispose();
});

test('a run stopped after 3 steps and resumed from its checkpoint equals an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-rl-'));
  const opts = (model: GPT, steps: number) => ({
    model,
    task,
    tokenizer,
    reward: verifiableReward(task),
    advantage: advantageFn('w-reinforce'),
    config: { steps, promptsPerStep: 4, numGenerations: 4, miniBatchSize: 8, epochs: 2, maxNewTokens: 5, seed: 5, logEvery: 100 },
    onProgress: false as const,
  });
  try {
    const whole = await trainRL(opts(copyOfBase(), 6));
    const a = copyOfBase();
    await trainRL({ ...opts(a, 3), checkpointDir: join(dir, 'ck') });
    const b = copyOfBase(); // fresh weights: everything must come from the checkpoint
    const resumed = await trainRL({ ...opts(b, 6), resumeFrom: join(dir, 'ck') });
    assert.deepEqual(resumed.history.step, [1, 2, 3, 4, 5, 6]);
    for (const k of ['reward', 'loss', 'clipFraction', 'entropy'])
      assert.deepEqual(resumed.history.metrics[k], whole.history.metrics[k], `metric ${k}`);
    await assert.rejects(
      trainRL({ ...opts(copyOfBase(), 6), config: { ...opts(b, 6).config, epochs: 1 }, resumeFrom: join(dir, 'ck') }),
      /cannot resume .* the RL config differs: epochs/,
    );
    await assert.rejects(trainRL({ ...opts(copyOfBase(), 6), resumeFrom: join(dir, 'missing') }), /missing/);
    a.dispose();
    b.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad RL configs are clear errors naming the field', () => {
  assert.throws(() => rlConfig({ maxNewTokens: 4, epsilon: 0 }), /rlConfig\.epsilon must be a number in/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, epsilon: -0.1 }), /rlConfig\.epsilon/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, promptsPerStep: 2, numGenerations: 4, miniBatchSize: 16 }), /miniBatchSize \(16\) must be <= the rollout batch/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, promptsPerStep: 3, numGenerations: 4, miniBatchSize: 5 }), /must divide/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, steps: -1 }), /rlConfig\.steps must be an integer >= 0/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, lr: 1 } as never), /unknown key "lr"/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, optim: { lr: -1 } }), /rlConfig\.optim\.lr/);
  assert.throws(() => rlConfig({ maxNewTokens: 4, optim: { steps: 3 } as never }), /rlConfig\.optim\.steps is not an optimizer field/);
  assert.throws(() => advantageFn('grpo')({ rewards: new Float32Array(4), groupSize: 1 }), /groupSize must be an integer >= 2/);
  assert.throws(() => advantageFn('ppo'), /unknown|valid/);
});

test('on the tiny GPT, the policy gradient with reward log pi(o) is minus the gradient of the sequence entropy', () => {
  // Enumerate every 2-token continuation over a 3-token vocabulary so expectations are exact sums.
  const cfg = gptConfig({ vocabSize: 3, contextLength: 4, dModel: 8, nHeads: 2, nLayers: 1 });
  const model = new GPT(cfg, new Rng(5));
  const seqs: number[][] = [];
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) seqs.push([1, a, b]); // prompt token 1
  const tokens = tf.tensor2d(seqs.flat(), [9, 3], 'int32');
  const vars = Object.values(model.params);

  // log pi(o) per sequence, and the reward the library computes from it (sum form: log pi(o) itself).
  const logpSeq = tf.tidy(() => tf.sum(tokenLogProbs(model, tokens).logp, 1));
  const lp = Float32Array.from(logpSeq.dataSync());
  const perToken = tokenLogProbs(model, tokens).logp;
  const perTokenArr = perToken.dataSync();
  perToken.dispose();
  const reward = intrinsicReward('trajectory-likelihood', { normalisation: 'sum' }).compute({
    problems: [0],
    groupSize: 9,
    completions: seqs.map((s) => s.join('')),
    lengths: new Int32Array(9).fill(2),
    maxNewTokens: 2,
    logProbs: Float32Array.from(perTokenArr),
  }).rewards;
  reward.forEach((r, i) => assert.ok(Math.abs(r - lp[i]!) < 1e-5));

  // Exact expectation of the policy gradient: weight each sequence by pi(o); ratio 1 (old = current).
  const adv = Float32Array.from(reward, (r, i) => Math.exp(lp[i]!) * r);
  const mask = tf.ones([9, 2]);
  const pg = tf.variableGrads(() => {
    const logp = tokenLogProbs(model, tokens).logp;
    const old = tf.tensor2d(perTokenArr, [9, 2]); // constant copy of the current log-probs
    const out = clippedSurrogate({ logp, oldLogp: old, advantages: tf.tensor1d(adv), mask }, { clip: false });
    return tf.mul(out.loss, 18) as tf.Scalar; // token-mean over 9 x 2 tokens -> sum over sequences
  }, vars);
  const ent = tf.variableGrads(() => {
    const l = tf.sum(tokenLogProbs(model, tokens).logp, 1);
    return tf.neg(tf.sum(tf.mul(tf.exp(l), l))) as tf.Scalar; // H = -sum pi log pi
  }, vars);
  // Minimising the surrogate with reward log pi moves along -grad H: the two gradients are equal.
  let maxDiff = 0;
  let maxAbs = 0;
  for (const name of Object.keys(pg.grads)) {
    const a = pg.grads[name]!.dataSync();
    const b = ent.grads[name]!.dataSync();
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(b[i]!));
    }
  }
  assert.ok(maxAbs > 1e-4, 'the entropy gradient is not trivially zero');
  assert.ok(maxDiff < 1e-4 * Math.max(1, maxAbs), `max |grad difference| ${maxDiff} (max |grad H| ${maxAbs})`);
  tf.dispose([tokens, logpSeq, mask, pg.value, ent.value, ...Object.values(pg.grads), ...Object.values(ent.grads)]);
  model.dispose();
});
