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
  selfFilter,
  VERIFICATION_GAP_PRESETS,
  withOwnCheck,
  type VerificationGapConfig,
} from '../../src/experiments/verification-gap.js';
import { verificationGapClaims } from '../../src/experiments/verification-gap-claims.js';
import { evaluateClaim } from '../../src/notebook/claims.js';

test('selfFilter: threshold, best-of-n per prompt, top fraction of the pool', () => {
  // 2 prompts x 4 samples.
  const pYes = [0.9, 0.2, 0.6, 0.6, 0.3, 0.1, 0.4, 0.35];
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'threshold' }), [0, 2, 3]);
  // Per prompt the 2 highest; the tie at 0.6 keeps both, prompt 1 keeps its 2 best although both are below 0.5.
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'topPerPrompt', keep: 2 }), [0, 2, 6, 7]);
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'topPerPrompt', keep: 1 }), [0, 6]);
  // The top quarter of the pool: 0.9 and the earlier 0.6.
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'poolFraction', fraction: 0.25 }), [0, 2]);
  assert.throws(() => selfFilter(pYes, 3, 0.5, { kind: 'threshold' }), /perPrompt/);
});

test('config validation names the field', async () => {
  const bad = { ...VERIFICATION_GAP_PRESETS.quick, tauGrid: [0.7, 0.9] };
  const badKeep = { ...VERIFICATION_GAP_PRESETS.quick, selfImprove: { ...VERIFICATION_GAP_PRESETS.quick.selfImprove, filter: { kind: 'topPerPrompt' as const, keep: 99 } } };
  await assert.rejects(runVerificationGap(bad), /tauGrid/);
  await assert.rejects(runVerificationGap(badKeep), /selfImprove\.filter\.keep/);
  const q = VERIFICATION_GAP_PRESETS.quick;
  const own = { startStep: 200, refreshEvery: 10, prompts: 8, samplesPerPrompt: 2, temperature: 0.7, fraction: 0.5 };
  const badOwn = { ...q, pretrain: { ...q.pretrain, sum3: { ...q.pretrain.sum3, ownCheck: own } } };
  await assert.rejects(runVerificationGap(badOwn), /pretrain\.sum3\.ownCheck\.startStep/);
  // withOwnCheck adds the searched design from mid-pretraining on, without touching the preset (whose cache keys stay).
  const d = VERIFICATION_GAP_PRESETS.default;
  const w = withOwnCheck(d);
  assert.equal(w.pretrain.sum3.ownCheck!.startStep, d.pretrain.sum3.steps / 2);
  assert.equal(w.pretrain.facts.ownCheck!.startStep, d.pretrain.facts.steps / 2);
  for (const preset of Object.values(VERIFICATION_GAP_PRESETS)) for (const t of preset.tasks) assert.equal(preset.pretrain[t].ownCheck, undefined);
  const badReplay = { ...q, selfImprove: { ...q.selfImprove, ownReplayFraction: 1.5 } };
  await assert.rejects(runVerificationGap(badReplay), /selfImprove\.ownReplayFraction/);
});

test('own-sample CHECK data (pretraining and self-improvement replay) trains, changes the base, leaks nothing', async () => {
  await initBackend({ quiet: true });
  const cacheDir = mkdtempSync(join(tmpdir(), 'vgap-own-'));
  process.env['RLREPRO_CACHE_DIR'] = cacheDir;
  try {
    const sum3 = { steps: 12, batchSize: 16, lr: 3e-3, minLr: 3e-4, warmupSteps: 2, checkFraction: 0.5 };
    const config: VerificationGapConfig = {
      ...VERIFICATION_GAP_PRESETS.quick,
      tasks: ['sum3'],
      sizes: [{ dModel: 16, nLayers: 1 }],
      seeds: [0],
      pretrain: { ...VERIFICATION_GAP_PRESETS.quick.pretrain, sum3 },
      evalPrompts: 4,
      tauPrompts: 4,
      samples: 8,
      ks: [1, 4],
      selfImprove: { rounds: 1, promptsPerRound: 6, samplesPerPrompt: 4, epochs: 1, batchSize: 8, lr: 1e-4, replayFraction: 0.5, arms: ['filtered', 'unfiltered'], filter: { kind: 'threshold' } },
      workers: 1,
    };
    const noise = await runVerificationGap({ ...config, selfImprove: { ...config.selfImprove, rounds: 0 } });
    const ownCheck = { startStep: 4, refreshEvery: 4, prompts: 6, samplesPerPrompt: 3, temperature: 0.7, fraction: 0.5 };
    const withOwn: VerificationGapConfig = {
      ...config,
      pretrain: { ...config.pretrain, sum3: { ...sum3, ownCheck } },
      selfImprove: { ...config.selfImprove, ownReplayFraction: 0.5 },
    };
    const before = tf.memory().numTensors;
    const r = await runVerificationGap(withOwn);
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    // A different cache entry (not a hit on the noise-only base) and different weights, hence different verdicts.
    assert.equal(r.sizes[0]!.cacheHit, false);
    assert.notDeepEqual(r.sizes[0]!.eval.meanPYes, noise.sizes[0]!.eval.meanPYes);
    assert.equal(r.selfImprove.length, 2);
    for (const run of r.selfImprove) assert.ok(run.rounds[1]!.fineTuneSteps! > 0 && Number.isFinite(run.rounds[1]!.eval.accuracy));
    // Without ownCheck the key is the old one: the noise-only base hits the cache.
    const again = await runVerificationGap({ ...config, selfImprove: { ...config.selfImprove, rounds: 0 } });
    assert.ok(again.sizes[0]!.cacheHit);
  } finally {
    delete process.env['RLREPRO_CACHE_DIR'];
    rmSync(cacheDir, { recursive: true, force: true });
  }
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
      seeds: [0],
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
    assert.equal(r.sizes.length, 2 * 2);
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
    assert.equal(r.selfImprove.length, 2 * 2);
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
