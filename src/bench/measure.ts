/**
 * Speed of the model on the reference config (issue 2 / issue 9): train tokens/s (forward + backward + the real
 * AdamW step of `src/train`) and sampling tokens/s with and without the KV cache. Measurements, not tests: `npm run
 * bench` runs them (src/bench/index.ts), alone on an idle machine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import { GPTConfig, REFERENCE_CONFIG } from '../model/config.js';
import { generate, generateFullRecompute } from '../model/generate.js';
import { GPT } from '../model/gpt.js';
import { maskedCrossEntropy } from '../model/loss.js';
import { AdamW } from '../train/adamw.js';
import { trainStep } from '../train/step.js';

/**
 * Rates per wall-clock second, and per CPU second of this process (`...PerCpuSec`: what an idle core would give
 * when other processes share the machine; equal to the wall rate on an idle machine, since wasm runs one thread).
 */
export interface ModelSpeed {
  trainGflopsPerSec: number;
  trainTokensPerSec: number;
  trainTokensPerCpuSec: number;
  msPerTrainStep: number;
  sampleTokensPerSec: number;
  sampleTokensPerCpuSec: number;
  sampleFullRecomputeTokensPerSec?: number;
  sampleFullRecomputeTokensPerCpuSec?: number;
}

interface Rate {
  perSec: number;
  perCpuSec: number;
}

function timed(tokens: () => number): Rate {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = tokens();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { perSec: n / wall, perCpuSec: n / ((c.user + c.system) / 1e6) };
}

/**
 * Floating-point operations per token actually executed by `GPT.forward` on sequences of length T (matmuls only,
 * 2 per multiply-add; attention counts the full T x T score matrix, as the kernels compute it; the one-hot embedding
 * matmuls are included). Training (forward + backward) is 3x the forward.
 */
export function modelFlopsPerToken(config: GPTConfig, T: number): { forward: number; train: number } {
  const { vocabSize: V, dModel: C, nLayers, mlpRatio } = config;
  const perLayer = 2 * (4 * C * C + 2 * mlpRatio * C * C) + 2 * 2 * T * C;
  const forward = nLayers * perLayer + 2 * C * V + 2 * (V + config.contextLength) * C;
  return { forward, train: 3 * forward };
}

/** Times `steps` training steps on [batch, T] random tokens after one warm-up step. */
export function measureTrain(model: GPT, batch: number, steps: number, rng: Rng): Rate & { msPerStep: number } {
  const { vocabSize: V, contextLength: T } = model.config;
  const data = new Int32Array(batch * T).map(() => rng.int(V));
  const tokens = tf.tensor2d(data, [batch, T], 'int32');
  const targets = tf.tensor2d(data.map((_, i) => data[(i + 1) % data.length]!), [batch, T], 'int32');
  const mask = tf.ones([batch, T]) as tf.Tensor2D;
  const opt = new AdamW({ lr: 1e-3, weightDecay: 0.1 });
  const step = () => trainStep(model.params, () => maskedCrossEntropy(model.forward(tokens), targets, mask), opt, 1).loss;
  step(); // warm-up (kernel setup, mask cache)
  const r = timed(() => {
    for (let i = 0; i < steps; i++) step();
    return steps * batch * T;
  });
  tf.dispose([tokens, targets, mask]);
  opt.dispose();
  return { ...r, msPerStep: (1000 * batch * T) / r.perSec };
}

/** Times sampling `batch` sequences of `promptLen` + `newTokens` (no EOS, so every row runs to the end). */
export function measureSampling(model: GPT, batch: number, promptLen: number, newTokens: number, cached: boolean, rng: Rng): Rate {
  const V = model.config.vocabSize;
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(V)));
  const fn = cached ? generate : generateFullRecompute;
  fn(model, prompts.slice(0, 8), { maxNewTokens: 4, padId: 0 }, rng); // warm-up
  return timed(() => fn(model, prompts, { maxNewTokens: newTokens, padId: 0 }, rng).lengths.reduce((a, b) => a + b, 0));
}

export function measureModelSpeed(
  opts: { config?: GPTConfig; trainBatch?: number; trainSteps?: number; recompute?: boolean } = {},
): ModelSpeed {
  const config = opts.config ?? REFERENCE_CONFIG;
  const rng = new Rng('measure');
  const model = new GPT(config, rng.fork('init'));
  try {
    const train = measureTrain(model, opts.trainBatch ?? 256, opts.trainSteps ?? 3, rng.fork('train'));
    const sample = measureSampling(model, 256, 16, 48, true, rng.fork('sample'));
    const out: ModelSpeed = {
      trainGflopsPerSec: (modelFlopsPerToken(config, config.contextLength).train * train.perSec) / 1e9,
      trainTokensPerSec: train.perSec,
      trainTokensPerCpuSec: train.perCpuSec,
      msPerTrainStep: train.msPerStep,
      sampleTokensPerSec: sample.perSec,
      sampleTokensPerCpuSec: sample.perCpuSec,
    };
    if (opts.recompute) {
      const re = measureSampling(model, 256, 16, 48, false, rng.fork('re'));
      out.sampleFullRecomputeTokensPerSec = re.perSec;
      out.sampleFullRecomputeTokensPerCpuSec = re.perCpuSec;
    }
    return out;
  } finally {
    model.dispose();
  }
}
