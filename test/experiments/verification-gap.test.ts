import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import {
  chooseTau,
  runVerificationGap,
  VERIFICATION_GAP_PRESETS,
  verificationGapClaims,
  type VerificationGapConfig,
} from '../../src/experiments/verification-gap/index.js';
import { evaluateClaim } from '../../src/notebook/claims.js';

test('config validation names the field', async () => {
  const bad = { ...VERIFICATION_GAP_PRESETS.quick, tauGrid: [0.7, 0.9] };
  const badKeep = { ...VERIFICATION_GAP_PRESETS.quick, selfImprove: { ...VERIFICATION_GAP_PRESETS.quick.selfImprove, filter: { kind: 'topPerPrompt' as const, keep: 99 } } };
  await assert.rejects(runVerificationGap(bad), /tauGrid/);
  await assert.rejects(runVerificationGap(badKeep), /selfImprove\.filter\.keep/);
});

test('runVerificationGap on a tiny config: every task, size, seed and arm runs and records metrics', async () => {
  await initBackend({ quiet: true });
  const cacheDir = mkdtempSync(join(tmpdir(), 'vgap-test-'));
  process.env['RLREPRO_CACHE_DIR'] = cacheDir;
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
    const r = await runVerificationGap(config);
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
    const specs = verificationGapClaims(r);
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
    const again = await runVerificationGap({ ...config, selfImprove: { ...config.selfImprove, rounds: 0 } });
    assert.ok(again.sizes.every((s) => s.cacheHit));
    assert.deepEqual(again.sizes.map((s) => s.eval), r.sizes.map((s) => s.eval));
    assert.deepEqual(chooseTau(again.sizes, 'sum3', config.tauGrid, config.minKept), r.taus[0]);
  } finally {
    delete process.env['RLREPRO_CACHE_DIR'];
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
