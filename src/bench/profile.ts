/**
 * Where the time goes: CPU time by kernel type for one training step and for one KV-cache decode step of the
 * reference model. CPU time rather than wall time (or `tf.profile`'s per-kernel wall clock) because the machine is
 * often shared: the figures then still add up. The difference between the step's CPU time and the summed kernel
 * time is dispatch and JS (tape, tidy, shape checks, typed-array work such as sampling and the KV-cache attention).
 *   npm run bench -- --profile [--shapes]    prints both tables (--shapes: train rows keyed by input shapes)
 * Measured tables and what they say: ./PROFILE.md.
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
  /** CPU time of this process for the profiled work (preemption by other processes is not counted). */
  cpuMs: number;
  /** CPU time inside kernels. */
  kernelMs: number;
  kernels: number;
  /** By op type, slowest first. */
  byOp: OpRow[];
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

/**
 * Runs `work` with every kernel of the current backend wrapped in a CPU-time probe (`process.cpuUsage`, so a busy
 * machine's preemption does not land on whichever kernel was running), then restores the kernels.
 */
function profileOf(work: () => void, byShape = false): Profile {
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const rows = new Map<string, OpRow>();
  for (const k of originals) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const c0 = process.cpuUsage();
        const out = inner(args);
        const ms = cpuMs(process.cpuUsage(c0));
        const shapes = Object.values(args.inputs).map((t) => (t ? `[${t.shape}]` : '-'));
        const key = byShape ? `${k.kernelName} ${shapes.join(' ')}` : k.kernelName;
        const row = rows.get(key) ?? { op: key, calls: 0, ms: 0 };
        row.ms += ms;
        row.calls++;
        rows.set(key, row);
        return out;
      },
    });
  }
  const c0 = process.cpuUsage();
  try {
    work();
  } finally {
    for (const k of originals) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  const total = cpuMs(process.cpuUsage(c0));
  const byOp = [...rows.values()].filter((r) => r.calls > 0).sort((a, b) => b.ms - a.ms);
  return {
    cpuMs: total,
    kernelMs: byOp.reduce((a, r) => a + r.ms, 0),
    kernels: byOp.reduce((a, r) => a + r.calls, 0),
    byOp,
  };
}

/** One training step (forward, loss, backward, AdamW) on [batch, contextLength] random tokens, after a warm-up. */
export function profileTrainStep(config: GPTConfig = REFERENCE_CONFIG, batch = 256, byShape = false): Profile {
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
    return profileOf(() => void step(), byShape);
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
export function profileDecodeStep(config: GPTConfig = REFERENCE_CONFIG, batch = 256, promptLen = 16, newTokens = 9): Profile {
  const rng = new Rng('profile-decode');
  const model = new GPT(config, rng.fork('init'));
  const V = config.vocabSize;
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(V)));
  try {
    generate(model, prompts, { maxNewTokens: 2, padId: 0 }, rng); // warm-up
    const one = profileOf(() => void generate(model, prompts, { maxNewTokens: 1, padId: 0 }, rng.fork('a')));
    const many = profileOf(() => void generate(model, prompts, { maxNewTokens: newTokens, padId: 0 }, rng.fork('b')));
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
      cpuMs: (many.cpuMs - one.cpuMs) / n,
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
  const width = Math.min(60, Math.max(24, ...p.byOp.map((r) => r.op.length)));
  const lines = [
    `${title}: ${p.cpuMs.toFixed(1)} CPU ms, of which ${p.kernels.toFixed(0)} kernels take ${p.kernelMs.toFixed(1)} ms ` +
      `(the rest, ${(p.cpuMs - p.kernelMs).toFixed(1)} ms, is dispatch, autodiff bookkeeping and JS such as sampling)`,
    `  ${'op'.padEnd(width)}    calls      ms     %`,
  ];
  for (const r of p.byOp)
    lines.push(
      `  ${r.op.slice(0, width).padEnd(width)} ${r.calls.toFixed(0).padStart(8)} ${r.ms.toFixed(2).padStart(7)} ${((100 * r.ms) / p.kernelMs).toFixed(1).padStart(5)}`,
    );
  return lines.join('\n');
}
