/**
 * Claim 2's partial equivalence (Zhang et al., arXiv 2506.17219), checked exactly on a tiny two-step
 * autoregressive softmax policy by enumerating all V^2 outputs:
 * (a) policy gradient with reward r(o) = log pi(o) (the 'trajectory-likelihood' reward, summed) is the gradient of
 *     minus the trajectory entropy H = -E[log pi(o)];
 * (b) the trajectory entropy equals the expected sum of token entropies (chain rule).
 * The policy gradient goes through the real reward, advantage and surrogate code: each enumerated output is one
 * "sample" whose advantage carries its probability weight, so the surrogate's batch mean is the exact expectation.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { intrinsicReward } from '../../src/rl/rewards.js';
import { reinforceAdvantages } from '../../src/rl/advantages.js';
import { clippedSurrogate } from '../../src/rl/surrogate.js';

before(async () => {
  await initBackend({ quiet: true });
});

const V = 3;
const T = 2;
const N = V * V; // every output o = (a, b)

/** Per-token log-probs [N, T] and entropies [N, T] of all outputs; params z1 [V], z2 [V, V] (row = first token). */
function scores(z1: tf.Tensor, z2: tf.Tensor) {
  const l1 = tf.logSoftmax(z1); // [V]
  const l2 = tf.logSoftmax(z2); // [V, V]
  const h1 = tf.neg(tf.sum(tf.mul(tf.exp(l1), l1))); // []
  const h2 = tf.neg(tf.sum(tf.mul(tf.exp(l2), l2), 1)); // [V]
  const sel1 = tf.tensor2d(Float32Array.from({ length: N * V }, (_, k) => (Math.floor(Math.floor(k / V) / V) === k % V ? 1 : 0)), [N, V]);
  const sel2 = tf.tensor2d(Float32Array.from({ length: N * V * V }, (_, k) => {
    const o = Math.floor(k / (V * V));
    const cell = k % (V * V);
    return cell === Math.floor(o / V) * V + (o % V) ? 1 : 0;
  }), [N, V * V]);
  const lp1 = tf.sum(tf.mul(sel1, l1), 1); // [N]
  const lp2 = tf.sum(tf.mul(sel2, tf.reshape(l2, [V * V])), 1); // [N]
  const ent2 = tf.sum(tf.mul(sel1, h2), 1); // [N] entropy at step 2 given o's first token
  return {
    logp: tf.stack([lp1, lp2], 1), // [N, T]
    entropy: tf.stack([tf.broadcastTo(h1, [N]), ent2], 1), // [N, T]
  };
}

test('PG with reward log pi(o) equals the gradient of minus the trajectory entropy; H = E[sum of token entropies]', () => {
  const rng = new Rng(21);
  const z1 = tf.variable(tf.tensor1d(rng.normals(V, 1.5)));
  const z2 = tf.variable(tf.tensor2d(rng.normals(V * V, 1.5), [V, V]));

  // Rollout arrays of the enumerated outputs and their probabilities, as a rollout would record them.
  const { logProbs, entropies, prob } = tf.tidy(() => {
    const s = scores(z1, z2);
    return { logProbs: s.logp.dataSync() as Float32Array, entropies: s.entropy.dataSync() as Float32Array, prob: tf.exp(tf.sum(s.logp, 1)).dataSync() as Float32Array };
  });
  assert.ok(Math.abs(prob.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'enumeration covers all outputs');

  // (b) chain rule: -E[log pi(o)] = E[sum_t H_t]
  let hTraj = 0;
  let hTokens = 0;
  for (let o = 0; o < N; o++) {
    hTraj -= prob[o]! * (logProbs[o * T]! + logProbs[o * T + 1]!);
    hTokens += prob[o]! * (entropies[o * T]! + entropies[o * T + 1]!);
  }
  assert.ok(Math.abs(hTraj - hTokens) < 1e-5, `trajectory entropy ${hTraj} vs expected token-entropy sum ${hTokens}`);

  // (a) reward r(o) = log pi(o) through the real reward code (sum, not mean) and REINFORCE advantages.
  const reward = intrinsicReward('trajectory-likelihood', { normalisation: 'sum' }).compute({
    problems: [0],
    groupSize: N,
    completions: Array.from({ length: N }, (_, o) => String(o)),
    lengths: new Int32Array(N).fill(T),
    maxNewTokens: T,
    logProbs,
  });
  const adv = reinforceAdvantages({ rewards: reward.rewards, groupSize: N });
  // Weight each enumerated output by N * pi(o) so the token-mean over N*T tokens is T^-1 * E[...].
  const weighted = Float32Array.from(adv, (a, o) => a * prob[o]! * N);
  const vars = [z1, z2];
  const pg = tf.variableGrads(() => {
    const s = scores(z1, z2);
    const loss = clippedSurrogate(
      { logp: s.logp, oldLogp: tf.tensor2d(logProbs, [N, T]), advantages: tf.tensor1d(weighted), mask: tf.ones([N, T]) },
      { clip: false, lossAggregation: 'token-mean' },
    ).loss;
    return tf.mul(loss, T) as tf.Scalar; // undo the 1/T of the token mean
  }, vars);
  // Minimising the surrogate ascends E[log pi(o)] = -H, so its gradient is +dH.
  const dh = tf.variableGrads(() => {
    const s = scores(z1, z2);
    const p = tf.exp(tf.sum(s.logp, 1));
    return tf.neg(tf.sum(tf.mul(p, tf.sum(s.logp, 1)))) as tf.Scalar; // H = -sum_o pi(o) log pi(o)
  }, vars);
  for (const v of vars) {
    const a = pg.grads[v.name]!.dataSync();
    const b = dh.grads[v.name]!.dataSync();
    const scale = Math.max(...Array.from(b, Math.abs));
    assert.ok(scale > 1e-3, 'the gradient is not trivially zero');
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-4 * Math.max(1, scale), `${v.name}[${i}]: PG ${a[i]} vs dH ${b[i]}`);
  }
  tf.dispose([pg.value, dh.value, z1, z2]);
  tf.dispose(pg.grads);
  tf.dispose(dh.grads);
});
