import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import { GPT, LatentGPT, gptConfig, maskedCrossEntropy } from '../../src/model/index.js';
import { KeyChainTask, Tokenizer, makeThoughtBatch, trainExamples } from '../../src/tasks/index.js';
import { thoughtModelLoss, train } from '../../src/train/index.js';

await initBackend({ quiet: true });

test('thoughtModelLoss: the completion loss of a thought batch; train() runs a latent model on key-chain without leaks', async () => {
  const task = new KeyChainTask({ nodes: 5, hops: [1, 2] });
  const tok = Tokenizer.forTasks([task]);
  const gpt = new GPT(gptConfig({ vocabSize: tok.vocabSize, contextLength: 24, dModel: 16, nHeads: 2, nLayers: 2 }), new Rng(0));
  const model = new LatentGPT(gpt, { mode: 'latent' });
  const seqLen = 1 + 17 + 2 + 1; // BOS, prompt, 2 thoughts, the answer (its EOS is only a target)
  const batchOf = (rng: Rng) => {
    const ex = trainExamples(task, rng, 16);
    return makeThoughtBatch(tok, ex, ex.map((e) => Number(e.prompt.at(-2))), seqLen); // k = h thoughts
  };
  const b = batchOf(new Rng(1));
  tf.tidy(() => {
    const shape: [number, number] = [b.batchSize, b.seqLen];
    const byHand = maskedCrossEntropy(
      model.forward(tf.tensor2d(b.tokens, shape, 'int32'), { start: b.thoughtStart, steps: b.thoughtSteps }),
      tf.tensor2d(b.targets, shape, 'int32'),
      tf.tensor2d(b.mask, shape),
    );
    assert.equal(thoughtModelLoss(model)(b).dataSync()[0], byHand.dataSync()[0]);
  });
  const before = tf.memory().numTensors;
  const res = await train({
    model,
    loss: thoughtModelLoss(model),
    batches: (_s, rng) => batchOf(rng),
    config: { steps: 8, lr: 3e-3, warmupSteps: 0, seed: 2 },
    onProgress: false,
  });
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  assert.ok(res.history.loss.every(Number.isFinite) && res.history.loss.at(-1)! < res.history.loss[0]!, `loss ${res.history.loss}`);
  gpt.dispose();
});
