import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantSchedule, cosineSchedule, pretrainSchedule } from '../../src/train/index.js';

test('cosine schedule: linear warmup, peak, half-way value, floor', () => {
  const s = cosineSchedule({ lr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 });
  assert.equal(s.lrAt(0), 1e-3 / 11);
  assert.equal(s.lrAt(9), (1e-3 * 10) / 11);
  assert.equal(s.lrAt(10), 1e-3); // cos(0) = 1: the peak
  assert.ok(Math.abs(s.lrAt(60) - 5.5e-4) < 1e-12); // half way: (lr + minLr) / 2
  assert.equal(s.lrAt(110), 1e-4);
  assert.equal(s.lrAt(10_000), 1e-4);
  for (let i = 11; i < 110; i++) assert.ok(s.lrAt(i) < s.lrAt(i - 1), `decreasing at ${i}`);
  for (let i = 1; i < 10; i++) assert.ok(s.lrAt(i) > s.lrAt(i - 1), `warming up at ${i}`);
});

test('cosine schedule without warmup starts at the peak', () => {
  const s = cosineSchedule({ lr: 0.5, minLr: 0, warmupSteps: 0, totalSteps: 4 });
  assert.equal(s.lrAt(0), 0.5);
  assert.ok(Math.abs(s.lrAt(2) - 0.25) < 1e-15);
});

test('constant schedule, with and without warmup', () => {
  assert.equal(constantSchedule(0.1).lrAt(0), 0.1);
  assert.equal(constantSchedule(0.1).lrAt(999), 0.1);
  const w = constantSchedule(0.1, 4);
  assert.ok(Math.abs(w.lrAt(0) - 0.02) < 1e-15);
  assert.equal(w.lrAt(4), 0.1);
});

test('schedules reject bad input, naming the field', () => {
  const base = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 100 };
  assert.throws(() => cosineSchedule({ ...base, lr: 0 }), /cosineSchedule lr/);
  assert.throws(() => cosineSchedule({ ...base, minLr: 2e-3 }), /cosineSchedule minLr must be a number in \[0, 0.001\]/);
  assert.throws(() => cosineSchedule({ ...base, warmupSteps: -1 }), /warmupSteps must be an integer >= 0/);
  assert.throws(() => cosineSchedule({ ...base, warmupSteps: 101 }), /warmupSteps must be <= totalSteps/);
  assert.throws(() => cosineSchedule({ ...base, totalSteps: 0 }), /totalSteps must be an integer >= 1/);
  assert.throws(() => cosineSchedule(base).lrAt(-1), /lrAt step/);
  assert.throws(() => cosineSchedule(base).lrAt(1.5), /lrAt step/);
  assert.throws(() => constantSchedule(NaN), /constantSchedule lr/);
});

test('pretrainSchedule: lr / 10 floor, a tenth of the steps as warmup up to the cap, seed kept', () => {
  assert.deepEqual(pretrainSchedule({ steps: 1000, lr: 3e-3, seed: 4 }), { steps: 1000, lr: 3e-3, minLr: 3e-3 / 10, warmupSteps: 50, seed: 4 });
  assert.equal(pretrainSchedule({ steps: 300, lr: 1e-3, seed: 0 }).warmupSteps, 30);
  assert.equal(pretrainSchedule({ steps: 3000, lr: 1e-3, seed: 0 }, 100).warmupSteps, 100);
  assert.equal(pretrainSchedule({ steps: 3000, lr: 1e-3, seed: 0 }, 0).warmupSteps, 0);
});
