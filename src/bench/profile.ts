/**
 * Where the time goes: kernel time by op type for one training step and for one KV-cache decode step of the
 * reference model, from `tf.profile` (each kernel timed by the backend). The difference between the wall time and
 * the summed kernel time is dispatch and JS overhead (tape, tidy, shape checks, typed-array copies).
 *   node .build/<dir>/src/bench/profile.js      prints both tables
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import { GPTConfig, REFERENCE_CONFIG } from '../model/config.js';
import { generate } from '../model/generate.js';
import { GPT } from '../model/gpt.js';
import { maskedCrossEntropy } from '../model/loss.js';
import { AdamW } from '../train/adamw.js';
import { trainStep } from '../train/step.js';

export interface OpRow {
  op: string;
  calls: number;
  ms: number;
}

export interface Profile {
  /** Wall time of the profiled work (profiling adds a little per kernel). */
  wallMs: number;
  /** Sum of kernel times. */
  kernelMs: number;
  kernels: number;
  /** By op type, slowest first. */
  byOp: OpRow[];
}

async function profileOf(work: () => void): Promise<Profile> {
  const t0 = performance.now();
  const info = await tf.profile(work);
  const wallMs = performance.now() - t0;
  const rows = new Map<string, OpRow>();
  let kernelMs = 0;
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    if (!tf.getKernel(k.name, backend)) continue; // op scopes (customGrad, fused ops) nest kernels: not counted twice
    const ms = Number(await k.kernelTimeMs) || 0;
    kernelMs += ms;
    const r = rows.get(k.name) ?? { op: k.name, calls: 0, ms: 0 };
    r.calls++;
    r.ms += ms;
    rows.set(k.name, r);
  }
  return { wallMs, kernelMs, kernels: [...rows.values()].reduce((a, r) => a + r.calls, 0), byOp: [...rows.values()].sort((a, b) => b.ms - a.ms) };
}

/** One training step (forward, loss, backward, AdamW) on [batch, contextLength] random tokens, after a warm-up. */
export async function profileTrainStep(config: GPTConfig = REFERENCE_CONFIG, batch = 256): Promise<Profile> {
  const rng = new Rng('profile-train');
  const model = new GPT(config, rng.fork('init'));
  const { vocabSize: V, contextLength: T } = config;
  const data = new Int32Array(batch * T).map(() => rng.int(V));
  const tokens = tf.tensor2d(data, [batch, T], 'int32');
  const targets = tf.tensor2d(data.map((_, i) => data[(i + 1) % data.length]!), [batch, T], 'int32');
  const mask = tf.ones([batch, T]) as tf.Tensor2D;
  const opt = new AdamW({ lr: 1e-3, weightDecay: 0.1 });
  const step = () => trainStep(model.params, () => maskedCrossEntropy(model.forward(tokens), targets, mask), opt, 1);
  try {
    step();
    return await profileOf(() => void step());
  } finally {
    tf.dispose([tokens, targets, mask]);
    opt.dispose();
    model.dispose();
  }
}

/**
 * Decode steps of `generate` with a KV cache: profiles a run of `newTokens` tokens and one of 1 token on the same
 * prompts and reports the difference divided by `newTokens - 1`, i.e. the cost of one decode step.
 */
export async function profileDecodeStep(
  config: GPTConfig = REFERENCE_CONFIG,
  batch = 256,
  promptLen = 16,
  newTokens = 9,
): Promise<Profile> {
  const rng = new Rng('profile-decode');
  const model = new GPT(config, rng.fork('init'));
  const V = config.vocabSize;
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(V)));
  try {
    generate(model, prompts, { maxNewTokens: 2, padId: 0 }, rng); // warm-up
    const one = await profileOf(() => void generate(model, prompts, { maxNewTokens: 1, padId: 0 }, rng.fork('a')));
    const many = await profileOf(() => void generate(model, prompts, { maxNewTokens: newTokens, padId: 0 }, rng.fork('b')));
    const n = newTokens - 1;
    const byOp = new Map<string, OpRow>();
    for (const r of many.byOp) byOp.set(r.op, { ...r });
    for (const r of one.byOp) {
      const x = byOp.get(r.op) ?? { op: r.op, calls: 0, ms: 0 };
      x.calls -= r.calls;
      x.ms -= r.ms;
      byOp.set(r.op, x);
    }
    const rows = [...byOp.values()]
      .map((r) => ({ op: r.op, calls: r.calls / n, ms: r.ms / n }))
      .filter((r) => r.calls > 0)
      .sort((a, b) => b.ms - a.ms);
    return {
      wallMs: (many.wallMs - one.wallMs) / n,
      kernelMs: (many.kernelMs - one.kernelMs) / n,
      kernels: (many.kernels - one.kernels) / n,
      byOp: rows,
    };
  } finally {
    model.dispose();
  }
}

/** A fixed-width text table of a profile. */
export function formatProfile(title: string, p: Profile): string {
  const lines = [
    `${title}: wall ${p.wallMs.toFixed(1)} ms, kernels ${p.kernels.toFixed(0)} taking ${p.kernelMs.toFixed(1)} ms ` +
      `(the rest, ${(p.wallMs - p.kernelMs).toFixed(1)} ms, is dispatch and JS)`,
    '  op                         calls      ms     %',
  ];
  for (const r of p.byOp)
    lines.push(
      `  ${r.op.padEnd(24)} ${r.calls.toFixed(0).padStart(8)} ${r.ms.toFixed(2).padStart(7)} ${((100 * r.ms) / p.kernelMs).toFixed(1).padStart(5)}`,
    );
  return lines.join('\n');
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { initBackend } = await import('../backend/index.js');
  await initBackend();
  console.log(formatProfile('train step (batch 256 x 64)', await profileTrainStep()));
  console.log(formatProfile('decode step (256 rows, KV cache)', await profileDecodeStep()));
}
