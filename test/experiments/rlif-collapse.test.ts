/**
 * Mechanics of the RLIF-collapse experiment on a tiny config (not the claim): base and instruct are pretrained and
 * measured, every (mix, arm, seed) trains and is evaluated on the schedule, the metrics the notebook reads are
 * recorded, runs have stable ids by phase, the claim specs are built, the equivalence helpers agree with their
 * definitions, and a run leaks no tensors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { generateHeldOutSet } from '../../src/tasks/dataset.js';
import { evalSchedule, RLIF_PRESETS, type RlifCollapseConfig } from '../../src/experiments/rlif-collapse/config.js';
import { pretrainedModels, rlifCollapse } from '../../src/experiments/rlif-collapse/run.js';
import {
  evalAt,
  intrinsicRewardAgreement,
  rlifArmRuns,
  rlifClaimSpecs,
  trajectoryEntropyGradientCheck,
} from '../../src/experiments/rlif-collapse/claims.js';
import { seedDeltas } from '../../src/experiments/seed-deltas.js';

await initBackend({ quiet: true });

const cacheDir = mkdtempSync(join(tmpdir(), 'rlif-test-'));
const tiny: RlifCollapseConfig = {
  ...RLIF_PRESETS.quick,
  model: { dModel: 16, nHeads: 2, nLayers: 1 },
  pretrain: { ...RLIF_PRESETS.quick.pretrain, steps: 20, batchSize: 16 },
  instruct: { ...RLIF_PRESETS.quick.instruct, steps: 5, batchSize: 16 },
  mixes: [0, 0.5, 1],
  arms: [
    { name: 'token-entropy', reward: 'token-entropy' },
    { name: 'token-entropy-sum', reward: 'token-entropy', normalisation: 'sum', mixes: [0] },
    { name: 'trajectory-likelihood', reward: 'trajectory-likelihood', mixes: [0, 1] },
    { name: 'self-certainty', reward: 'self-certainty', mixes: [0, 1] },
    { name: 'ground-truth', reward: 'ground-truth', mixes: [0, 1] },
  ],
  rl: { steps: 2, promptsPerStep: 4, numGenerations: 4, miniBatchSize: 8, epochs: 2, epsilon: 0.2, lr: 1e-4 },
  eval: { problems: 8, samples: 2, steps: [1] },
  checkpoints: { early: 1, final: 2 },
  temperatures: [1, 0.5],
  seeds: [0, 1],
  workers: 1,
};

test('every mix and arm runs, evaluated on the schedule, with the metrics the notebook reads', async () => {
  const planned = rlifCollapse.runs(tiny);
  assert.deepEqual([...new Set(planned.map((r) => r.phase))], ['pretrain', 'models', 'rl']);
  assert.deepEqual(planned.slice(0, 4).map((r) => r.id), ['pretrain/a0', 'models/a0.5', 'models/a1', 'rl/a0/token-entropy/seed0']);
  const res = await rlifCollapse.execute(tiny, { cacheDir });
  assert.equal(res.models.length, 3);
  for (const m of res.models) {
    assert.equal(m.arm, null);
    assert.deepEqual(m.temperatureSweep!.map((t) => t.temperature), [1, 0.5, 'greedy']);
    for (const k of ['accuracy', 'entropy', 'waitRate', 'length', 'fixedShare', 'carryErrorRate']) assert.ok(k in m.evals.metrics, k);
  }
  assert.equal(res.runs.length, planned.filter((r) => r.phase === 'rl').length);
  assert.equal(res.runs.length, (3 + 1 + 2 + 2 + 2) * 2, 'token-entropy on 3 mixes, the sum variant on base, the rest on base and instruct; 2 seeds');
  for (const r of res.runs) {
    assert.deepEqual(r.evals.step, [0, 1, 2], `${r.mix}/${r.arm}/${r.seed}`);
    for (const k of ['accuracy', 'entropy', 'entropyInWait', 'waitRate', 'length', 'otherErrorRate', 'formatted'])
      assert.equal(r.evals.metrics[k]!.length, 3, `${r.arm} eval ${k}`);
    for (const k of ['reward', 'accuracy', 'entropy', 'clipFraction', 'length'])
      assert.equal(r.history.metrics[k]!.length, 2, `${r.arm} history ${k}`);
  }
  // Common random numbers: the base before RL, scored on seed 0's evaluation stream, gives the same numbers in the
  // measurement run and at step 0 of every seed-0 RL run on the base.
  const start = (m: { evals: { metrics: Record<string, number[]> } }) => Object.fromEntries(Object.entries(m.evals.metrics).map(([k, v]) => [k, v[0]]));
  for (const arm of ['token-entropy', 'ground-truth']) assert.deepEqual(start(rlifArmRuns(res, 0, arm).find((r) => r.seed === 0)!), start(res.models[0]!), arm);
  const gtGain = seedDeltas({ runs: rlifArmRuns(res, 0, 'ground-truth'), value: evalAt(2) }, { value: evalAt(0) });
  assert.equal(gtGain.length, 2);
  assert.throws(() => evalAt(3)(res.runs[0]!), /step 3 was not evaluated \(evaluated: 0, 1, 2\)/);
  const specs = rlifClaimSpecs(res);
  const ids = specs.map((s) => s.id);
  for (const id of ['rlif-base-token-entropy-early-rise', 'rlif-base-self-certainty-final-below-start', 'rlif-instruct-token-entropy-no-gain',
    'rlif-base-trajectory-likelihood-waitRate-falls', 'rlif-gain-shrinks-with-mix', 'rlif-ground-truth-base-no-collapse'])
    assert.ok(ids.includes(id), id);
  for (const s of specs) assert.equal(s.ours.length, 2, s.id);
  assert.ok(!ids.some((id) => id.includes('-sum-')), 'the summed variant is not tested as the paper\'s claim');
  assert.deepEqual(evalSchedule({ steps: [5, 1, 99] }, 10), [0, 1, 5, 10]);
  const again = await rlifCollapse.runOne(planned[0]!, { cacheDir });
  assert.equal(again.cacheHits, true);
  JSON.stringify(res); // plain data
});

test('equivalence helpers: PG with reward log pi equals dH on the model; the rewards rank samples', async () => {
  const m = await pretrainedModels(tiny, cacheDir);
  try {
    const prefix = [1, ...m.tokenizer.encode(m.task.prompt({ digits: [8, 3, 1, 5] }))];
    const g = trajectoryEntropyGradientCheck(m.base, prefix);
    assert.ok(g.maxAbsGrad > 1e-4, 'the gradient is not trivially zero');
    assert.ok(g.maxAbsDiff < 1e-3 * Math.max(1, g.maxAbsGrad), `PG vs dH: ${g.maxAbsDiff} (scale ${g.maxAbsGrad})`);
    assert.ok(Math.abs(g.entropy - g.entropyChainRule) < 1e-4, `H ${g.entropy} vs chain rule ${g.entropyChainRule}`);
    const problems = generateHeldOutSet(m.task, 7, 6);
    const agree = intrinsicRewardAgreement(m.base, m.task, m.tokenizer, problems, 4, new Rng(0));
    assert.equal(agree.samples, 24);
    assert.equal(agree.pairs.length, 6);
    for (const p of agree.pairs) assert.ok(Number.isNaN(p.spearman) || Math.abs(p.spearman) <= 1 + 1e-9);
  } finally {
    m.base.dispose();
    m.instruct.dispose();
  }
});

test('a run leaks no tensors, and bad configs name the field', async () => {
  const rl = rlifCollapse.runs({ ...tiny, rl: { ...tiny.rl, steps: 1 }, checkpoints: { early: 1, final: 1 } }).find((r) => r.phase === 'rl')!;
  await rlifCollapse.runOne(rl, { cacheDir });
  const before = tf.memory().numTensors;
  await rlifCollapse.runOne(rl, { cacheDir });
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(rlifCollapse.execute({ ...tiny, seeds: [] }), /rlif-collapse: config\.seeds must be a non-empty list/);
  await assert.rejects(rlifCollapse.execute({ ...tiny, mixes: [0, 2] }), /rlif-collapse: config\.mixes must be a non-empty list of numbers in \[0, 1\]/);
  await assert.rejects(rlifCollapse.execute({ ...tiny, checkpoints: { early: 3, final: 2 } }), /config\.checkpoints\.early \(3\) must be an evaluated step/);
  await assert.rejects(
    rlifCollapse.execute({ ...tiny, pretrain: { ...tiny.pretrain, style: { ...tiny.pretrain.style, slip: -1 } } }),
    /config\.pretrain\.style\.slip must be a number in \[0, 1\]/,
  );
  const typo = { ...tiny, arms: [{ name: 'x', reward: 'token-entropy', normalization: 'sum' }] } as unknown as RlifCollapseConfig;
  assert.throws(() => rlifCollapse.validate(typo), /config\.arms\[0\]\.normalization is not a field/);
  assert.throws(() => rlifCollapse.validate({ ...tiny, arms: [{ name: 'x', reward: 'entropy' as never }] }), /config\.arms\[0\]\.reward must be one of/);
  rmSync(cacheDir, { recursive: true, force: true });
});
