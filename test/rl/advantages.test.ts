import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  advantageFn,
  grpoAdvantages,
  nsrAdvantages,
  psrAdvantages,
  reinforceAdvantages,
  reinforceBaselineAdvantages,
  wReinforceAdvantages,
} from '../../src/rl/advantages.js';

const f32 = (a: number[]) => Float32Array.from(a);
const near = (a: ArrayLike<number>, b: number[], tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('GRPO: group-normalised with the unbiased std, zero when a group is constant', () => {
  const a = grpoAdvantages({ rewards: f32([1, 0, 0, 0, 1, 1, 1, 1]), groupSize: 4 });
  // group 1: mean 0.25, sample std sqrt(0.25) = 0.5 -> (1-0.25)/0.5 = 1.5, -0.5
  near(a.subarray(0, 4), [1.5, -0.5, -0.5, -0.5], 1e-5);
  near(a.subarray(4), [0, 0, 0, 0], 1e-12);
  const same = grpoAdvantages({ rewards: f32([0.3, 0.3, 0.3]), groupSize: 3 });
  assert.deepEqual([...same], [0, 0, 0]);
  const unscaled = grpoAdvantages({ rewards: f32([1, 0, 0, 0]), groupSize: 4 }, { scaleByStd: false });
  near(unscaled, [0.75, -0.25, -0.25, -0.25]);
});

test('REINFORCE raw and with a group-mean baseline', () => {
  near(reinforceAdvantages({ rewards: f32([1, -1, 0.5]), groupSize: 1 }), [1, -1, 0.5]);
  near(reinforceBaselineAdvantages({ rewards: f32([1, 0, 2, 2]), groupSize: 2 }), [0.5, -0.5, 0, 0]);
  // signedReward: 0/1 rewards become -1/+1 (Zhu et al.'s RLVR = PSR + NSR); anything else is an error.
  near(reinforceAdvantages({ rewards: f32([1, 0, 0, 1]), groupSize: 2 }, { signedReward: true }), [1, -1, -1, 1]);
  near(advantageFn('reinforce', { signedReward: true })({ rewards: f32([0, 1]), groupSize: 1 }), [-1, 1]);
  assert.throws(() => reinforceAdvantages({ rewards: f32([1, 0.5]), groupSize: 1 }, { signedReward: true }), /signedReward needs rewards in \{0, 1\}, got rewards\[1\] = 0.5/);
  assert.throws(() => advantageFn('grpo', { signedReward: true }), /option "signedReward" does not apply to "grpo"/);
});

test('PSR, NSR and W-REINFORCE read correctness', () => {
  const input = { rewards: f32([1, 0, 0, 1]), groupSize: 2, correct: Uint8Array.from([1, 0, 0, 1]) };
  near(psrAdvantages(input), [1, 0, 0, 1]);
  near(nsrAdvantages(input), [0, -1, -1, 0]);
  near(wReinforceAdvantages(input), [0.1, -1, -1, 0.1]);
  near(wReinforceAdvantages(input, { lambda: 0.5 }), [0.5, -1, -1, 0.5]);
  // W-REINFORCE with lambda = 1 is REINFORCE with r in {+1, -1} = PSR + NSR.
  const w1 = wReinforceAdvantages(input, { lambda: 1 });
  const sum = psrAdvantages(input).map((v, i) => v + nsrAdvantages(input)[i]!);
  near(w1, [...sum]);
});

test('bad input is a clear error', () => {
  assert.throws(() => grpoAdvantages({ rewards: f32([1, 0, 1]), groupSize: 1 }), /groupSize must be an integer >= 2/);
  assert.throws(() => grpoAdvantages({ rewards: f32([1, 0, 1]), groupSize: 2 }), /not divisible by groupSize=2/);
  assert.throws(() => grpoAdvantages({ rewards: f32([1, NaN]), groupSize: 2 }), /rewards\[1\] must be finite/);
  assert.throws(() => psrAdvantages({ rewards: f32([1, 0]), groupSize: 2 }), /needs the correct mask/);
  assert.throws(() => nsrAdvantages({ rewards: f32([1, 0]), groupSize: 2, correct: Uint8Array.from([1]) }), /correct.length=1/);
  assert.throws(() => wReinforceAdvantages({ rewards: f32([1]), groupSize: 1, correct: Uint8Array.from([1]) }, { lambda: -1 }), /lambda/);
});

test('registry by name', () => {
  const grpo = advantageFn('grpo', { scaleByStd: false });
  near(grpo({ rewards: f32([1, 0]), groupSize: 2 }), [0.5, -0.5]);
  const w = advantageFn('w-reinforce', { lambda: 0.2 });
  near(w({ rewards: f32([1, 0]), groupSize: 2, correct: Uint8Array.from([1, 0]) }), [0.2, -1]);
  assert.throws(() => advantageFn('ppo'), /unknown advantage "ppo"; valid names are grpo, reinforce, reinforce-baseline, psr, nsr, w-reinforce/);
  assert.throws(() => advantageFn('nsr', { lambda: 0.1 }), /option "lambda" does not apply to "nsr"/);
});
