import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { AdamW, decayMatricesOnly, SGD } from '../../src/train/index.js';

await initBackend({ quiet: true });

// Fixed gradients per step for two parameters: a 2x2 matrix "w" and a bias "b".
const W0 = [0.5, -1.0, 2.0, 0.25];
const B0 = [0.1, -0.3];
const GW = [
  [0.1, -0.2, 0.3, 1.5],
  [-0.4, 0.05, 0.2, 1.0],
  [0.3, 0.3, -0.1, -2.0],
];
const GB = [
  [1.0, -0.5],
  [0.2, 0.4],
  [-0.7, 0.01],
];

/** torch.optim.AdamW's rule written out in float64 JS (docs' algorithm; not tfjs). */
function torchAdamW(p0: number[], grads: number[][], o: { lr: number; b1: number; b2: number; eps: number; wd: number }): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, i) => {
    const t = i + 1;
    for (let j = 0; j < p.length; j++) {
      p[j] = p[j]! * (1 - o.lr * o.wd);
      m[j] = o.b1 * m[j]! + (1 - o.b1) * g[j]!;
      v[j] = o.b2 * v[j]! + (1 - o.b2) * g[j]! * g[j]!;
      const stepSize = o.lr / (1 - o.b1 ** t);
      const denom = Math.sqrt(v[j]!) / Math.sqrt(1 - o.b2 ** t) + o.eps;
      p[j] = p[j]! - (stepSize * m[j]!) / denom;
    }
  });
  return p;
}

function makeParams(): Record<string, tf.Variable> {
  return { w: tf.variable(tf.tensor2d(W0, [2, 2])), b: tf.variable(tf.tensor1d(B0)) };
}

function run(opt: { applyGradients: AdamW['applyGradients'] }, params: Record<string, tf.Variable>, steps = 3): void {
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => opt.applyGradients(params, { w: tf.tensor2d(GW[i]!, [2, 2]), b: tf.tensor1d(GB[i]!) }));
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: got ${a}, expected ${e}`);
  }
}

function dispose(params: Record<string, tf.Variable>): void {
  for (const v of Object.values(params)) v.dispose();
}

test('AdamW matches torch.optim.AdamW over 3 steps (decay on the matrix only)', () => {
  const o = { lr: 0.05, b1: 0.9, b2: 0.95, eps: 1e-8, wd: 0.1 };
  const params = makeParams();
  const opt = new AdamW({ lr: o.lr, beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: o.wd, shouldDecay: decayMatricesOnly });
  run(opt, params);
  assertClose(params['w']!.dataSync(), torchAdamW(W0, GW, o), 1e-6, 'w');
  assertClose(params['b']!.dataSync(), torchAdamW(B0, GB, { ...o, wd: 0 }), 1e-6, 'b');
  assert.equal(opt.step, 3);
  // The update moved the weights by more than the tolerance (the test can fail).
  const moved = Math.max(...Array.from(params['w']!.dataSync(), (x, i) => Math.abs(x - W0[i]!)));
  assert.ok(moved > 0.05, `moved ${moved}`);
  opt.dispose();
  dispose(params);
});

test('AdamW default decays every parameter, as torch does', () => {
  const o = { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01 };
  const params = makeParams();
  const opt = new AdamW({ lr: o.lr });
  run(opt, params);
  assertClose(params['b']!.dataSync(), torchAdamW(B0, GB, o), 1e-6, 'b');
  assertClose(params['w']!.dataSync(), torchAdamW(W0, GW, o), 1e-6, 'w');
  opt.dispose();
  dispose(params);
});

test('AdamW with weightDecay 0 equals tfjs Adam (plain Adam) and the reference', () => {
  const o = { lr: 0.02, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0 };
  const mine = makeParams();
  const theirs = makeParams();
  const opt = new AdamW({ lr: o.lr, beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: 0 });
  const adam = tf.train.adam(o.lr, o.b1, o.b2, o.eps);
  run(opt, mine);
  for (let i = 0; i < 3; i++) {
    const g: Record<string, tf.Tensor> = { [theirs['w']!.name]: tf.tensor2d(GW[i]!, [2, 2]), [theirs['b']!.name]: tf.tensor1d(GB[i]!) };
    adam.applyGradients(g as never);
    Object.values(g).forEach((t) => t.dispose());
  }
  assertClose(mine['w']!.dataSync(), theirs['w']!.dataSync(), 1e-6, 'w vs tf Adam');
  assertClose(mine['b']!.dataSync(), theirs['b']!.dataSync(), 1e-6, 'b vs tf Adam');
  assertClose(mine['w']!.dataSync(), torchAdamW(W0, GW, o), 1e-6, 'w vs reference');
  opt.dispose();
  adam.dispose();
  dispose(mine);
  dispose(theirs);
});

test('AdamW state round-trips through typed arrays: resumed step 3 equals uninterrupted step 3', () => {
  const a = makeParams();
  const optA = new AdamW({ lr: 0.05, weightDecay: 0.1 });
  run(optA, a, 3);

  const b = makeParams();
  const optB = new AdamW({ lr: 0.05, weightDecay: 0.1 });
  run(optB, b, 2);
  const state = optB.getState();
  assert.equal(state.step, 2);
  assert.deepEqual(Object.keys(state.slots).sort(), ['m', 'v']);
  assert.ok(state.slots['m']!['w']!.data instanceof Float32Array);
  assert.deepEqual(state.slots['m']!['w']!.shape, [2, 2]);
  optB.dispose();
  const optC = new AdamW({ lr: 0.05, weightDecay: 0.1 });
  optC.setState(state);
  tf.tidy(() => optC.applyGradients(b, { w: tf.tensor2d(GW[2]!, [2, 2]), b: tf.tensor1d(GB[2]!) }));
  assert.deepEqual(Array.from(b['w']!.dataSync()), Array.from(a['w']!.dataSync()));
  assert.deepEqual(Array.from(b['b']!.dataSync()), Array.from(a['b']!.dataSync()));
  assert.equal(optC.step, 3);
  optA.dispose();
  optC.dispose();
  dispose(a);
  dispose(b);
});

test('AdamW: tensor count is flat over steps; parameters without a gradient are untouched', () => {
  const params = makeParams();
  const opt = new AdamW({ lr: 0.01 });
  const step = () => tf.tidy(() => opt.applyGradients(params, { w: tf.ones([2, 2]) }));
  step();
  step();
  const n = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) step();
  assert.equal(tf.memory().numTensors, n);
  assert.deepEqual(Array.from(params['b']!.dataSync()), B0.map((x) => Math.fround(x)));
  opt.dispose();
  dispose(params);
});

test('AdamW: bad options and bad state are errors naming the field', () => {
  assert.throws(() => new AdamW({ beta1: 1 }), /AdamW beta1 must be a number in \[0, 1\)/);
  assert.throws(() => new AdamW({ lr: -1 }), /AdamW lr/);
  assert.throws(() => new AdamW({ eps: 0 }), /AdamW eps/);
  assert.throws(() => new AdamW({ weightDecay: NaN }), /AdamW weightDecay/);
  assert.throws(() => new AdamW({ betas: [0.9, 0.9] } as never), /unknown key "betas"/);
  const opt = new AdamW();
  assert.throws(() => (opt.lr = Infinity), /AdamW lr/);
  assert.throws(() => opt.setState({ kind: 'sgd', step: 0, slots: {} }), /expected "adamw"/);
  opt.setState({ kind: 'adamw', step: 1, slots: { m: { w: { shape: [3], data: new Float32Array(3) } }, v: { w: { shape: [3], data: new Float32Array(3) } } } });
  const params = makeParams();
  assert.throws(() => tf.tidy(() => opt.applyGradients(params, { w: tf.ones([2, 2]) })), /slot "m" of parameter "w" has shape \[3\]/);
  assert.throws(() => tf.tidy(() => opt.applyGradients(params, { b: tf.ones([3]) })), /gradient of "b" has shape \[3\]/);
  opt.dispose();
  dispose(params);
});

test('SGD matches torch.optim.SGD with momentum and weight decay over 3 steps', () => {
  const lr = 0.1, mu = 0.9, wd = 0.01;
  const p = [...W0];
  const buf = p.map(() => 0);
  for (const g of GW)
    for (let j = 0; j < p.length; j++) {
      const gj = g[j]! + wd * p[j]!;
      buf[j] = mu * buf[j]! + gj;
      p[j] = p[j]! - lr * buf[j]!;
    }
  const params = makeParams();
  const opt = new SGD({ lr, momentum: mu, weightDecay: wd });
  run(opt, params);
  assertClose(params['w']!.dataSync(), p, 1e-6, 'w');
  // Plain SGD: p - lr * sum of gradients.
  const plain = makeParams();
  const sgd = new SGD({ lr });
  run(sgd, plain);
  assertClose(plain['b']!.dataSync(), B0.map((x, j) => x - lr * (GB[0]![j]! + GB[1]![j]! + GB[2]![j]!)), 1e-6, 'b');
  assert.throws(() => new SGD({ momentum: 1 }), /SGD momentum/);
  const st = opt.getState();
  assert.equal(st.step, 3);
  assert.deepEqual(st.slots['momentum']!['w']!.shape, [2, 2]);
  opt.dispose();
  sgd.dispose();
  dispose(params);
  dispose(plain);
});
