/**
 * Claim 2's run: one (mix a, arm, seed), read top to bottom.
 *
 *   base      next-token pretraining on the noisy, self-correcting corpus (training cache)
 *   instruct  the base fine-tuned on the narrow confident format (training cache)
 *   policy    theta(a) = (1 - a) theta_base + a theta_instruct
 *   RL        GRPO with the arm's reward (an intrinsic reward, or the ground-truth control), no KL
 *   eval      held-out accuracy, entropy and WAIT statistics at T = 1 on a fixed schedule (dense early)
 *
 * What differs from the textbook GRPO loop: the reward uses no label (except the control), and every evaluation of
 * a run replays the same sampling stream, separate from training's (common random numbers), so two evaluations of
 * an unchanged model agree exactly and a brief rise is not lost in sampling noise. A run with arm null measures the
 * model before RL instead (and the temperature check: whether sharpening can help).
 */
import { initBackend } from '../../backend/index.js';
import { evaluatePolicy, type SampleRecord } from '../../eval/policy.js';
import { GPT } from '../../model/gpt.js';
import { gptConfig, type GPTConfig } from '../../model/config.js';
import { mixWeights } from '../../model/weights.js';
import { Rng } from '../../random.js';
import { advantageFn } from '../../rl/advantages.js';
import { intrinsicReward, verifiableReward, type Reward } from '../../rl/rewards.js';
import { trainRL, type MetricHistory } from '../../rl/trainer.js';
import { makeBatch } from '../../tasks/batch.js';
import { generateHeldOutSet, sampleTrainProblem } from '../../tasks/dataset.js';
import { Tokenizer } from '../../tasks/tokenizer.js';
import {
  WAIT,
  waitScratchpadExamples,
  WaitScratchpadTask,
  type CorpusStyle,
  type WaitScratchpadEvaluation,
  type WaitScratchpadProblem,
} from '../../tasks/wait-scratchpad.js';
import { cachedLanguageModel } from '../../train/cached-lm.js';
import { pretrainSchedule } from '../../train/schedule.js';
import { defineExperiment, planRun, type ExperimentRunContext } from '../contract.js';
import { rlifClaimSpecs } from './claims.js';
import { checkRlifConfig, evalSchedule, RLIF_PRESETS, type RlifArm, type RlifCollapseConfig } from './config.js';

/** One run: one mix, one arm (null: measure the model only), one seed (plain data, for a worker). */
export interface RlifRun {
  terms: number;
  model: RlifCollapseConfig['model'];
  pretrain: RlifCollapseConfig['pretrain'];
  instruct: RlifCollapseConfig['instruct'];
  mix: number;
  arm: RlifArm | null;
  rl: RlifCollapseConfig['rl'];
  eval: RlifCollapseConfig['eval'];
  temperatures: number[];
  seed: number;
}

/** Held-out numbers at one evaluation. */
export interface WaitEval {
  accuracy: number;
  /** Mean token entropy (nats) over generated tokens, and separately inside wait segments and elsewhere. */
  entropy: number;
  entropyInWait: number;
  entropyOutsideWait: number;
  /** Waits per written step. */
  waitRate: number;
  /** Generated tokens per sample (EOS included). */
  length: number;
  /** Errors per step of each type, and the share of wrong steps fixed by a wait. */
  carryErrorRate: number;
  otherErrorRate: number;
  fixedShare: number;
  /** Share of samples that parsed into terms - 1 steps. */
  formatted: number;
}

export interface RlifRunResult {
  mix: number;
  arm: string | null;
  seed: number;
  /** Held-out evaluations on the schedule: `evals.metrics[k][i]` after RL step `evals.step[i]` (k in WaitEval). */
  evals: MetricHistory;
  /** Per RL step (training rollouts): reward, accuracy, entropy, length, clipFraction, ... */
  history: MetricHistory;
  /** Measurement runs (arm null) only: held-out accuracy by temperature ('greedy' included) before RL. */
  temperatureSweep?: { temperature: number | 'greedy'; accuracy: number; waitRate: number; entropy: number }[];
  seconds: number;
  cacheHits: boolean;
}

export interface PretrainedModels {
  base: GPT;
  instruct: GPT;
  /** True when both came from the training cache. */
  hit: boolean;
  task: WaitScratchpadTask;
  tokenizer: Tokenizer;
  config: GPTConfig;
}

// --- base and instruct -------------------------------------------------------------------------------------------

/** Base (pretrained on the noisy self-correcting corpus) and instruct (base + SFT), both through the cache. */
export async function pretrainedModels(
  run: Pick<RlifRun, 'terms' | 'model' | 'pretrain' | 'instruct'>,
  cacheDir?: string,
): Promise<PretrainedModels> {
  const task = new WaitScratchpadTask({ terms: run.terms });
  const tokenizer = Tokenizer.forTasks([task]);
  // BOS + prompt ("d+d+...=") + completion + EOS
  const contextLength = 1 + 2 * run.terms + task.maxCompletionTokens + 1;
  const config = gptConfig({ vocabSize: tokenizer.vocabSize, contextLength, ...run.model });
  // Base and instruct are both next-token training on a corpus style; only the init, seed and warmup differ.
  const lm = (key: object, build: () => GPT, p: { steps: number; batchSize: number; lr: number; style: CorpusStyle }, seed: number, warmup: boolean) =>
    cachedLanguageModel({
      key,
      modelConfig: config,
      tokenizer: tokenizer.toJSON(),
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      build,
      batches: (_s, rng) => makeBatch(tokenizer, waitScratchpadExamples(task, p.style, rng, p.batchSize), contextLength),
      config: pretrainSchedule({ ...p, seed }, warmup ? 100 : 0),
    });
  const baseKey = { experiment: 'rlif-collapse', task: task.name, generator: task.generatorVersion, config, pretrain: run.pretrain };
  const base = await lm(baseKey, () => new GPT(config, new Rng(run.pretrain.seed).fork('init')), run.pretrain, run.pretrain.seed, true);
  const baseWeights = base.model.getWeights();
  const instruct = await lm({ ...baseKey, instruct: run.instruct }, () => GPT.fromWeights(config, baseWeights), run.instruct, run.pretrain.seed + 1, false);
  return { base: base.model, instruct: instruct.model, hit: base.hit && instruct.hit, task, tokenizer, config };
}

/** theta(a) = (1 - a) theta_base + a theta_instruct as a new model (a = 0, 1 copy base / instruct). */
function mixedModel(base: GPT, instruct: GPT, a: number): GPT {
  return GPT.fromWeights(base.config, mixWeights(base.getWeights(), instruct.getWeights(), a));
}

// --- evaluation --------------------------------------------------------------------------------------------------

/**
 * The WAIT statistics of an evaluation's samples: the task's per-sample counters (steps, waits, errors by type,
 * fixes) pooled over samples, and the token entropies split into those inside a wait segment (after `<wait>`, up
 * to the next comma or the end) and the rest.
 */
function waitStats(samples: readonly SampleRecord<WaitScratchpadEvaluation>[], waitId: number, commaId: number): Omit<WaitEval, 'accuracy' | 'length'> {
  let steps = 0;
  let waits = 0;
  let carrySteps = 0;
  let carryErr = 0;
  let otherErr = 0;
  let fixed = 0;
  let formatted = 0;
  let hIn = 0;
  let nIn = 0;
  let hOut = 0;
  let nOut = 0;
  for (const e of samples) {
    steps += e.steps;
    waits += e.waits;
    carrySteps += e.carrySteps;
    carryErr += e.carryErrors;
    otherErr += e.otherErrors;
    fixed += e.fixed;
    if (e.formatted) formatted++;
    let inWait = false;
    for (let j = 0; j < e.tokens.length; j++) {
      const tok = e.tokens[j]!;
      if (inWait && tok !== commaId) {
        hIn += e.entropies[j]!;
        nIn++;
      } else {
        hOut += e.entropies[j]!;
        nOut++;
      }
      if (tok === waitId) inWait = true;
      else if (tok === commaId) inWait = false;
    }
  }
  const errors = carryErr + otherErr;
  return {
    entropy: (hIn + hOut) / Math.max(1, nIn + nOut),
    entropyInWait: nIn > 0 ? hIn / nIn : NaN,
    entropyOutsideWait: nOut > 0 ? hOut / nOut : NaN,
    waitRate: steps > 0 ? waits / steps : 0,
    carryErrorRate: carrySteps > 0 ? carryErr / carrySteps : NaN,
    otherErrorRate: steps - carrySteps > 0 ? otherErr / (steps - carrySteps) : NaN,
    fixedShare: errors > 0 ? fixed / errors : NaN,
    formatted: formatted / samples.length,
  };
}

/** Held-out evaluation through the shared `evaluatePolicy`, at temperature `temperature` (or greedy). */
function evaluateWait(
  model: GPT,
  task: WaitScratchpadTask,
  tokenizer: Tokenizer,
  problems: readonly WaitScratchpadProblem[],
  samples: number,
  rng: Rng,
  sampling: { temperature?: number; greedy?: boolean } = {},
): WaitEval {
  const ev = evaluatePolicy(model, task, tokenizer, problems, { samples, maxNewTokens: task.maxCompletionTokens + 1, ...sampling }, rng);
  return { accuracy: ev.accuracy, length: ev.length, ...waitStats(ev.samples, tokenizer.id(WAIT), tokenizer.encode(',')[0]!) };
}

// --- the run -----------------------------------------------------------------------------------------------------

/** The arm's reward: ground truth (the control), or an intrinsic reward in the arm's normalisation. */
function rewardOf(arm: RlifArm, task: WaitScratchpadTask): Reward<WaitScratchpadProblem> {
  if (arm.reward === 'ground-truth') return verifiableReward(task);
  return intrinsicReward(arm.reward, { normalisation: arm.normalisation ?? 'token-mean', task });
}

/** One (mix, arm, seed) run: the run function of the experiment. */
export async function rlifCollapseRun(run: RlifRun, ctx: ExperimentRunContext): Promise<RlifRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const m = await pretrainedModels(run, ctx.cacheDir);
  const { task, tokenizer } = m;
  const model = mixedModel(m.base, m.instruct, run.mix);
  m.base.dispose();
  m.instruct.dispose();
  const heldOut = generateHeldOutSet(task, 2000 + run.eval.problems, run.eval.problems);
  // Common random numbers: every evaluation of a run replays the same sampling stream, separate from training's.
  const evaluate = (sampling: { temperature?: number; greedy?: boolean } = {}) =>
    evaluateWait(model, task, tokenizer, heldOut, run.eval.samples, new Rng(run.seed).fork('eval'), sampling);
  const evals: MetricHistory = { step: [], metrics: {} };
  const record = (step: number, e: WaitEval) => {
    evals.step.push(step);
    for (const [k, v] of Object.entries(e)) (evals.metrics[k] ??= []).push(v);
  };
  let history: MetricHistory = { step: [], metrics: {} };
  let temperatureSweep: RlifRunResult['temperatureSweep'];
  try {
    if (run.arm === null) {
      record(0, evaluate());
      temperatureSweep = [];
      for (const t of [...run.temperatures, 'greedy' as const]) {
        const e = evaluate(t === 'greedy' ? { greedy: true } : { temperature: t });
        temperatureSweep.push({ temperature: t, accuracy: e.accuracy, waitRate: e.waitRate, entropy: e.entropy });
      }
    } else {
      const schedule = new Set(evalSchedule(run.eval, run.rl.steps));
      const res = await trainRL<WaitScratchpadProblem>({
        model,
        task,
        tokenizer,
        reward: rewardOf(run.arm, task),
        advantage: advantageFn('grpo'),
        sampleProblem: (rng) => sampleTrainProblem(task, rng),
        config: {
          steps: run.rl.steps,
          promptsPerStep: run.rl.promptsPerStep,
          numGenerations: run.rl.numGenerations,
          miniBatchSize: run.rl.miniBatchSize,
          epochs: run.rl.epochs,
          epsilon: run.rl.epsilon,
          maxNewTokens: task.maxCompletionTokens + 1,
          seed: run.seed,
          evalEvery: 1,
          optim: { optimizer: 'adamw', lr: run.rl.lr, weightDecay: 0, gradClip: 1 },
        },
        evaluate: (step) => {
          if (!schedule.has(step)) return {};
          const e = evaluate();
          record(step, e);
          ctx.progress({ step, accuracy: e.accuracy, waitRate: e.waitRate });
          return {};
        },
        onProgress: false,
      });
      history = res.history;
    }
  } finally {
    model.dispose();
  }
  return {
    mix: run.mix,
    arm: run.arm?.name ?? null,
    seed: run.seed,
    evals,
    history,
    ...(temperatureSweep ? { temperatureSweep } : {}),
    seconds: (performance.now() - t0) / 1000,
    cacheHits: m.hit,
  };
}

// --- the experiment: every run of a config ---------------------------------------------------------------------

export interface RlifCollapseResult {
  config: RlifCollapseConfig;
  /** Before RL, one per mix (evaluated with the first seed's stream), with the temperature check. */
  models: RlifRunResult[];
  /** One per (mix, arm, seed) the arms select. */
  runs: RlifRunResult[];
}

function runOf(c: RlifCollapseConfig, mix: number, arm: RlifArm | null, seed: number): RlifRun {
  return { terms: c.terms, model: c.model, pretrain: c.pretrain, instruct: c.instruct, mix, arm, rl: c.rl, eval: c.eval, temperatures: c.temperatures, seed };
}

/**
 * Claim 2 on the experiment contract. Phases: `pretrain` measures the first mix, training base and instruct into the
 * cache on the way (one run, so parallel workers never train the same model twice); `models` measures the other
 * mixes; `rl` is every (mix, arm, seed) the arms select.
 */
export const rlifCollapse = defineExperiment({
  name: 'rlif-collapse',
  module: import.meta.url,
  presets: RLIF_PRESETS,
  // The base corpus never forgets only the last carry; the key is the instruct format's.
  optionalKeys: { 'pretrain.style.forgetLastCarry': 'number' },
  validate: checkRlifConfig,
  runs: (c: RlifCollapseConfig) => {
    const seed0 = c.seeds[0]!;
    const measure = c.mixes.map((mix, i) => planRun(i === 0 ? 'pretrain' : 'models', [`a${mix}`], runOf(c, mix, null, seed0)));
    const rl = c.mixes.flatMap((mix) =>
      c.arms
        .filter((arm) => !arm.mixes || arm.mixes.includes(mix))
        .flatMap((arm) => c.seeds.map((seed) => planRun('rl', [`a${mix}`, arm.name, `seed${seed}`], runOf(c, mix, arm, seed)))),
    );
    return [...measure, ...rl];
  },
  run: rlifCollapseRun,
  combine: (config, done): RlifCollapseResult => ({
    config,
    models: done.filter((d) => d.phase !== 'rl').map((d) => d.output),
    runs: done.filter((d) => d.phase === 'rl').map((d) => d.output),
  }),
  claims: (result) => rlifClaimSpecs(result),
});
