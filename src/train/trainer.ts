/**
 * The pretraining / SFT loop. It knows nothing about GPT: it takes named variables, a batch source and a loss
 * closure, and runs steps with AdamW (or SGD), warmup + cosine learning rate, gradient clipping, periodic
 * evaluation, a few progress lines, checkpoints, and resume. Pretraining and SFT differ only in the batches (which
 * positions the mask selects), so both are `train`.
 *
 * Everything that crosses a step is plain JS: batches are typed arrays, metrics are numbers read once per step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Rng, type RngState } from '../random.js';
import { assignWeights, configDiff, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { trainConfig, type TrainConfig } from './config.js';
import { optimizerFromConfig, scheduleFromConfig } from './from-config.js';
import type { Optimizer } from './optimizer.js';
import { trainStep, type Trainable } from './step.js';
import { checkKeys } from './validate.js';

/** Batch for 0-based `step`, drawn from `rng` (the trainer's seeded stream, restored on resume). */
export type BatchSource<B> = (step: number, rng: Rng) => B;

/** Per-update metrics; entry i is update number `step[i]` (1-based: the count of updates done). */
export interface TrainHistory {
  step: number[];
  loss: number[];
  gradNorm: number[];
  lr: number[];
}

/** Evaluation results; `metrics[name][i]` was measured after `step[i]` updates. */
export interface EvalHistory {
  step: number[];
  metrics: Record<string, number[]>;
}

export interface TrainProgress {
  kind: 'train' | 'eval';
  /** Updates done. */
  step: number;
  steps: number;
  loss?: number;
  gradNorm?: number;
  lr?: number;
  /** Mean wall time per update since the previous report. */
  msPerStep?: number;
  metrics?: Record<string, number>;
}

export interface CheckpointOptions {
  /** Directory to save to (replaced atomically each time). */
  dir: string;
  /** Model config stored beside the weights. */
  modelConfig: object;
  /** Tokenizer JSON stored beside the weights. */
  tokenizer?: unknown;
}

export interface TrainOptions<B> {
  model: Trainable;
  /** Builds the scalar loss of a batch from the model's variables (runs inside the step's tidy). */
  loss: (batch: B) => tf.Scalar;
  batches: BatchSource<B>;
  config?: Partial<TrainConfig>;
  /** Called every `evalEvery` updates and after the last one; returns named numbers. */
  evaluate?: (step: number) => Record<string, number> | Promise<Record<string, number>>;
  /** Replaces the default progress lines on stderr; `false` silences them. */
  onProgress?: ((p: TrainProgress) => void) | false;
  /** Save a checkpoint every `checkpointEvery` updates and after the last one. */
  checkpoint?: CheckpointOptions;
  /** Continue from this checkpoint directory (weights, optimizer state, Rng state, history, step). */
  resumeFrom?: string;
  /**
   * Stop after this many updates (evaluate and checkpoint there) although the schedule spans `config.steps`; a later
   * call with `resumeFrom` continues as if never interrupted. Default: `config.steps`.
   */
  stopAfter?: number;
  /**
   * Continue with this optimizer instead of a fresh one built from the config, so its moments and step count carry
   * over between calls (rounds of fine-tuning that keep one AdamW). The caller owns and disposes it; the config's
   * optimizer fields (`OPTIMIZER_FIELDS`) are then its own and must be left out of `config`. Not with `resumeFrom`.
   */
  optimizer?: Optimizer;
}

export interface TrainResult {
  config: TrainConfig;
  /** Updates done in total (including those before a resume). */
  steps: number;
  history: TrainHistory;
  evals: EvalHistory;
  /** Wall time of this call. */
  seconds: number;
}

const OPTION_KEYS = ['model', 'loss', 'batches', 'config', 'evaluate', 'onProgress', 'checkpoint', 'resumeFrom', 'stopAfter', 'optimizer'];

/** The config fields that build the optimizer; a caller-owned `options.optimizer` has its own. */
const OPTIMIZER_FIELDS = ['optimizer', 'beta1', 'beta2', 'eps', 'weightDecay', 'decayOn', 'momentum'] as const;

/**
 * Fields a resume may change: the reporting cadence, and `steps` (extending a run; a cosine schedule then spans the
 * new length, so only an unchanged `steps` reproduces the uninterrupted run exactly).
 */
const RESUMABLE_CHANGES = new Set(['steps', 'logEvery', 'evalEvery', 'checkpointEvery']);

/** Training metadata stored in a checkpoint's meta.json. */
interface TrainMeta {
  step: number;
  trainConfig: TrainConfig;
  rngState: RngState;
  history: TrainHistory;
  evals: EvalHistory;
}

/** Runs the training loop; see the module comment. */
export async function train<B>(opts: TrainOptions<B>): Promise<TrainResult> {
  checkKeys('train options', opts, OPTION_KEYS);
  for (const k of ['model', 'loss', 'batches'] as const)
    if (opts[k] === undefined) throw new Error(`train: options.${k} is required`);
  const cfg = trainConfig(opts.config);
  if (opts.optimizer !== undefined) {
    const set = OPTIMIZER_FIELDS.filter((k) => opts.config?.[k] !== undefined);
    if (set.length > 0) throw new Error(`train: options.config.${set[0]} cannot be set with options.optimizer (the optimizer has its own)`);
    if (opts.resumeFrom !== undefined) throw new Error('train: options.resumeFrom cannot be combined with options.optimizer');
  }
  const stop = opts.stopAfter ?? cfg.steps;
  if (!(Number.isInteger(stop) && stop >= 0 && stop <= cfg.steps))
    throw new Error(`train: options.stopAfter must be an integer in [0, steps=${cfg.steps}], got ${stop}`);
  const { model } = opts;
  const t0 = performance.now();
  const report = opts.onProgress === false ? () => {} : (opts.onProgress ?? printProgress);
  const schedule = scheduleFromConfig(cfg);
  const optimizer = opts.optimizer ?? optimizerFromConfig(cfg);
  let rng = new Rng(cfg.seed).fork('batches');
  const history: TrainHistory = { step: [], loss: [], gradNorm: [], lr: [] };
  const evals: EvalHistory = { step: [], metrics: {} };
  let start = 0;

  try {
    if (opts.resumeFrom !== undefined) {
      const ck = loadCheckpoint(opts.resumeFrom, opts.checkpoint ? { expectedConfig: opts.checkpoint.modelConfig } : {});
      const meta = ck.meta as unknown as TrainMeta;
      if (typeof meta.step !== 'number' || !meta.trainConfig || !meta.rngState)
        throw new Error(`train: checkpoint ${ck.dir} has no training metadata to resume from`);
      const diffs = configDiff(meta.trainConfig, cfg).filter((d) => !RESUMABLE_CHANGES.has(d.split(':')[0]!));
      if (diffs.length > 0)
        throw new Error(`train: cannot resume from ${ck.dir}, the train config differs: ${diffs.join('; ')}`);
      if (meta.step > cfg.steps)
        throw new Error(`train: trainConfig.steps (${cfg.steps}) is below the checkpoint's step ${meta.step}`);
      if (!ck.optimizer) throw new Error(`train: checkpoint ${ck.dir} has no optimizer state to resume from`);
      assignWeights(model.params, ck.weights);
      optimizer.setState(ck.optimizer);
      rng = new Rng(`${cfg.seed}/batches`, meta.rngState);
      Object.assign(history, meta.history);
      Object.assign(evals, meta.evals);
      // JSON stored NaN (a metric missing at some evaluation) as null.
      for (const arr of Object.values(evals.metrics)) arr.forEach((x, i) => x === null && (arr[i] = NaN));
      start = meta.step;
    }

    const save = (step: number) => {
      if (!opts.checkpoint) return;
      const meta: TrainMeta = { step, trainConfig: cfg, rngState: rng.state(), history, evals };
      saveCheckpoint(opts.checkpoint.dir, {
        params: model.params,
        modelConfig: opts.checkpoint.modelConfig,
        tokenizer: opts.checkpoint.tokenizer,
        meta: meta as unknown as Record<string, unknown>,
        optimizer: optimizer.getState(),
      });
    };

    let lastReport = performance.now();
    let sinceReport = 0;
    for (let s = start; s < stop; s++) {
      const batch = opts.batches(s, rng);
      const lr = schedule.lrAt(s);
      optimizer.lr = lr;
      const { loss, gradNorm } = trainStep(model.params, () => opts.loss(batch), optimizer, cfg.gradClip || Infinity);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm))
        throw new Error(`train: non-finite loss ${loss} / gradNorm ${gradNorm} at step ${s + 1} (lr ${lr})`);
      const done = s + 1;
      history.step.push(done);
      history.loss.push(loss);
      history.gradNorm.push(gradNorm);
      history.lr.push(lr);
      sinceReport++;
      const last = done === stop;
      if (done % cfg.logEvery === 0 || last) {
        const now = performance.now();
        report({ kind: 'train', step: done, steps: cfg.steps, loss, gradNorm, lr, msPerStep: (now - lastReport) / sinceReport });
        lastReport = now;
        sinceReport = 0;
      }
      if (opts.evaluate && ((cfg.evalEvery > 0 && done % cfg.evalEvery === 0) || last)) {
        const metrics = await opts.evaluate(done);
        recordEval(evals, done, metrics);
        report({ kind: 'eval', step: done, steps: cfg.steps, metrics });
      }
      if ((cfg.checkpointEvery > 0 && done % cfg.checkpointEvery === 0) || last) save(done);
    }
    if (stop === 0) save(0);
  } finally {
    if (opts.optimizer === undefined) optimizer.dispose();
  }
  return { config: cfg, steps: Math.max(start, stop), history, evals, seconds: (performance.now() - t0) / 1000 };
}

function recordEval(evals: EvalHistory, step: number, metrics: Record<string, number>): void {
  const n = evals.step.length;
  evals.step.push(step);
  for (const [name, x] of Object.entries(metrics)) {
    if (typeof x !== 'number') throw new Error(`train: evaluate() returned a non-number for "${name}"`);
    // A metric first seen now gets NaN for the earlier evaluations, so every array lines up with `step`.
    const arr = (evals.metrics[name] ??= new Array<number>(n).fill(NaN));
    arr.push(x);
  }
  for (const arr of Object.values(evals.metrics)) while (arr.length < n + 1) arr.push(NaN);
}

/** The default progress output: one short line per report on stderr (quiet with RLREPRO_QUIET=1). */
export function printProgress(p: TrainProgress): void {
  if (process.env['RLREPRO_QUIET'] === '1') return;
  const head = `${p.kind} ${p.step}/${p.steps}`;
  if (p.kind === 'eval') {
    const parts = Object.entries(p.metrics ?? {}).map(([k, v]) => `${k} ${fmt(v)}`);
    process.stderr.write(`${head} ${parts.join(' ')}\n`);
  } else {
    process.stderr.write(
      `${head} loss ${fmt(p.loss!)} gradNorm ${fmt(p.gradNorm!)} lr ${p.lr!.toExponential(2)} ${p.msPerStep!.toFixed(1)} ms/step\n`,
    );
  }
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(3);
}

// The RL trainer imports these from here; their home is ./from-config.ts.
export { optimizerFromConfig, scheduleFromConfig } from './from-config.js';
