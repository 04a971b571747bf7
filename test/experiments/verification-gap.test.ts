import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import {
  chooseTau,
  verificationGap,
  VERIFICATION_GAP_PRESETS,
  type SizeRunResult,
  type VerificationGapConfig,
} from '../../src/experiments/verification-gap/index.js';
import { evaluateClaim } from '../../src/notebook/claims.js';

test('config validation names the field', async () => {
  const q = verificationGap.preset('quick');
  for (const preset of Object.keys(VERIFICATION_GAP_PRESETS)) verificationGap.validate(verificationGap.preset(preset));
  assert.throws(() => verificationGap.validate({ ...q, tauGrid: [0.7, 0.9] }), /verification-gap: config\.tauGrid must be values in \(0, 1\) including 0\.5/);
  const keep = (k: number) => ({ ...q, selfImprove: { ...q.selfImprove, filter: { kind: 'topPerPrompt' as const, keep: k } } });
  verificationGap.validate(keep(2));
  assert.throws(() => verificationGap.validate(keep(99)), /config\.selfImprove\.filter\.keep must be an integer in \[1, samplesPerPrompt = 8\]/);
  assert.throws(() => verificationGap.validate({ ...q, pretrain: { ...q.pretrain, sum3: { ...q.pretrain.sum3, stepz: 3 } } } as never), /config\.pretrain\.sum3\.stepz is not a field/);
  assert.throws(() => verificationGap.validate({ ...q, seeds: [0, 0, 1] }), /config\.seeds must not repeat/);
  await assert.rejects(verificationGap.execute({ ...q, ks: [1, 65] }), /config\.ks must be positive integers <= samples \(64\)/);
});

test('runs: the size sweep first (largest size first), the self-improvement runs once tau can be chosen from it', () => {
  const q = verificationGap.preset('quick');
  const sizes = verificationGap.runs(q);
  assert.equal(sizes.length, 3 * 2 * 3);
  assert.ok(sizes.every((r) => r.phase === 'sizes'));
  assert.equal(sizes[0]!.id, 'sizes/sum3/d32x2/seed0');
  assert.equal(new Set(sizes.map((r) => r.id)).size, sizes.length, 'ids are unique');
  // Finished size runs (fake outputs whose tau split gains most at tau 0.7) let the planner list phase self-improve.
  const grid = q.tauGrid;
  const output = (task: string): Partial<SizeRunResult> => ({ task: task as 'sum3', tauSplit: { curve: grid.map((tau) => ({ tau, gap: tau === 0.7 ? 0.1 : 0, relativeGap: 0, kept: 0.5 })) } as never });
  const done = sizes.map((r) => ({ ...r, output: output((r.spec as { task: string }).task) as SizeRunResult }));
  const all = verificationGap.runs(q, done);
  const si = all.filter((r) => r.phase === 'self-improve');
  assert.deepEqual(si.map((r) => r.id), ['sum3', 'facts'].flatMap((t) => [0, 1, 2].map((s) => `self-improve/${t}/filtered/seed${s}`)));
  assert.ok(si.every((r) => (r.spec as { tau: number; size: { dModel: number; nLayers: number } }).tau === 0.7));
  assert.ok(si.every((r) => sizeOfSpec(r.spec) === 'd32x2'), 'self-improvement runs on the largest size');
});

function sizeOfSpec(spec: unknown): string {
  const s = (spec as { size: { dModel: number; nLayers: number } }).size;
  return `d${s.dModel}x${s.nLayers}`;
}

test('verificationGap on a tiny config: every task, size, seed and arm runs and records metrics', async () => {
  await initBackend({ quiet: true });
  const cacheDir = mkdtempSync(join(tmpdir(), 'vgap-test-'));
  try {
    const config: VerificationGapConfig = {
      ...VERIFICATION_GAP_PRESETS.quick,
      sizes: [
        { dModel: 16, nLayers: 1 },
        { dModel: 16, nLayers: 2 },
      ],
      seeds: [0, 1, 2], // a claim check needs 3
      pretrain: {
        sum3: { steps: 15, batchSize: 16, lr: 3e-3, minLr: 3e-4, warmupSteps: 2, checkFraction: 0.5 },
        facts: { steps: 10, batchSize: 16, lr: 3e-3, minLr: 3e-4, warmupSteps: 2, checkFraction: 0.5 },
      },
      factsKeys: 100,
      evalPrompts: 4,
      tauPrompts: 4,
      samples: 8,
      ks: [1, 4],
      selfImprove: { rounds: 2, promptsPerRound: 6, samplesPerPrompt: 4, epochs: 1, batchSize: 8, lr: 1e-4, replayFraction: 0.5, arms: ['filtered', 'unfiltered'], filter: { kind: 'topPerPrompt', keep: 2 } },
      workers: 1,
    };
    const before = tf.memory().numTensors;
    const r = await verificationGap.execute(config, { cacheDir });
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    assert.equal(r.sizes.length, 2 * 2 * 3);
    for (const s of r.sizes) {
      assert.ok(s.params > 0 && s.flops === 6 * s.params * s.tokens);
      assert.equal(s.eval.curve.length, config.tauGrid.length);
      assert.ok(s.eval.accuracy >= 0 && s.eval.accuracy <= 1);
      assert.ok(s.eval.meanPYes > 0 && s.eval.meanPYes < 1);
      assert.ok(s.eval.curve[0]!.kept >= s.eval.curve.at(-1)!.kept, 'kept fraction falls with tau');
      assert.deepEqual(Object.keys(s.eval.passAtK), ['1', '4']);
      assert.equal(s.cacheHit, false);
    }
    const d16x2 = r.sizes.filter((s) => s.size === 'd16x2');
    assert.ok(d16x2[0]!.params > r.sizes.find((s) => s.size === 'd16x1')!.params);
    assert.equal(r.taus.length, 2);
    for (const t of r.taus) assert.ok(config.tauGrid.includes(t.tau));
    assert.equal(r.selfImprove.length, 2 * 2 * 3);
    for (const run of r.selfImprove) {
      assert.equal(run.size, 'd16x2');
      assert.equal(run.rounds.length, 3);
      assert.equal(run.rounds[0]!.keptFraction, undefined);
      for (const rr of run.rounds.slice(1)) assert.ok(rr.keptFraction! >= 0 && rr.keptFraction! <= 1 && rr.fineTuneSteps! >= 0);
    }
    // The filtered and unfiltered arms keep the same number of samples per round (the control matches the count).
    const f = r.selfImprove.find((x) => x.task === 'sum3' && x.arm === 'filtered')!;
    const u = r.selfImprove.find((x) => x.task === 'sum3' && x.arm === 'unfiltered')!;
    assert.equal(f.rounds[1]!.keptFraction, u.rounds[1]!.keptFraction);
    assert.equal(f.rounds[1]!.keptFraction, 2 / 4, 'best 2 of 4 per prompt');
    // The claim specs: one number per seed each, all finite, and every one evaluates.
    const specs = verificationGap.claims(r);
    assert.deepEqual(
      specs.map((x) => x.id),
      ['gap-positive-verifiable', 'no-gap-facts-d16x1', 'no-gap-facts-d16x2', 'gap-verifiable-exceeds-facts',
        'self-improve-helps-verifiable', 'self-improve-saturates', 'pass1-rises', 'distinct-answers-fall', 'self-improve-not-facts'],
    );
    for (const spec of specs) {
      assert.equal(spec.ours.length, config.seeds.length, spec.id);
      assert.equal(evaluateClaim(spec).id, spec.id);
    }
    // A second run hits the training cache and reproduces the sweep exactly.
    const again = await verificationGap.execute({ ...config, selfImprove: { ...config.selfImprove, rounds: 0 } }, { cacheDir });
    assert.ok(again.sizes.every((s) => s.cacheHit));
    assert.deepEqual(again.sizes.map((s) => s.eval), r.sizes.map((s) => s.eval));
    assert.deepEqual(chooseTau(again.sizes, 'sum3', config.tauGrid, config.minKept), r.taus[0]);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
