/**
 * The RL trainer loop shared by every objective: sample a rollout batch (P prompts x G samples), score it with a
 * reward, turn rewards into advantages, then make several clipped-surrogate updates over the same batch
 * (mini-batches x epochs: what lets clipping act at all; with one update per rollout the ratio is 1).
 *
 * Variants are data: the reward (`rewards.ts`) and the advantage function (`advantages.ts`) are parameters, the
 * loss is the one `clippedSurrogate`. Names follow TRL's GRPOTrainer where they exist (`numGenerations`, `epsilon`,
 * `beta`, `lossAggregation` ~ `loss_type`; `epochs` ~ `num_iterations`).
 *
 * What crosses a step is plain JS (rollouts, rewards, metrics); each update runs inside `trainStep`'s tidy and reads
 * its metrics once.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt.js';
import { tokenLogProbs } from '../model/logprobs.js';
import { Rng, type RngState } from '../random.js';
import { sampleTrainProblem } from '../tasks/dataset.js';
import type { Task } from '../tasks/task.js';
import type { Tokenizer } from '../tasks/tokenizer.js';
import { assignWeights, configDiff, loadCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import { trainConfig, type TrainConfig } from '../train/config.js';
import type { Optimizer } from '../train/optimizer.js';
import { trainStep } from '../train/step.js';
import { optimizerFromConfig, scheduleFromConfig } from '../train/trainer.js';
import { checkChoice, checkInt, checkKeys, checkRange } from '../train/validate.js';
import type { AdvantageFn } from './advantages.js';
import { rolloutClipFlags } from './clip-flags.js';
import type { Reward } from './rewards.js';
import { collectRollout, updateBatch, updateTensors, type Rollout } from './rollout.js';
import { clippedSurrogate, LOSS_AGGREGATIONS, type LossAggregation } from './surrogate.js';

/** Optimizer fields of the RL config (the same meaning and validation as the pretraining config). */
export type RLOptimConfig = Omit<Partial<TrainConfig>, 'steps' | 'seed' | 'logEvery' | 'evalEvery' | 'checkpointEvery'>;

export interface RLConfig {
  /** Rollout batches to run (integer >= 0). Default 100. */
  steps: number;
  /** Prompts per rollout batch, P. Default 16. */
  promptsPerStep: number;
  /** Samples per prompt, G (TRL `num_generations`; >= 2 for group baselines). Default 8. */
  numGenerations: number;
  /** Samples per gradient update; must divide P * G. Default P * G (one update per epoch). */
  miniBatchSize: number;
  /** Passes over each rollout batch (TRL `num_iterations`). Default 1. */
  epochs: number;
  /** Tokens generated per sample at most. Required. */
  maxNewTokens: number;
  /** Sampling temperature. Default 1 (the papers' setting). */
  temperature: number;
  /** Nucleus mass. Default 1. */
  topP: number;
  /** PPO clip range. Default 0.2. */
  epsilon: number;
  /** Upper clip range (DAPO clip-higher). Default = epsilon. */
  epsilonHigh: number;
  /** false removes clipping from the loss (the clipping ablation). Default true. */
  clip: boolean;
  /** Weight of the k3 KL to the reference model (needs `reference`). Default 0. */
  beta: number;
  /** Entropy bonus weight. Default 0. */
  entropyCoef: number;
  /** 'token-mean' (default) or 'sequence-mean'. */
  lossAggregation: LossAggregation;
  /** Seed of the prompt, sampling and mini-batch streams. Default 0. */
  seed: number;
  /** Progress line every N steps. Default ~10 lines per run. */
  logEvery: number;
  /** Evaluate every N steps (and before the first and after the last); 0: only before and after. Default 0. */
  evalEvery: number;
  /** Checkpoint every N steps; 0: only after the last one (if checkpointing). Default 0. */
  checkpointEvery: number;
  /** Optimizer: AdamW/SGD fields of `TrainConfig`. RL defaults: constant lr 1e-4, no weight decay (weight decay
   *  alone moves a zero-advantage run, Shao et al.'s gamma = 0 arm), grad clip 1. */
  optim: RLOptimConfig;
}

const RL_KEYS = [
  'steps', 'promptsPerStep', 'numGenerations', 'miniBatchSize', 'epochs', 'maxNewTokens', 'temperature', 'topP',
  'epsilon', 'epsilonHigh', 'clip', 'beta', 'entropyCoef', 'lossAggregation', 'seed', 'logEvery', 'evalEvery',
  'checkpointEvery', 'optim',
] as const satisfies readonly (keyof RLConfig)[];

const RL_OPTIM_DEFAULTS: RLOptimConfig = { schedule: 'constant', lr: 1e-4, weightDecay: 0, gradClip: 1 };

/** Fills defaults and validates; bad values are errors naming the field. */
export function rlConfig(partial: Partial<RLConfig> & { maxNewTokens: number }): RLConfig {
  if (typeof partial !== 'object' || partial === null) throw new Error('rlConfig: expected an object');
  checkKeys('rlConfig', partial, RL_KEYS);
  const p = partial;
  const steps = checkInt('rlConfig.steps', p.steps ?? 100, 0);
  const P = checkInt('rlConfig.promptsPerStep', p.promptsPerStep ?? 16, 1);
  const G = checkInt('rlConfig.numGenerations', p.numGenerations ?? 8, 1);
  const mb = checkInt('rlConfig.miniBatchSize', p.miniBatchSize ?? P * G, 1);
  if (mb > P * G)
    throw new Error(`rlConfig.miniBatchSize (${mb}) must be <= the rollout batch promptsPerStep * numGenerations (${P * G})`);
  if ((P * G) % mb !== 0)
    throw new Error(`rlConfig.miniBatchSize (${mb}) must divide the rollout batch promptsPerStep * numGenerations (${P * G})`);
  const epsilon = checkRange('rlConfig.epsilon', p.epsilon ?? 0.2, Number.MIN_VALUE, 1, true);
  if (p.clip !== undefined && typeof p.clip !== 'boolean') throw new Error(`rlConfig.clip must be true or false, got ${String(p.clip)}`);
  const optim = p.optim ?? {};
  if (typeof optim !== 'object' || optim === null) throw new Error('rlConfig.optim must be an object');
  for (const k of ['steps', 'seed', 'logEvery', 'evalEvery', 'checkpointEvery'])
    if (k in optim) throw new Error(`rlConfig.optim.${k} is not an optimizer field; set rlConfig.${k} instead`);
  const cfg: RLConfig = {
    steps,
    promptsPerStep: P,
    numGenerations: G,
    miniBatchSize: mb,
    epochs: checkInt('rlConfig.epochs', p.epochs ?? 1, 1),
    maxNewTokens: checkInt('rlConfig.maxNewTokens', p.maxNewTokens, 1),
    temperature: checkRange('rlConfig.temperature', p.temperature ?? 1, Number.MIN_VALUE, Infinity),
    topP: checkRange('rlConfig.topP', p.topP ?? 1, Number.MIN_VALUE, 1),
    epsilon,
    epsilonHigh: checkRange('rlConfig.epsilonHigh', p.epsilonHigh ?? epsilon, Number.MIN_VALUE, Infinity),
    clip: p.clip ?? true,
    beta: checkRange('rlConfig.beta', p.beta ?? 0, 0, Infinity),
    entropyCoef: checkRange('rlConfig.entropyCoef', p.entropyCoef ?? 0, 0, Infinity),
    lossAggregation: checkChoice('rlConfig.lossAggregation', p.lossAggregation ?? 'token-mean', LOSS_AGGREGATIONS),
    seed: checkRange('rlConfig.seed', p.seed ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE),
    logEvery: checkInt('rlConfig.logEvery', p.logEvery ?? Math.max(1, Math.ceil(steps / 10)), 1),
    evalEvery: checkInt('rlConfig.evalEvery', p.evalEvery ?? 0, 0),
    checkpointEvery: checkInt('rlConfig.checkpointEvery', p.checkpointEvery ?? 0, 0),
    optim: { ...RL_OPTIM_DEFAULTS, ...optim },
  };
  optimTrainConfig(cfg); // validates the optimizer fields now, naming them
  return cfg;
}

/** Gradient updates per rollout batch: mini-batches x epochs. */
export function updatesPerStep(cfg: RLConfig): number {
  return ((cfg.promptsPerStep * cfg.numGenerations) / cfg.miniBatchSize) * cfg.epochs;
}

function optimTrainConfig(cfg: RLConfig): TrainConfig {
  try {
    return trainConfig({ ...cfg.optim, steps: Math.max(1, cfg.steps * updatesPerStep(cfg)), seed: cfg.seed });
  } catch (e) {
    throw new Error(String((e as Error).message).replace(/^trainConfig\./, 'rlConfig.optim.'));
  }
}

/** Named numbers per step: `metrics[name][i]` was measured at `step[i]` (steps done). */
export interface MetricHistory {
  step: number[];
  metrics: Record<string, number[]>;
}

export interface RLProgress {
  kind: 'train' | 'eval';
  step: number;
  steps: number;
  metrics: Record<string, number>;
}

export interface RLOptions<P> {
  model: GPT;
  task: Task<P>;
  tokenizer: Tokenizer;
  reward: Reward<P>;
  advantage: AdvantageFn;
  config: Partial<RLConfig> & { maxNewTokens: number };
  /** Problems of a rollout batch. Default: `sampleTrainProblem(task, rng)`, which never yields a held-out problem. */
  sampleProblem?: (rng: Rng) => P;
  /** Frozen reference policy for the KL term (beta > 0) and for logging KL to it. */
  reference?: GPT;
  /** Held-out evaluation before training, every `evalEvery` steps and after the last step; named numbers. */
  evaluate?: (step: number) => Record<string, number> | Promise<Record<string, number>>;
  /**
   * Task-defined per-step counters from the rollout (e.g. fraction of samples using strategy A), called after the
   * step's updates with what those updates used (see {@link RolloutStep}).
   */
  rolloutMetrics?: (rollout: Rollout<P>, step: RolloutStep) => Record<string, number>;
  /** Replaces the default progress lines on stderr; false silences them. */
  onProgress?: ((p: RLProgress) => void) | false;
  /** Save model + optimizer + streams here every `checkpointEvery` steps and at the end. */
  checkpointDir?: string;
  /**
   * Continue a run from its checkpoint directory (same config; weights, optimizer, the trainer's own Rng streams and
   * the history are restored). A reward with its own Rng (`randomReward`) is not: pass one whose stream does not
   * matter, or accept that a resumed random-reward run draws different rewards than an uninterrupted one.
   */
  resumeFrom?: string;
}

/** What `rolloutMetrics` receives besides the rollout. */
export interface RolloutStep {
  /** [N] the advantages the step's updates used. */
  advantages: Float32Array;
  /**
   * [N, maxNewTokens] per-token clip flags of the rollout under the model after the step's updates, with the run's
   * epsilons (`rolloutClipFlags`: where the clip acts, or would act in a run without clipping). Costs one forward
   * pass over the batch; computed on the first call.
   */
  clipFlags(): Uint8Array;
}

export interface RLResult {
  config: RLConfig;
  history: MetricHistory;
  evals: MetricHistory;
  seconds: number;
}

const OPTION_KEYS = [
  'model', 'task', 'tokenizer', 'reward', 'advantage', 'config', 'sampleProblem', 'reference', 'evaluate',
  'rolloutMetrics', 'onProgress', 'checkpointDir', 'resumeFrom',
];

interface RLMeta {
  step: number;
  rlConfig: RLConfig;
  streams: Record<'prompts' | 'sampling' | 'minibatch', RngState>;
  history: MetricHistory;
  evals: MetricHistory;
}

/** Runs RL; see the module comment. */
export async function trainRL<P>(opts: RLOptions<P>): Promise<RLResult> {
  checkKeys('trainRL options', opts, OPTION_KEYS);
  for (const k of ['model', 'task', 'tokenizer', 'reward', 'advantage', 'config'] as const)
    if (opts[k] === undefined) throw new Error(`trainRL: options.${k} is required`);
  const cfg = rlConfig(opts.config);
  if (cfg.beta > 0 && !opts.reference) throw new Error(`trainRL: config.beta=${cfg.beta} > 0 needs options.reference`);
  const { model, task, tokenizer } = opts;
  const sampleProblem = opts.sampleProblem ?? ((rng: Rng) => sampleTrainProblem(task, rng));
  const report = opts.onProgress === false ? () => {} : (opts.onProgress ?? printRLProgress);
  const optimCfg = optimTrainConfig(cfg);
  const optimizer = optimizerFromConfig(optimCfg);
  const schedule = scheduleFromConfig(optimCfg);
  const root = new Rng(cfg.seed);
  const streams = { prompts: root.fork('prompts'), sampling: root.fork('sampling'), minibatch: root.fork('minibatch') };
  const history: MetricHistory = { step: [], metrics: {} };
  const evals: MetricHistory = { step: [], metrics: {} };
  const t0 = performance.now();
  const N = cfg.promptsPerStep * cfg.numGenerations;
  let start = 0;
  let update = 0;

  const runEval = async (step: number) => {
    if (!opts.evaluate) return;
    const m = await opts.evaluate(step);
    appendRow(evals, step, m);
    report({ kind: 'eval', step, steps: cfg.steps, metrics: m });
  };
  const save = (step: number) => {
    if (opts.checkpointDir === undefined) return;
    const meta: RLMeta = {
      step,
      rlConfig: cfg,
      streams: { prompts: streams.prompts.state(), sampling: streams.sampling.state(), minibatch: streams.minibatch.state() },
      history,
      evals,
    };
    saveCheckpoint(opts.checkpointDir, {
      params: model.params,
      modelConfig: model.config,
      tokenizer: tokenizer.toJSON(),
      meta: meta as unknown as Record<string, unknown>,
      optimizer: optimizer.getState(),
    });
  };

  try {
    if (opts.resumeFrom !== undefined) {
      const ck = loadCheckpoint(opts.resumeFrom, { expectedConfig: model.config });
      const meta = ck.meta as unknown as RLMeta;
      if (typeof meta.step !== 'number' || !meta.rlConfig || !meta.streams)
        throw new Error(`trainRL: checkpoint ${ck.dir} has no RL metadata to resume from`);
      const diffs = configDiff(meta.rlConfig, cfg).filter((d) => !/^(steps|logEvery|evalEvery|checkpointEvery)\b/.test(d));
      if (diffs.length > 0) throw new Error(`trainRL: cannot resume from ${ck.dir}, the RL config differs: ${diffs.join('; ')}`);
      if (!ck.optimizer) throw new Error(`trainRL: checkpoint ${ck.dir} has no optimizer state`);
      assignWeights(model.params, ck.weights);
      optimizer.setState(ck.optimizer);
      streams.prompts = new Rng(`${cfg.seed}/prompts`, meta.streams.prompts);
      streams.sampling = new Rng(`${cfg.seed}/sampling`, meta.streams.sampling);
      streams.minibatch = new Rng(`${cfg.seed}/minibatch`, meta.streams.minibatch);
      Object.assign(history, meta.history);
      Object.assign(evals, meta.evals);
      start = meta.step;
      update = start * updatesPerStep(cfg);
    } else {
      await runEval(0);
    }

    for (let s = start; s < cfg.steps; s++) {
      const tSample = performance.now();
      const problems = Array.from({ length: cfg.promptsPerStep }, () => sampleProblem(streams.prompts));
      const rollout = collectRollout(
        model,
        task,
        tokenizer,
        problems,
        { numGenerations: cfg.numGenerations, maxNewTokens: cfg.maxNewTokens, temperature: cfg.temperature, topP: cfg.topP },
        streams.sampling,
        opts.reference,
      );
      const tScore = performance.now();
      const rewarded = opts.reward.compute(rollout);
      const adv = opts.advantage({
        rewards: rewarded.rewards,
        groupSize: cfg.numGenerations,
        ...(rewarded.correct ? { correct: rewarded.correct } : {}),
      });
      if (adv.length !== N) throw new Error(`trainRL: the advantage function returned ${adv.length} values for ${N} samples`);
      const tUpdate = performance.now();

      const sums = { loss: 0, gradNorm: 0, clipFraction: 0, approxKL: 0, meanRatio: 0, klRef: 0 };
      const order = Array.from({ length: N }, (_, i) => i);
      let updates = 0;
      for (let e = 0; e < cfg.epochs; e++) {
        streams.minibatch.shuffle(order);
        for (let m0 = 0; m0 < N; m0 += cfg.miniBatchSize) {
          const idx = order.slice(m0, m0 + cfg.miniBatchSize);
          const r = surrogateUpdate(model, rollout, idx, adv, cfg, optimizer, schedule.lrAt(update), optimCfg.gradClip || Infinity);
          update++;
          updates++;
          for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += r[k];
        }
      }
      const tEnd = performance.now();

      const done = s + 1;
      const row: Record<string, number> = {
        reward: mean(rewarded.rewards),
        advantageAbs: meanAbs(adv),
        ...Object.fromEntries(Object.entries(rewarded.parts).map(([k, v]) => [k, mean(v)])),
        ...tokenStats(rollout),
        ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / updates])),
        lr: schedule.lrAt(update - 1),
        msSampling: tScore - tSample,
        msScoring: tUpdate - tScore,
        msUpdate: tEnd - tUpdate,
        ...(opts.rolloutMetrics ? opts.rolloutMetrics(rollout, rolloutStep(model, rollout, adv, cfg)) : {}),
      };
      if (rewarded.correct) row['accuracy'] = mean(rewarded.correct);
      if (!Number.isFinite(row['loss']!)) throw new Error(`trainRL: non-finite loss at step ${done}`);
      appendRow(history, done, row);
      if (done % cfg.logEvery === 0 || done === cfg.steps) report({ kind: 'train', step: done, steps: cfg.steps, metrics: row });
      if ((cfg.evalEvery > 0 && done % cfg.evalEvery === 0) || done === cfg.steps) await runEval(done);
      if ((cfg.checkpointEvery > 0 && done % cfg.checkpointEvery === 0) || done === cfg.steps) save(done);
    }
  } finally {
    optimizer.dispose();
  }
  return { config: cfg, history, evals, seconds: (performance.now() - t0) / 1000 };
}

function rolloutStep<P>(model: GPT, rollout: Rollout<P>, advantages: Float32Array, cfg: RLConfig): RolloutStep {
  let flags: Uint8Array | undefined;
  return {
    advantages,
    clipFlags: () => (flags ??= rolloutClipFlags(model, rollout, advantages, { epsilon: cfg.epsilon, epsilonHigh: cfg.epsilonHigh })),
  };
}

/** One clipped-surrogate gradient update on rollout rows `idx`. Returns plain numbers (one read). */
function surrogateUpdate<P>(
  model: GPT,
  rollout: Rollout<P>,
  idx: number[],
  adv: Float32Array,
  cfg: RLConfig,
  optimizer: Optimizer,
  lr: number,
  gradClip: number,
): { loss: number; gradNorm: number; clipFraction: number; approxKL: number; meanRatio: number; klRef: number } {
  const b = updateBatch(rollout, idx);
  const advRows = Float32Array.from(idx, (i) => adv[i]!);
  optimizer.lr = lr;
  let kept: tf.Tensor | undefined;
  const inputs = updateTensors(b);
  const advT = tf.tensor1d(advRows);
  try {
    const { loss, gradNorm } = trainStep(
      model.params,
      () => {
        const scores = tokenLogProbs(model, inputs.tokens);
        const out = clippedSurrogate(
          {
            logp: scores.logp,
            oldLogp: inputs.oldLogp,
            advantages: advT,
            mask: inputs.mask,
            ...(inputs.refLogp ? { refLogp: inputs.refLogp } : {}),
            ...(cfg.entropyCoef > 0 ? { entropy: scores.entropy } : {}),
          },
          {
            epsilon: cfg.epsilon,
            epsilonHigh: cfg.epsilonHigh,
            clip: cfg.clip,
            beta: cfg.beta,
            entropyCoef: cfg.entropyCoef,
            lossAggregation: cfg.lossAggregation,
          },
        );
        const m = out.metrics;
        kept = tf.keep(tf.stack([m.clipFraction, m.approxKL, m.meanRatio, m.klRef]));
        return out.loss;
      },
      optimizer,
      gradClip,
    );
    const v = kept!.dataSync();
    return { loss, gradNorm, clipFraction: v[0]!, approxKL: v[1]!, meanRatio: v[2]!, klRef: v[3]! };
  } finally {
    kept?.dispose();
    advT.dispose();
    for (const t of Object.values(inputs)) t.dispose();
  }
}

/** Mean entropy, mean probability of the sampled tokens, and mean length over the generated tokens. */
function tokenStats<P>(r: Rollout<P>): { entropy: number; meanTokenProb: number; length: number } {
  const M = r.maxNewTokens;
  let n = 0;
  let h = 0;
  let p = 0;
  for (let i = 0; i < r.lengths.length; i++) {
    for (let j = 0; j < r.lengths[i]!; j++) {
      h += r.entropies[i * M + j]!;
      p += Math.exp(r.logProbs[i * M + j]!);
      n++;
    }
  }
  return { entropy: h / n, meanTokenProb: p / n, length: mean(r.lengths) };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length ? s / a.length : NaN;
}

function meanAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]!);
  return a.length ? s / a.length : NaN;
}

/** Appends a row of named numbers; a name first seen later gets NaN for the earlier rows. */
function appendRow(h: MetricHistory, step: number, row: Record<string, number>): void {
  const n = h.step.length;
  h.step.push(step);
  for (const [k, x] of Object.entries(row)) {
    if (typeof x !== 'number') throw new Error(`trainRL: metric "${k}" is not a number`);
    (h.metrics[k] ??= new Array<number>(n).fill(NaN)).push(x);
  }
  for (const arr of Object.values(h.metrics)) while (arr.length < n + 1) arr.push(NaN);
}

/** Default progress: one short line per report on stderr (quiet with RLREPRO_QUIET=1). */
export function printRLProgress(p: RLProgress): void {
  if (process.env['RLREPRO_QUIET'] === '1') return;
  const keys = p.kind === 'eval' ? Object.keys(p.metrics) : ['reward', 'accuracy', 'entropy', 'clipFraction', 'length'];
  const parts = keys.filter((k) => p.metrics[k] !== undefined).map((k) => `${k} ${p.metrics[k]!.toFixed(4)}`);
  const ms = p.kind === 'train' ? ` ${(p.metrics['msSampling']! + p.metrics['msScoring']! + p.metrics['msUpdate']!).toFixed(0)} ms/step` : '';
  process.stderr.write(`rl ${p.kind} ${p.step}/${p.steps} ${parts.join(' ')}${ms}\n`);
}
