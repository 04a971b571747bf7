/**
 * Mechanics of the negative-reinforcement experiment on a tiny config (not the claim): each seed pretrains its own
 * base (different weights per seed; seed 0's cache key unchanged), every (arm, seed) trains and is evaluated at its checkpoints, the metrics the notebook reads are
 * recorded, the base is scored on a common evaluation stream in every run of a seed, one-update arms never clip,
 * the claim specs are built from all seeds, and a run leaks no tensors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import {
  armAdvantage,
  armGain,
  armRL,
  basePretrain,
  controlArms,
  mainArms,
  negativeReinforcement,
  negativeReinforcementClaims,
  negativeReinforcementRun,
  NEG_PRESETS,
  topicKeysBase,
  type NegativeReinforcementConfig,
  type NegRunSpec,
} from '../../src/experiments/negative-reinforcement/index.js';

await initBackend({ quiet: true });

const cacheDir = mkdtempSync(join(tmpdir(), 'negrl-test-'));
const tiny: NegativeReinforcementConfig = {
  ...NEG_PRESETS.quick,
  model: { dModel: 16, nHeads: 2, nLayers: 1 },
  pretrain: { steps: 30, batchSize: 32, lr: 3e-3, seed: 0 },
  rl: { ...NEG_PRESETS.quick.rl, steps: 2, promptsPerStep: 4, numGenerations: 4, miniBatchSize: 8, epochs: 2 },
  arms: [...mainArms(), ...controlArms(0.01).filter((a) => a.name === 'NSR, SGD 1 update' || a.name === 'PSR, Adam no clip')],
  eval: { problems: 10, samples: 8, ks: [1, 2, 4], checkpoints: [1, 2] },
  footprintSteps: 2,
  seeds: [0, 1],
  workers: 1,
};

test('advantages: REINFORCE sees rewards in {+1, -1}; PSR/NSR/W as defined; one-update arms use the whole batch', () => {
  const input = { rewards: Float32Array.from([1, 0, 0, 1]), groupSize: 2, correct: Uint8Array.from([1, 0, 0, 1]) };
  const adv = (name: string) => Array.from(armAdvantage(mainArms().find((a) => a.name === name)!)(input));
  assert.deepEqual(adv('REINFORCE'), [1, -1, -1, 1]);
  assert.deepEqual(adv('PSR'), [1, 0, 0, 1]);
  assert.deepEqual(adv('NSR'), [0, -1, -1, 0]);
  assert.deepEqual(adv('W-REINFORCE').map((x) => Math.round(x * 10) / 10), [0.1, -1, -1, 0.1]);
  const sgd = controlArms(0.01)[0]!;
  assert.deepEqual({ ...armRL(NEG_PRESETS.default.rl, sgd) }, { ...NEG_PRESETS.default.rl, optimizer: 'sgd', lr: 0.01, miniBatchSize: 512, epochs: 1 });
  assert.throws(() => armAdvantage({ name: 'x', advantage: 'psr', lambda: 0.5 }), /lambda applies only to w-reinforce/);
});

const rlSpecs = (c: NegativeReinforcementConfig): NegRunSpec[] => negativeReinforcement.runs(c).filter((r) => r.phase === 'rl').map((r) => r.spec);
const ctx = { cacheDir, progress: () => {} };

test('every arm and seed runs, with the metrics the notebook reads', async () => {
  const res = await negativeReinforcement.execute(tiny, { cacheDir });
  assert.deepEqual(res.bases.map((b) => [b.arm, b.seed, b.pretrainSeed]), [[null, 0, 0], [null, 1, 1]]);
  for (const b of res.bases) assert.deepEqual(b.evalSteps, [0]);
  assert.equal(res.runs.length, rlSpecs(tiny).length);
  assert.equal(res.runs.length, 7 * 2);
  assert.deepEqual(negativeReinforcement.runs(tiny).slice(0, 4).map((r) => r.id), ['base/seed0', 'base/seed1', 'rl/psr/seed0', 'rl/psr/seed1']);
  assert.ok(res.cpuSeconds > 0);
  for (const r of res.runs) {
    assert.deepEqual(r.evalSteps, [0, 1, 2], `${r.arm}/${r.seed}`);
    for (const e of r.evals)
      for (const cls of ['all', 'easy', 'hard'] as const) {
        assert.deepEqual(Object.keys(e[cls].passAtK).map(Number), [1, 2, 4]);
        assert.ok(e[cls].passAtK[1]! <= e[cls].passAtK[4]! + 1e-12, 'pass@k grows with k');
        assert.ok(Number.isFinite(e[cls].entropy) && e[cls].entropy >= 0);
      }
    for (const k of ['clipFraction', 'clipFractionNonzero', 'approxKL', 'accuracy', 'footprint', 'deltaOwn', 'deltaFresh'])
      assert.equal(r.history.metrics[k]!.length, 2, `${r.arm} history ${k}`);
    if (r.arm === 'NSR, SGD 1 update') assert.ok(r.history.metrics['clipFraction']!.every((x) => x === 0), 'one update: no clipping');
    if (r.arm === 'PSR, Adam no clip') assert.ok(r.history.metrics['clipFraction']!.every((x) => x === 0), 'clip off');
    // the base is measured on the same evaluation stream in every run of a seed (common random numbers)
    // ... and that base is the seed's own one, measured in the base phase (claims pair each seed with its base)
    const base = res.bases.find((b) => b.seed === r.seed)!;
    assert.equal(r.pretrainSeed, r.seed);
    assert.deepEqual(r.evals[0], base.evals[0]);
  }
  const nsr = res.runs.find((r) => r.arm === 'NSR')!;
  assert.notEqual(nsr.evals[2]!.all.entropy, nsr.evals[0]!.all.entropy, 'NSR changed the policy');
  const specs = negativeReinforcementClaims(res);
  assert.ok(specs.length >= 9);
  for (const s of specs) assert.equal(s.ours.length, 2, s.id);
  assert.equal(armGain(res, 'NSR', 2, { passAtK: 4 }, 'hard').length, 2);
  assert.throws(() => armGain(res, 'NSR', 7, 'entropy'), /no evaluation at step 7/);
  // a second base call hits the training cache
  const again = await negativeReinforcementRun({ ...rlSpecs(tiny)[0]!, arm: null }, ctx);
  assert.equal(again.baseCacheHit, true);
  JSON.stringify(res); // plain data
});

test('each seed has its own base: different weights, and seed 0 keeps the one-base cache key', async () => {
  const runs = rlSpecs(tiny);
  assert.deepEqual(runs[0]!.pretrain, tiny.pretrain, 'seed 0 pretrains with the config as given (same cache key)');
  assert.deepEqual(basePretrain({ ...tiny.pretrain, seed: 10 }, 3), { ...tiny.pretrain, seed: 13 });
  assert.equal(runs[1]!.seed, 1);
  const b0 = await topicKeysBase(runs[0]!, cacheDir);
  const b1 = await topicKeysBase(runs[1]!, cacheDir);
  assert.ok(b0.hit && b1.hit, 'both bases were stored by the base phase');
  const w0 = b0.model.getWeights();
  const w1 = b1.model.getWeights();
  assert.deepEqual(Object.keys(w0), Object.keys(w1));
  assert.ok(Object.keys(w0).some((k) => w0[k]!.some((x, j) => x !== w1[k]![j])), 'seeds 0 and 1 share a base');
  b0.model.dispose();
  b1.model.dispose();
});

test('a run leaks no tensors, and bad configs name the field', async () => {
  const run = { ...rlSpecs(tiny)[1 * 2]!, rl: { ...tiny.rl, steps: 1 } };
  await negativeReinforcementRun(run, ctx);
  const before = tf.memory().numTensors;
  await negativeReinforcementRun(run, ctx);
  assert.equal(tf.memory().numTensors, before);
  const bad = (patch: Partial<NegativeReinforcementConfig> & Record<string, unknown>) => negativeReinforcement.execute({ ...tiny, ...patch } as NegativeReinforcementConfig);
  await assert.rejects(bad({ seeds: [] }), /negative-reinforcement: config\.seeds must be a non-empty list of integers/);
  await assert.rejects(bad({ seeds: [1, 1] }), /config\.seeds must not repeat a value/);
  await assert.rejects(bad({ eval: { ...tiny.eval, samples: 4 } }), /config\.eval\.samples \(4\) must be >= 2 \* max k/);
  await assert.rejects(bad({ task: { q1Easy: 2 } }), /config\.task: .*q1Easy/);
  await assert.rejects(bad({ rl: { ...tiny.rl, lrr: 1 } as never }), /config\.rl\.lrr is not a field of this config/);
  await assert.rejects(bad({ rl: { ...tiny.rl, miniBatchSize: 5 } }), /config\.arms\[0\] \(PSR\): rlConfig\.miniBatchSize \(5\) must divide/);
  await assert.rejects(bad({ arms: [{ name: 'X', advantage: 'psr', lambda: 0.5 }] }), /config\.arms\[0\] \(X\): arm X: lambda applies only to w-reinforce/);
  await assert.rejects(bad({ arms: [mainArms()[0]!, mainArms()[0]!] }), /config\.arms\[\]\.name must not repeat a value, got "PSR" twice/);
  assert.ok(negativeReinforcement.runs({ ...tiny, arms: [{ ...mainArms()[0]!, rl: { epochs: 3 } }] }).length > 0, 'a declared optional arm field');
  rmSync(cacheDir, { recursive: true, force: true });
});
