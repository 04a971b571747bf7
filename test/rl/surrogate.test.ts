import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { clippedSurrogate, readSurrogateMetrics, type SurrogateInputs, type SurrogateOptions } from '../../src/rl/surrogate.js';
import { k3KL } from '../../src/rl/kl.js';

before(async () => {
  await initBackend({ quiet: true });
});

const near = (a: ArrayLike<number>, b: number[], tol: number, what: string) => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

/** Inputs where rho = [[1.5, 0.5], [1.0, 1.1]], A = [1, -1]. */
function handCase(mask = [1, 1, 1, 1]) {
  const oldLogp = [-1, -2, -0.5, -1.5];
  const rho = [1.5, 0.5, 1.0, 1.1];
  const logp = oldLogp.map((o, i) => o + Math.log(rho[i]!));
  return {
    logp: tf.tensor2d(logp, [2, 2]),
    oldLogp: tf.tensor2d(oldLogp, [2, 2]),
    advantages: tf.tensor1d([1, -1]),
    mask: tf.tensor2d(mask, [2, 2]),
  };
}

test('clipped surrogate: values, clip fraction and aggregation on a hand-computed case', () => {
  const inputs = handCase();
  // token losses: -min(1.5, 1.2) = -1.2; -min(0.5, 0.8) = -0.5; 1.0; 1.1
  const out = clippedSurrogate(inputs);
  const m = readSurrogateMetrics(out.metrics);
  assert.ok(Math.abs(out.loss.dataSync()[0]! - 0.1) < 1e-5, `token-mean loss ${out.loss.dataSync()[0]}`);
  assert.ok(Math.abs(m.clipFraction - 0.25) < 1e-6, `clip fraction ${m.clipFraction}`);
  assert.ok(Math.abs(m.meanRatio - 1.025) < 1e-5);
  const expectKL = [1.5, 0.5, 1.0, 1.1].reduce((s, r) => s + (r - 1 - Math.log(r)), 0) / 4;
  assert.ok(Math.abs(m.approxKL - expectKL) < 1e-5);
  assert.ok(Number.isNaN(m.klRef) && Number.isNaN(m.entropy), 'not given -> NaN');
  out.loss.dispose();

  const masked = handCase([1, 1, 1, 0]);
  const tok = clippedSurrogate(masked, { lossAggregation: 'token-mean' });
  const seq = clippedSurrogate(masked, { lossAggregation: 'sequence-mean' });
  assert.ok(Math.abs(tok.loss.dataSync()[0]! - (-1.7 + 1) / 3) < 1e-5, 'token mean over 3 tokens');
  assert.ok(Math.abs(seq.loss.dataSync()[0]! - (-0.85 + 1) / 2) < 1e-5, 'mean of per-sequence means');
  readSurrogateMetrics(tok.metrics);
  readSurrogateMetrics(seq.metrics);
  tf.dispose([tok.loss, seq.loss, ...Object.values(inputs), ...Object.values(masked)]);

  // Asymmetric clipping: epsilonHigh 0.6 lets rho = 1.5 through.
  const hi = handCase();
  const outHi = clippedSurrogate(hi, { epsilonHigh: 0.6 });
  assert.ok(Math.abs(outHi.loss.dataSync()[0]! - (-1.5 - 0.5 + 1 + 1.1) / 4) < 1e-5);
  assert.equal(readSurrogateMetrics(outHi.metrics).clipFraction, 0);
  tf.dispose([outHi.loss, ...Object.values(hi)]);
});

test('per-token clip flags: where the clipped branch is active, masked; their mean is the clip fraction', () => {
  const inputs = handCase([1, 1, 1, 0]);
  // rho = [[1.5, 0.5], [1.0, 1.1]], A = [1, -1]: only rho 1.5 with A > 0 clips (0.5 has A > 0 and is not clipped).
  const before = tf.memory().numTensors;
  const out = clippedSurrogate(inputs, { tokenClipFlags: true });
  assert.deepEqual(Array.from(out.clipped!.dataSync()), [1, 0, 0, 0]);
  assert.ok(Math.abs(readSurrogateMetrics(out.metrics).clipFraction - 1 / 3) < 1e-6);
  const off = clippedSurrogate(inputs, { tokenClipFlags: true, clip: false });
  assert.deepEqual(Array.from(off.clipped!.dataSync()), [0, 0, 0, 0]);
  readSurrogateMetrics(off.metrics);
  const plain = clippedSurrogate(inputs);
  assert.equal(plain.clipped, undefined, 'not asked for, not made');
  readSurrogateMetrics(plain.metrics);
  tf.dispose([out.loss, out.clipped!, off.loss, off.clipped!, plain.loss]);
  assert.equal(tf.memory().numTensors, before, 'the flags are the only extra output');
  assert.throws(() => clippedSurrogate(inputs, { tokenClipFlags: 1 as never }), /tokenClipFlags must be true or false/);
  tf.dispose(Object.values(inputs));
});

test('gradient: clipped tokens get none; clip=false is the importance-weighted policy gradient', () => {
  const c = handCase();
  const gradOf = (opts: SurrogateOptions) =>
    tf.grad((lp: tf.Tensor) => clippedSurrogate({ ...c, logp: lp }, opts).loss)(c.logp);
  const g = gradOf({});
  // d loss / d logp_t = -(1/4) rho_t A_i on the active unclipped branch, 0 where clipped.
  near(g.dataSync(), [0, -0.125, 0.25, 0.275], 1e-5, 'clipped grad');
  const gNoClip = gradOf({ clip: false });
  near(gNoClip.dataSync(), [-0.375, -0.125, 0.25, 0.275], 1e-5, 'unclipped grad');
  tf.dispose([g, gNoClip, ...Object.values(c)]);
});

test('surrogate with clip=false at rho = 1 equals plain policy gradient on a tiny softmax policy', () => {
  const rng = new Rng(3);
  const [n, t, v] = [3, 4, 5];
  const logits = tf.tensor3d(rng.normals(n * t * v, 2), [n, t, v]);
  const tokens = Array.from({ length: n * t }, () => rng.int(v));
  const oneHot = tf.tensor3d(
    Float32Array.from({ length: n * t * v }, (_, k) => (tokens[Math.floor(k / v)] === k % v ? 1 : 0)),
    [n, t, v],
  );
  const mask = tf.tensor2d([1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1], [n, t]);
  const adv = tf.tensor1d([0.7, -1.3, 0.2]);
  const logpOf = (z: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(z), oneHot), 2); // [n, t]
  const old = tf.tidy(() => logpOf(logits));
  for (const lossAggregation of ['token-mean', 'sequence-mean'] as const) {
    const gs = tf.grad((z: tf.Tensor) =>
      clippedSurrogate({ logp: logpOf(z), oldLogp: old, advantages: adv, mask }, { clip: false, lossAggregation }).loss,
    )(logits);
    const gc = tf.grad((z: tf.Tensor) =>
      clippedSurrogate({ logp: logpOf(z), oldLogp: old, advantages: adv, mask }, { lossAggregation }).loss,
    )(logits);
    // Plain PG: -A_i * logp_t, aggregated the same way.
    const gpg = tf.grad((z: tf.Tensor) => {
      const per = tf.mul(tf.neg(logpOf(z)), tf.expandDims(adv, 1));
      if (lossAggregation === 'token-mean') return tf.div(tf.sum(tf.mul(per, mask)), tf.sum(mask));
      return tf.mean(tf.div(tf.sum(tf.mul(per, mask), 1), tf.sum(mask, 1)));
    })(logits);
    near(gs.dataSync(), [...gpg.dataSync()], 1e-5, `${lossAggregation} clip=false vs PG`);
    near(gc.dataSync(), [...gpg.dataSync()], 1e-5, `${lossAggregation} clip at rho=1 vs PG`);
    tf.dispose([gs, gc, gpg]);
  }
  tf.dispose([logits, oneHot, mask, adv, old]);
});

test('k3 KL is >= 0, 0 for equal policies, and enters the loss with weight beta', () => {
  const rng = new Rng(4);
  const a = tf.tensor2d(rng.normals(200, 3), [10, 20]);
  const b = tf.tensor2d(rng.normals(200, 3), [10, 20]);
  const kl = k3KL(a, b);
  const vals = kl.dataSync();
  assert.ok(vals.every((x) => x >= 0), 'k3 >= 0');
  const x = b.dataSync()[7]! - a.dataSync()[7]!;
  assert.ok(Math.abs(vals[7]! - (Math.exp(x) - x - 1)) < 1e-3 * Math.max(1, vals[7]!));
  const same = k3KL(a, a);
  assert.ok(same.dataSync().every((v) => v === 0), 'equal policies -> exactly 0');
  tf.dispose([kl, same]);

  const c = handCase();
  const ref = tf.tensor2d([-1.2, -1.9, -0.5, -2.0], [2, 2]);
  const base = clippedSurrogate(c);
  const withKL = clippedSurrogate({ ...c, refLogp: ref }, { beta: 0.5 });
  const mKL = readSurrogateMetrics(withKL.metrics);
  readSurrogateMetrics(base.metrics);
  const diff = withKL.loss.dataSync()[0]! - base.loss.dataSync()[0]!;
  assert.ok(Math.abs(diff - 0.5 * mKL.klRef) < 1e-5, `loss rises by beta * mean k3 (${diff} vs ${0.5 * mKL.klRef})`);
  assert.ok(mKL.klRef > 0);
  const ent = tf.tensor2d([0.3, 0.6, 0.9, 1.2], [2, 2]);
  const withEnt = clippedSurrogate({ ...c, entropy: ent }, { entropyCoef: 0.1 });
  const mEnt = readSurrogateMetrics(withEnt.metrics);
  assert.ok(Math.abs(mEnt.entropy - 0.75) < 1e-6);
  assert.ok(Math.abs(withEnt.loss.dataSync()[0]! - (base.loss.dataSync()[0]! - 0.075)) < 1e-5, 'entropy bonus lowers the loss');
  tf.dispose([a, b, ref, ent, base.loss, withKL.loss, withEnt.loss, ...Object.values(c)]);
});

test('gradient with KL and entropy terms matches finite differences', () => {
  const rng = new Rng(8);
  const [n, t] = [2, 3];
  const lp0 = Float32Array.from(rng.normals(n * t, 0.3), (v) => v - 1);
  const old = tf.tensor2d(Float32Array.from(lp0, (v, i) => v + (i % 2 ? 0.05 : -0.05)), [n, t]); // rho inside the band
  const ref = tf.tensor2d(rng.normals(n * t, 0.3).map((v) => v - 1), [n, t]);
  const ent = tf.tensor2d(rng.normals(n * t, 1), [n, t]);
  const inputs = (lp: tf.Tensor): SurrogateInputs => ({
    logp: lp,
    oldLogp: old,
    advantages: tf.tensor1d([0.8, -0.6]),
    mask: tf.tensor2d([1, 1, 0, 1, 1, 1], [n, t]),
    refLogp: ref,
    entropy: ent,
  });
  const opts: SurrogateOptions = { beta: 0.3, entropyCoef: 0.01, lossAggregation: 'sequence-mean' };
  const f = (x: Float32Array): number =>
    tf.tidy(() => clippedSurrogate(inputs(tf.tensor2d(x, [n, t])), opts).loss.dataSync()[0]!);
  const lp = tf.tensor2d(lp0, [n, t]);
  const g = tf.tidy(() => tf.grad((z: tf.Tensor) => clippedSurrogate(inputs(z), opts).loss)(lp));
  const h = 1e-2;
  const fd = Array.from(lp0, (_, i) => {
    const up = Float32Array.from(lp0);
    const dn = Float32Array.from(lp0);
    up[i]! += h;
    dn[i]! -= h;
    return (f(up) - f(dn)) / (2 * h);
  });
  near(g.dataSync(), fd, 2e-3, 'analytic vs finite-difference gradient');
  tf.dispose([old, ref, ent, lp, g]);
});

test('huge log-ratios stay finite when clipped; NaN propagates', () => {
  const inputs = {
    logp: tf.tensor2d([[0, -80]]),
    oldLogp: tf.tensor2d([[-80, 0]]),
    advantages: tf.tensor1d([1]),
    mask: tf.tensor2d([[1, 1]]),
  };
  const out = clippedSurrogate(inputs);
  const loss = out.loss.dataSync()[0]!;
  readSurrogateMetrics(out.metrics);
  // rho = e^80 is clipped to 1.2; rho = e^-80 ~ 0 keeps its own (tiny) value: loss = -(1.2 + ~0) / 2.
  assert.ok(Math.abs(loss - -0.6) < 1e-5, `loss ${loss}`);
  const nan = clippedSurrogate({ ...inputs, logp: tf.tensor2d([[NaN, 0]]) });
  assert.ok(Number.isNaN(nan.loss.dataSync()[0]!), 'a NaN log-prob must not be hidden');
  readSurrogateMetrics(nan.metrics);
  tf.dispose([out.loss, nan.loss, ...Object.values(inputs)]);
});

test('bad parameters and shapes are clear errors; no tensors leak', () => {
  const c = handCase();
  const before = tf.memory().numTensors;
  assert.throws(() => clippedSurrogate(c, { epsilon: 0 }), /epsilon must be in \(0, 1\), got 0/);
  assert.throws(() => clippedSurrogate(c, { epsilon: -0.1 }), /epsilon must be in \(0, 1\)/);
  assert.throws(() => clippedSurrogate(c, { epsilonHigh: 0 }), /epsilonHigh must be finite and > 0/);
  assert.throws(() => clippedSurrogate(c, { beta: 0.1 }), /beta=0.1 > 0 needs refLogp/);
  assert.throws(() => clippedSurrogate(c, { beta: -1 }), /beta must be finite and >= 0/);
  assert.throws(() => clippedSurrogate(c, { entropyCoef: 0.1 }), /entropyCoef=0.1 > 0 needs entropy/);
  assert.throws(() => clippedSurrogate(c, { lossAggregation: 'sum' as never }), /lossAggregation "sum" is not one of token-mean, sequence-mean/);
  const badAdv = tf.tensor1d([1, 2, 3]);
  assert.throws(() => clippedSurrogate({ ...c, advantages: badAdv }), /advantages must have shape \[2\], got \[3\]/);
  badAdv.dispose();
  assert.equal(tf.memory().numTensors, before, 'a rejected call creates no tensors');
  for (let i = 0; i < 5; i++) {
    const out = clippedSurrogate(c, { beta: 0 });
    readSurrogateMetrics(out.metrics);
    out.loss.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'loss + metrics are the only outputs');
  tf.dispose(Object.values(c));
});
