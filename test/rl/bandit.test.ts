import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { meanCI } from '../../src/eval/stats.js';
import { grpoAdvantages, nsrAdvantages, psrAdvantages } from '../../src/rl/advantages.js';
import { SoftmaxBandit, clipTrustBand, policyGradientLogitStep, runBandit, softmaxProbs } from '../../src/rl/bandit.js';

before(async () => {
  await initBackend({ quiet: true });
});

const PI = [0.4, 0.3, 0.15, 0.1, 0.05];

/** Logit change of one update of a fresh bandit at PI. */
function oneUpdate(actions: number[], advantages: Float32Array, lr: number): Float64Array {
  const b = SoftmaxBandit.fromProbs(PI);
  const z0 = b.logitValues();
  b.update(Int32Array.from(actions), advantages, { lr });
  const z1 = b.logitValues();
  b.dispose();
  return Float64Array.from(z1, (v, i) => v - z0[i]!);
}

test('NSR lowers the sampled wrong token and raises every other logit in proportion to pi_v', () => {
  const lr = 0.1;
  const y = 2;
  const adv = nsrAdvantages({ rewards: Float32Array.from([0]), groupSize: 1, correct: Uint8Array.from([0]) });
  assert.deepEqual([...adv], [-1]);
  const dz = oneUpdate([y], adv, lr);
  // Closed form: dz_v = lr * A * (1[v = y] - pi_v) with A = -1.
  const expected = PI.map((p, v) => lr * -1 * ((v === y ? 1 : 0) - p));
  for (let v = 0; v < PI.length; v++) assert.ok(Math.abs(dz[v]! - expected[v]!) < 1e-5, `dz[${v}] ${dz[v]} vs ${expected[v]}`);
  assert.ok(dz[y]! < 0, 'the wrong token goes down');
  for (let v = 0; v < PI.length; v++) {
    if (v === y) continue;
    assert.ok(dz[v]! > 0, `token ${v} goes up`);
    assert.ok(Math.abs(dz[v]! / PI[v]! - lr) < 1e-4, `in proportion to pi_${v}`);
  }
  const helper = policyGradientLogitStep(PI, [y], adv, lr);
  for (let v = 0; v < PI.length; v++) assert.ok(Math.abs(helper[v]! - expected[v]!) < 1e-12);
});

test('PSR raises the sampled correct token; a batch step matches the closed form', () => {
  const lr = 0.2;
  const adv = psrAdvantages({ rewards: Float32Array.from([1]), groupSize: 1, correct: Uint8Array.from([1]) });
  const dz = oneUpdate([4], adv, lr);
  assert.ok(Math.abs(dz[4]! - lr * (1 - PI[4]!)) < 1e-5, 'dz_y = lr (1 - pi_y)');
  for (let v = 0; v < 4; v++) assert.ok(dz[v]! < 0, `token ${v} goes down`);
  const before = softmaxProbs(Array.from(PI, Math.log))[4]!;
  const after = softmaxProbs(Array.from(PI, (p, v) => Math.log(p) + dz[v]!))[4]!;
  assert.ok(after > before, 'its probability rises');

  const actions = [0, 1, 1, 3, 2, 0];
  const a = Float32Array.from([0.5, -1, 0.3, 2, -0.7, -1.1]);
  const got = oneUpdate(actions, a, lr);
  const want = policyGradientLogitStep(PI, actions, a, lr);
  for (let v = 0; v < PI.length; v++) assert.ok(Math.abs(got[v]! - want[v]!) < 1e-5, `batch dz[${v}]`);
});

function randomRewardRun(seed: number, update: { lr: number; epochs: number; miniBatchSize: number; clip: boolean }, steps: number, g: number) {
  return runBandit({
    initialProbs: [0.85, 0.02, 0.05, 0.04, 0.04],
    steps,
    samplesPerStep: g,
    rng: new Rng(seed),
    reward: (actions, rng) => ({ rewards: Float32Array.from(actions, () => (rng.bernoulli(0.5) ? 1 : 0)) }),
    advantage: (input) => grpoAdvantages(input),
    update,
  });
}

test('random rewards without clipping (one update per rollout): mean logit change is zero within its CI', () => {
  const dz: number[] = [];
  for (let seed = 0; seed < 100; seed++) {
    const r = randomRewardRun(seed, { lr: 1, epochs: 1, miniBatchSize: 16, clip: false }, 5, 16);
    assert.equal(r.clipFraction.every((c) => c === 0), true);
    dz.push(r.logits[5]![0]! - r.logits[0]![0]!);
  }
  const ci = meanCI(dz);
  assert.ok(ci.sd > 0.05, `the logits did move (sd ${ci.sd})`);
  assert.ok(ci.lo < 0 && 0 < ci.hi, `top-logit change CI [${ci.lo}, ${ci.hi}] should contain 0`);
});

test('random rewards WITH clipping and several updates per rollout: mass moves to the most probable token', () => {
  // pi_old = 0.85 can never clip upward (1.2 * 0.85 > 1) while 0.02 is clipped at once: Shao et al.'s bias.
  // Settings were chosen on seeds 1000-1029; this test reports seeds 0-29.
  const update = { lr: 8, epochs: 4, miniBatchSize: 64 };
  const clipped: number[] = [];
  const unclipped: number[] = [];
  let clipFrac = 0;
  for (let seed = 0; seed < 30; seed++) {
    const c = randomRewardRun(seed, { ...update, clip: true }, 5, 256);
    clipped.push(c.probs[5]![0]! - 0.85);
    clipFrac += c.clipFraction.reduce((s, x) => s + x, 0) / c.clipFraction.length / 30;
    const u = randomRewardRun(seed, { ...update, clip: false }, 5, 256);
    unclipped.push(u.probs[5]![0]! - 0.85);
  }
  const ci = meanCI(clipped);
  assert.ok(clipFrac > 0.01, `clipping must actually act (mean clip fraction ${clipFrac})`);
  assert.ok(ci.lo > 0, `with clipping P(top) change CI [${ci.lo}, ${ci.hi}] should be above 0`);
  // Without clipping, several updates per rollout are NOT neutral either: the importance ratio of a rare token
  // with a positive advantage grows without bound, so mass flows away from the top token.
  const u = meanCI(unclipped);
  assert.ok(u.hi < ci.lo, `no-clip arm [${u.lo}, ${u.hi}] is below the clip arm`);
});

test('tensors are flat over 30 bandit steps and the logits change', () => {
  const b = SoftmaxBandit.fromProbs(PI);
  const rng = new Rng(11);
  const z0 = b.logitValues();
  const n0 = tf.memory().numTensors;
  for (let s = 0; s < 30; s++) {
    const actions = b.sample(rng, 8);
    const correct = Uint8Array.from(actions, (a) => (a === 1 ? 1 : 0));
    const adv = grpoAdvantages({ rewards: Float32Array.from(correct), groupSize: 8 });
    b.update(actions, adv, { lr: 0.5, epochs: 2, miniBatchSize: 4, beta: 0 });
  }
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaked');
  const p = b.probs();
  assert.ok(p[1]! > 0.9, `rewarding token 1 should make it dominant, got ${p[1]}`);
  assert.notDeepEqual([...b.logitValues()], [...z0]);
  b.dispose();
});

test('bandit: bad parameters are clear errors; same seed, same trajectory', () => {
  assert.throws(() => SoftmaxBandit.fromProbs([0.5, 0.6]), /probs must sum to 1/);
  assert.throws(() => SoftmaxBandit.fromProbs([1, 0]), /probs\[1\] must be > 0/);
  assert.throws(() => new SoftmaxBandit([1]), /at least 2 actions/);
  const b = SoftmaxBandit.fromProbs(PI);
  const a = Int32Array.from([0, 1]);
  const adv = Float32Array.from([1, -1]);
  assert.throws(() => b.update(a, adv, { lr: 0 }), /lr must be finite and > 0/);
  assert.throws(() => b.update(a, adv, { lr: 0.1, epochs: 0 }), /epochs must be an integer >= 1/);
  assert.throws(() => b.update(a, adv, { lr: 0.1, miniBatchSize: 3 }), /miniBatchSize must be an integer in \[1, 2\] \(the rollout batch\)/);
  assert.throws(() => b.update(Int32Array.from([0, 7]), adv, { lr: 0.1 }), /actions\[1\]=7 must be in \[0, 5\)/);
  assert.throws(() => b.update(a, adv, { lr: 0.1, epsilon: 0 }), /epsilon must be in \(0, 1\)/);
  b.dispose();
  const r1 = randomRewardRun(3, { lr: 1, epochs: 2, miniBatchSize: 8, clip: true }, 3, 16);
  const r2 = randomRewardRun(3, { lr: 1, epochs: 2, miniBatchSize: 8, clip: true }, 3, 16);
  assert.deepEqual(r1.logits.map((z) => [...z]), r2.logits.map((z) => [...z]));
});

test('trust band: 0.85 can never clip upward, 0.02 clips at 0.024', () => {
  const top = clipTrustBand(0.85);
  assert.equal(top.canClipUp, false);
  assert.equal(top.hi, 1);
  assert.ok(Math.abs(top.lo - 0.68) < 1e-12);
  const rare = clipTrustBand(0.02);
  assert.equal(rare.canClipUp, true);
  assert.ok(Math.abs(rare.lo - 0.016) < 1e-12 && Math.abs(rare.hi - 0.024) < 1e-12);
  assert.equal(clipTrustBand(0.8).canClipUp, true, '0.8 * 1.2 = 0.96 < 1');
  assert.throws(() => clipTrustBand(0), /piOld must be in \(0, 1\]/);
});
