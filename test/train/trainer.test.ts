import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { AdamW, loadCheckpoint, train, trainConfig, type TrainProgress } from '../../src/train/index.js';
import { Rng } from '../../src/random.js';
import { Linear, TRUE_W, batches, mse } from './linear-fixture.js';

await initBackend({ quiet: true });

const CONFIG = { steps: 60, lr: 0.1, warmupSteps: 5, weightDecay: 0, seed: 3 };

test('train: linear regression converges; history, evals and progress have the promised shape', async () => {
  const model = new Linear();
  const progress: TrainProgress[] = [];
  const evalSteps: number[] = [];
  const before = tf.memory().numTensors;
  const res = await train({
    model,
    loss: mse(model),
    batches: batches(),
    config: { ...CONFIG, evalEvery: 20, logEvery: 15 },
    evaluate: (step) => {
      evalSteps.push(step);
      return { w0: model.params['w']!.dataSync()[0]! };
    },
    onProgress: (p) => progress.push(p),
  });
  assert.equal(tf.memory().numTensors, before, 'optimizer buffers and step tensors are freed');
  assert.equal(res.steps, 60);
  assert.deepEqual(res.history.step, Array.from({ length: 60 }, (_, i) => i + 1));
  assert.equal(res.history.loss.length, 60);
  assert.ok(res.history.loss[59]! < 0.01 * res.history.loss[0]!, `loss ${res.history.loss[0]} -> ${res.history.loss[59]}`);
  assert.ok(Math.abs(model.params['w']!.dataSync()[0]! - TRUE_W[0]!) < 0.1);
  assert.equal(res.history.lr[5], 0.1); // warmup over, peak
  assert.ok(res.history.lr[59]! < 0.02);
  assert.deepEqual(evalSteps, [20, 40, 60]);
  assert.deepEqual(res.evals.step, [20, 40, 60]);
  assert.equal(res.evals.metrics['w0']!.length, 3);
  assert.deepEqual(
    progress.filter((p) => p.kind === 'train').map((p) => p.step),
    [15, 30, 45, 60],
  );
  assert.equal(progress.filter((p) => p.kind === 'eval').length, 3);
  model.dispose();
});

test('train: the same seed gives identical losses; a different seed differs', async () => {
  const run = async (seed: number) => {
    const model = new Linear();
    const r = await train({ model, loss: mse(model), batches: batches(), config: { ...CONFIG, steps: 10, seed }, onProgress: false });
    model.dispose();
    return r.history.loss;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
});

test('train: stop and checkpoint at step 25, resume to 60 gives bit-identical losses and weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-train-'));
  try {
    const full = new Linear();
    const ref = await train({ model: full, loss: mse(full), batches: batches(), config: CONFIG, onProgress: false });

    const a = new Linear();
    const ck = { dir: join(dir, 'ck'), modelConfig: { kind: 'linear', d: 4 } };
    await train({ model: a, loss: mse(a), batches: batches(), config: CONFIG, stopAfter: 25, checkpoint: ck, onProgress: false });
    a.dispose();
    const saved = loadCheckpoint(ck.dir);
    assert.equal(saved.meta['step'], 25);
    assert.equal(saved.optimizer?.step, 25);

    const b = new Linear(5); // different initial weights: resume must overwrite them
    const res = await train({ model: b, loss: mse(b), batches: batches(), config: CONFIG, checkpoint: ck, resumeFrom: ck.dir, onProgress: false });
    assert.deepEqual(res.history.loss, ref.history.loss);
    assert.deepEqual(res.history.lr, ref.history.lr);
    assert.deepEqual(Array.from(b.params['w']!.dataSync()), Array.from(full.params['w']!.dataSync()));
    assert.equal(loadCheckpoint(ck.dir).meta['step'], 60, 'checkpoint saved on finish');
    b.dispose();
    full.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train: checkpoints every checkpointEvery steps and on finish', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-train-'));
  try {
    const ck = { dir: join(dir, 'ck'), modelConfig: { d: 4 } };
    const seen: unknown[] = [];
    const m = new Linear();
    await train({
      model: m,
      loss: mse(m),
      batches: batches(),
      config: { ...CONFIG, steps: 35, checkpointEvery: 10, evalEvery: 10 },
      // evaluate runs before the save of the same step, so it sees the previous checkpoint
      evaluate: () => {
        seen.push(existsSync(ck.dir) ? loadCheckpoint(ck.dir).meta['step'] : null);
        return {};
      },
      checkpoint: ck,
      onProgress: false,
    });
    assert.deepEqual(seen, [null, 10, 20, 30]);
    assert.equal(loadCheckpoint(ck.dir).meta['step'], 35);
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train: resuming with a different train config or model config is an error naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-train-'));
  try {
    const ck = { dir: join(dir, 'ck'), modelConfig: { d: 4 } };
    const m = new Linear();
    await train({ model: m, loss: mse(m), batches: batches(), config: { ...CONFIG, steps: 5 }, checkpoint: ck, onProgress: false });
    await assert.rejects(
      train({ model: m, loss: mse(m), batches: batches(), config: { ...CONFIG, lr: 0.2 }, checkpoint: ck, resumeFrom: ck.dir, onProgress: false }),
      /train config differs: lr: expected 0.1, found 0.2/,
    );
    await assert.rejects(
      train({ model: m, loss: mse(m), batches: batches(), config: CONFIG, checkpoint: { ...ck, modelConfig: { d: 5 } }, resumeFrom: ck.dir, onProgress: false }),
      /model config does not match the expected one: d: expected 5, found 4/,
    );
    await assert.rejects(
      train({ model: m, loss: mse(m), batches: batches(), config: CONFIG, resumeFrom: join(dir, 'nope'), onProgress: false }),
      /checkpoint directory not found: .*nope/,
    );
    m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train: bad config and non-finite losses are clear errors', async () => {
  assert.throws(() => trainConfig({ steps: -1 }), /trainConfig.steps must be an integer >= 0, got -1/);
  assert.throws(() => trainConfig({ warmupStep: 3 } as never), /unknown key "warmupStep"; valid keys are steps/);
  assert.throws(() => trainConfig({ lr: 0 }), /trainConfig.lr/);
  assert.throws(() => trainConfig({ optimizer: 'adam' as never }), /trainConfig.optimizer must be one of "adamw", "sgd"/);
  assert.throws(() => trainConfig({ steps: 10, warmupSteps: 11 }), /warmupSteps must be <= steps/);
  assert.throws(() => trainConfig({ gradClip: -1 }), /trainConfig.gradClip/);
  assert.deepEqual(trainConfig({ lr: 0.01 }).minLr, 0.001);
  const m = new Linear();
  await assert.rejects(train({ model: m, loss: mse(m), batches: batches(), config: { step: 3 } as never }), /unknown key "step"/);
  await assert.rejects(
    train({ model: m, loss: mse(m), batches: batches(), config: CONFIG, extra: 1 } as never),
    /train options: unknown key "extra"/,
  );
  await assert.rejects(
    train({ model: m, loss: mse(m), batches: batches(), config: { steps: 5 }, stopAfter: 6 }),
    /options.stopAfter must be an integer in \[0, steps=5\], got 6/,
  );
  const nan = () => tf.mul(tf.sum(m.params['w']!), NaN) as tf.Scalar;
  await assert.rejects(
    train({ model: m, loss: nan, batches: () => 0, config: { steps: 3 }, onProgress: false }),
    /non-finite loss NaN .* at step 1/,
  );
  m.dispose();
});

test('train with SGD and a constant schedule also converges', async () => {
  const m = new Linear();
  const r = await train({
    model: m,
    loss: mse(m),
    batches: batches(),
    config: { steps: 80, optimizer: 'sgd', lr: 0.05, schedule: 'constant', weightDecay: 0, seed: 1 },
    onProgress: false,
  });
  assert.ok(r.history.lr.every((x) => x === 0.05));
  assert.ok(r.history.loss[79]! < 0.01 * r.history.loss[0]!);
  m.dispose();
});

test('train with a caller-owned optimizer: two calls continue it exactly as one call of both lengths would', async () => {
  // The batch stream lives outside train() (its own stream restarts per call), so both runs see the same batches.
  const run = async (lengths: number[]) => {
    const m = new Linear();
    const data = new Rng(5);
    const source = batches();
    const optimizer = new AdamW({ lr: 0.05, beta2: 0.99, weightDecay: 0 }); // trainConfig's defaults
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (const steps of lengths) {
      const r = await train({ model: m, loss: mse(m), batches: (s) => source(s, data), config: { steps, lr: 0.05, schedule: 'constant' }, optimizer, onProgress: false });
      losses.push(...r.history.loss);
    }
    const out = { losses, w: Array.from(m.params['w']!.dataSync()), step: optimizer.step };
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, before, 'the caller disposes the optimizer; nothing else is left');
    m.dispose();
    return out;
  };
  const split = await run([6, 6]);
  const whole = await run([12]);
  assert.equal(split.step, 12, 'the moments and step count carried over');
  assert.deepEqual(split, whole);
  // A fresh optimizer per call restarts Adam's moments and bias correction: the second half differs.
  const m = new Linear();
  const data = new Rng(5);
  const source = batches();
  const fresh: number[] = [];
  for (const steps of [6, 6]) {
    const r = await train({ model: m, loss: mse(m), batches: (s) => source(s, data), config: { steps, lr: 0.05, schedule: 'constant', weightDecay: 0 }, onProgress: false });
    fresh.push(...r.history.loss);
  }
  assert.deepEqual(fresh.slice(0, 6), whole.losses.slice(0, 6));
  assert.notDeepEqual(fresh.slice(6), whole.losses.slice(6));
  const optimizer = new AdamW();
  await assert.rejects(
    train({ model: m, loss: mse(m), batches: batches(), config: { steps: 2, beta2: 0.9 }, optimizer }),
    /options.config.beta2 cannot be set with options.optimizer/,
  );
  optimizer.dispose();
  m.dispose();
});
