/**
 * Integration (seconds): on a tiny real SFT run, Adam moves nearly every parameter that receives a gradient by about
 * lr per step (its update is normalised per coordinate), while SGD's step is lr * |g|, so most of its changes are
 * far below lr and many fall under a bf16 ulp. Parameters without any gradient (an unused position, PAD and unused
 * token rows) stay bit-identical under both with weight decay 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, gptConfig, type GPTWeights } from '../../src/model/index.js';
import { Tokenizer, makeBatch, trainExamples, type Batch } from '../../src/tasks/index.js';
import { calibrationTask } from '../../src/tasks/calibration-mix.js';
import { languageModelLoss, train } from '../../src/train/index.js';
import { changeTable, criterionLabel, type ChangeCriterion } from '../../src/eval/parameter-updates.js';

await initBackend({ quiet: true });

const LR = 1e-3;
const STEPS = 4;
const task = calibrationTask();
const tokenizer = Tokenizer.forTasks([task]);
// contextLength 8 > the 7 input positions, so wpe row 7 never sees a gradient.
const config = gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, dModel: 16, nHeads: 2, nLayers: 1 });
const rng = new Rng('updates-run');
const batches: Batch[] = Array.from({ length: STEPS }, () => makeBatch(tokenizer, trainExamples(task, rng, 32, task.inner.config.heldOutFraction), 7));
const init = new GPT(config, new Rng(0).fork('init')).getWeights();

/** Per parameter, 1 where the gradient of any batch's loss (at the initial weights) is nonzero. */
function gradientSeen(): Record<string, Uint8Array> {
  const model = GPT.fromWeights(config, init);
  const seen: Record<string, Uint8Array> = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, new Uint8Array(v.length)]));
  const byVar = new Map(Object.entries(model.params).map(([k, v]) => [v.name, k]));
  for (const b of batches) {
    const { value, grads } = tf.variableGrads(() => languageModelLoss(model)(b), Object.values(model.params));
    for (const [name, g] of Object.entries(grads)) {
      const d = g.dataSync();
      const mask = seen[byVar.get(name)!]!;
      for (let i = 0; i < d.length; i++) if (d[i] !== 0) mask[i] = 1;
    }
    tf.dispose([value, ...Object.values(grads)]);
  }
  model.dispose();
  return seen;
}

async function run(optimizer: 'adamw' | 'sgd'): Promise<GPTWeights> {
  const model = GPT.fromWeights(config, init);
  await train({
    model,
    loss: languageModelLoss(model),
    batches: (s) => batches[s]!,
    config: { steps: STEPS, optimizer, lr: LR, schedule: 'constant', weightDecay: 0, gradClip: 0 },
    onProgress: false,
  });
  const w = model.getWeights();
  model.dispose();
  return w;
}

test('Adam changes nearly every parameter that sees a gradient by ~lr; SGD moves most by far less', async () => {
  const seen = gradientSeen();
  const unseen = Object.fromEntries(Object.entries(seen).map(([k, m]) => [k, m.map((x) => 1 - x)]));
  const criteria: ChangeCriterion[] = [0, 1e-6, 1e-5, LR / 10, LR / 2].map((tol) => ({ kind: 'abs', tol }) as const);
  criteria.push({ kind: 'bf16' });
  const frac = (t: ReturnType<typeof changeTable>) => t.total.changed.map((c) => c / t.total.size);
  const out: Record<string, number[]> = {};
  for (const opt of ['adamw', 'sgd'] as const) {
    const after = await run(opt);
    const onSeen = changeTable(init, after, criteria, seen);
    const onUnseen = changeTable(init, after, criteria, unseen);
    out[opt] = frac(onSeen);
    process.stderr.write(
      `updates-run ${opt}: seen ${onSeen.total.size}/${onSeen.total.size + onUnseen.total.size} params; changed fraction of seen ` +
        criteria.map((c, i) => `${criterionLabel(c)} ${frac(onSeen)[i]!.toFixed(4)}`).join(', ') +
        `; unseen changed ${onUnseen.total.changed[0]}\n`,
    );
    assert.equal(onUnseen.total.changed[0], 0, `${opt}: a parameter without gradient moved`);
  }
  const [adam, sgd] = [out['adamw']!, out['sgd']!];
  // Adam: every seen parameter moved, nearly all by more than lr/10 over 4 steps.
  assert.ok(adam[0]! > 0.999, `adam exact-change fraction ${adam[0]}`);
  assert.ok(adam[3]! > 0.95, `adam |Δ| > lr/10 fraction ${adam[3]}`);
  // SGD: its steps are lr * |g| with |g| mostly << 1, so few clear lr/10.
  assert.ok(sgd[3]! < 0.5 * adam[3]!, `sgd |Δ| > lr/10 fraction ${sgd[3]} vs adam ${adam[3]}`);
  assert.ok(sgd[5]! < adam[5]!, `bf16 view: sgd ${sgd[5]} vs adam ${adam[5]}`);
});
