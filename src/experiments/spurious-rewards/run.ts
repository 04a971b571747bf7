/**
 * One run of claim 3 (Shao et al., "Spurious Rewards", arXiv 2506.10947): random rewards help only a model whose
 * pretraining holds a strong, accurate latent strategy, through the clipping bias of the PPO/GRPO surrogate.
 *
 * The task is two-style addition (`tasks/two-style.ts`: style A = carry trace, the "code reasoning" analog; style
 * B = direct answer; the first output token chooses). A run is one base (pretrained once through the training cache)
 * under one arm and seed: GRPO (eps 0.2, no KL, T = 1, a rollout batch much larger than the mini-batch, several
 * epochs over it) with the ground-truth reward, a random reward Bernoulli(gamma), or one of the two mechanism
 * ablations (clipping removed in the loss; one update per rollout batch, where the ratio is 1). A run with arm null
 * measures the base alone.
 *
 * Metrics: held-out accuracy at T = 1 (greedy accuracy only reports the most probable style), A-frequency and
 * accuracy per style from the same held-out samples, and per RL step from the rollout batch: A-frequency, mean token
 * probability, clip fraction, reward, and where the clip acts (`positionClipStats`).
 */
import { initBackend } from '../../backend/index.js';
import { evaluatePolicy } from '../../eval/policy.js';
import { GPT } from '../../model/gpt.js';
import { gptConfig, type GPTConfig } from '../../model/config.js';
import { Rng } from '../../random.js';
import { advantageFn } from '../../rl/advantages.js';
import { randomReward, verifiableReward, type Reward } from '../../rl/rewards.js';
import type { Rollout } from '../../rl/rollout.js';
import { trainRL, type MetricHistory, type RLConfig } from '../../rl/trainer.js';
import { makeBatch } from '../../tasks/batch.js';
import { generateHeldOutSet, sampleTrainProblem } from '../../tasks/dataset.js';
import { Tokenizer } from '../../tasks/tokenizer.js';
import {
  checkStyleMixture,
  expectedStyleAccuracy,
  twoStyleExamples,
  TwoStyleAdditionTask,
  type StyleMixture,
  type TwoStyleEvaluation,
  type TwoStyleProblem,
} from '../../tasks/two-style.js';
import { cachedLanguageModel } from '../../train/cached-lm.js';
import { pretrainSchedule } from '../../train/schedule.js';
import type { ExperimentRunContext } from '../contract.js';
import type { ArmSpec, SpuriousRewardsConfig, SpuriousRLConfig } from './config.js';

/** One run: one base, one arm, one seed (plain data). */
export interface SpuriousRunSpec {
  digits: number;
  model: SpuriousRewardsConfig['model'];
  pretrain: SpuriousRewardsConfig['pretrain'];
  base: { name: string; mixture: StyleMixture };
  rl: SpuriousRewardsConfig['rl'];
  /** null: only pretrain and measure the base. */
  arm: ArmSpec | null;
  eval: SpuriousRewardsConfig['eval'];
  seed: number;
}

/** Held-out numbers at one step. */
export interface StyleEval {
  accuracy: number;
  /** Fraction of samples whose first token chose style A. */
  freqA: number;
  /** Accuracy among A samples (NaN when none) and among B samples. */
  accA: number;
  accB: number;
  /** Fraction of samples starting with neither style token. */
  freqNone: number;
  /** Greedy accuracy (the most probable style), for reference only. */
  greedyAccuracy: number;
}

export interface SpuriousRunResult {
  base: string;
  arm: string | null;
  seed: number;
  /** Held-out evaluations: `evals.metrics[k][i]` at RL step `evals.step[i]` (k in StyleEval). */
  evals: MetricHistory;
  /** Per RL step (rollout batch): reward, accuracy, freqA, meanTokenProb, clipFraction, entropy, approxKL, ... */
  history: MetricHistory;
  /** What the corpus mixture implies for a model that learned it exactly. */
  expected: { pA: number; accA: number; accB: number; accuracy: number };
  pretrainSeconds: number;
  cacheHit: boolean;
  seconds: number;
}

const DIGITS_CONTEXT_SLACK = 2;

function modelConfigOf(c: { digits: number; model: SpuriousRewardsConfig['model'] }, tokenizer: Tokenizer, task: TwoStyleAdditionTask): GPTConfig {
  // prompt "dd+dd=" + BOS + completion + EOS
  const contextLength = 2 * c.digits + 2 + 1 + task.maxCompletionTokens + 1 + DIGITS_CONTEXT_SLACK;
  return gptConfig({ vocabSize: tokenizer.vocabSize, contextLength, ...c.model });
}

/** Pretrains (or loads from the cache) the base of `run`. */
export async function pretrainedBase(
  run: Pick<SpuriousRunSpec, 'digits' | 'model' | 'pretrain' | 'base'>,
  cacheDir?: string,
): Promise<{ model: GPT; hit: boolean; seconds: number; task: TwoStyleAdditionTask; tokenizer: Tokenizer; config: GPTConfig }> {
  const task = new TwoStyleAdditionTask({ digits: run.digits });
  const tokenizer = Tokenizer.forTasks([task]);
  const config = modelConfigOf(run, tokenizer, task);
  const mixture = checkStyleMixture(run.base.mixture, `base ${run.base.name}: mixture`);
  const seqLen = config.contextLength;
  const t0 = performance.now();
  const res = await cachedLanguageModel({
    key: { experiment: 'spurious-rewards', task: task.name, generator: task.generatorVersion, config, mixture, pretrain: run.pretrain },
    modelConfig: config,
    tokenizer: tokenizer.toJSON(),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    build: () => new GPT(config, new Rng(run.pretrain.seed).fork('init')),
    batches: (_s, rng) => makeBatch(tokenizer, twoStyleExamples(task, mixture, rng, run.pretrain.batchSize), seqLen),
    config: pretrainSchedule(run.pretrain),
  });
  return { model: res.model, hit: res.hit, seconds: (performance.now() - t0) / 1000, task, tokenizer, config };
}

/** Held-out style statistics at T = 1 (and greedy accuracy). */
export function evaluateStyles(
  model: GPT,
  task: TwoStyleAdditionTask,
  tokenizer: Tokenizer,
  problems: readonly TwoStyleProblem[],
  samples: number,
  rng: Rng,
): StyleEval {
  const maxNewTokens = task.maxCompletionTokens + 1;
  const ev = evaluatePolicy<TwoStyleProblem, TwoStyleEvaluation>(model, task, tokenizer, problems, { samples, maxNewTokens }, rng);
  const s = styleCounts(ev.samples);
  const greedy = evaluatePolicy(model, task, tokenizer, problems, { samples: 1, maxNewTokens, greedy: true }, rng);
  return { ...s, greedyAccuracy: greedy.accuracy };
}

/** Accuracy, A-frequency and accuracy per style of a list of evaluations. */
export function styleCounts(evals: readonly TwoStyleEvaluation[]): Omit<StyleEval, 'greedyAccuracy'> {
  let nA = 0;
  let nB = 0;
  let cA = 0;
  let cB = 0;
  let c = 0;
  for (const e of evals) {
    if (e.correct) c++;
    if (e.style === 'A') {
      nA++;
      if (e.correct) cA++;
    } else if (e.style === 'B') {
      nB++;
      if (e.correct) cB++;
    }
  }
  const n = evals.length;
  return { accuracy: c / n, freqA: nA / n, accA: nA ? cA / nA : NaN, accB: nB ? cB / nB : NaN, freqNone: (n - nA - nB) / n };
}

/** The trainer config of an arm (no weight decay: decay alone moves a zero-advantage, gamma = 0, run). */
export function spuriousTrainerConfig(
  rl: SpuriousRLConfig,
  arm: ArmSpec,
  run: { seed: number; evalEvery: number; maxNewTokens: number },
): Partial<RLConfig> & { maxNewTokens: number } {
  const N = rl.promptsPerStep * rl.numGenerations;
  return {
    steps: rl.steps,
    promptsPerStep: rl.promptsPerStep,
    numGenerations: rl.numGenerations,
    miniBatchSize: arm.oneUpdate ? N : rl.miniBatchSize,
    epochs: arm.oneUpdate ? 1 : rl.epochs,
    epsilon: rl.epsilon,
    clip: arm.clip ?? true,
    maxNewTokens: run.maxNewTokens,
    seed: run.seed,
    evalEvery: run.evalEvery,
    optim: { optimizer: rl.optimizer, lr: rl.lr, weightDecay: 0, gradClip: rl.gradClip ?? 1 },
  };
}

function rewardOf(arm: ArmSpec, task: TwoStyleAdditionTask, seed: number): Reward<TwoStyleProblem> {
  switch (arm.reward) {
    case 'ground-truth':
      return verifiableReward(task);
    case 'random':
      if (typeof arm.gamma !== 'number') throw new Error(`arm ${arm.name}: gamma is required for the random reward`);
      return randomReward({ gamma: arm.gamma, rng: new Rng(seed).fork('random-reward'), task });
    default:
      throw new Error(`arm ${(arm as ArmSpec).name}: reward must be ground-truth or random, got ${String((arm as ArmSpec).reward)}`);
  }
}

/** One (base, arm, seed) run, or the base alone: base model -> trainRL -> the held-out evaluation before and after. */
export async function spuriousRewardsRun(run: SpuriousRunSpec, ctx?: Pick<ExperimentRunContext, 'cacheDir' | 'progress'>): Promise<SpuriousRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const base = await pretrainedBase(run, ctx?.cacheDir);
  const { task, tokenizer } = base;
  const heldOut = generateHeldOutSet(task, 1000 + run.eval.problems, run.eval.problems);
  // Every evaluation draws from the same fresh stream (common random numbers): a model that did not change scores
  // exactly the same, and before/after differences carry less sampling noise.
  const evalRng = () => new Rng(run.seed).fork('eval');
  const evals: MetricHistory = { step: [], metrics: {} };
  const record = (step: number, e: StyleEval) => {
    evals.step.push(step);
    for (const [k, v] of Object.entries(e)) (evals.metrics[k] ??= []).push(v);
  };
  let history: MetricHistory = { step: [], metrics: {} };
  try {
    if (run.arm === null) {
      record(0, evaluateStyles(base.model, task, tokenizer, heldOut, run.eval.samples, evalRng()));
    } else {
      const arm = run.arm;
      const res = await trainRL<TwoStyleProblem>({
        model: base.model,
        task,
        tokenizer,
        reward: rewardOf(arm, task, run.seed),
        advantage: advantageFn('grpo'),
        sampleProblem: (rng) => sampleTrainProblem(task, rng),
        config: spuriousTrainerConfig(run.rl, arm, { seed: run.seed, evalEvery: run.eval.every, maxNewTokens: task.maxCompletionTokens + 1 }),
        evaluate: (step) => {
          const e = evaluateStyles(base.model, task, tokenizer, heldOut, run.eval.samples, evalRng());
          record(step, e);
          ctx?.progress({ step, accuracy: e.accuracy, freqA: e.freqA });
          return { ...e };
        },
        rolloutMetrics: (r, step) => {
          const e = r.completions.map((c, i) => task.evaluate(r.problems[Math.floor(i / r.groupSize)]!, c));
          const s = styleCounts(e);
          const pos = positionClipStats(r, step.advantages, step.clipFlags());
          return { freqA: s.freqA, rolloutAccA: s.accA, rolloutAccB: s.accB, ...pos };
        },
        onProgress: false,
      });
      history = res.history;
    }
  } finally {
    base.model.dispose();
  }
  return {
    base: run.base.name,
    arm: run.arm?.name ?? null,
    seed: run.seed,
    evals,
    history,
    expected: expectedStyleAccuracy(task, run.base.mixture),
    pretrainSeconds: base.hit ? 0 : base.seconds,
    cacheHit: base.hit,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Where the clip acts, measured on the step's rollout batch after its updates (trainRL calls `rolloutMetrics`
 * then): for the style token (first completion token) and for the answer tokens (the rest, EOS included), the
 * mean pi_old of the sampled token and the fraction of tokens the surrogate's clip test flags (`flags`, from
 * `RolloutStep.clipFlags`: the final ratio pi_new / pi_old past the clip bound in the direction of the sample's
 * advantage). Samples with zero advantage are left out of the fractions. The paper's mechanism predicts clipping
 * on the style token, which it reaches sooner at small pi_old, and mass moving to the likelier style.
 */
export function positionClipStats(
  r: Rollout<TwoStyleProblem>,
  advantages: Float32Array,
  flags: Uint8Array,
): { styleProbOld: number; answerProbOld: number; clipStyle: number; clipAnswer: number } {
  const N = r.lengths.length;
  const M = r.maxNewTokens;
  let pS = 0;
  let nS = 0;
  let pA = 0;
  let nA = 0;
  let cS = 0;
  let dS = 0;
  let cA = 0;
  let dA = 0;
  for (let i = 0; i < N; i++) {
    const hasAdvantage = advantages[i] !== 0;
    for (let t = 0; t < r.lengths[i]!; t++) {
      const old = r.logProbs[i * M + t]!;
      const clipped = flags[i * M + t]!;
      if (t === 0) {
        pS += Math.exp(old);
        nS++;
        if (hasAdvantage) {
          cS += clipped;
          dS++;
        }
      } else {
        pA += Math.exp(old);
        nA++;
        if (hasAdvantage) {
          cA += clipped;
          dA++;
        }
      }
    }
  }
  return { styleProbOld: pS / nS, answerProbOld: nA ? pA / nA : NaN, clipStyle: dS ? cS / dS : NaN, clipAnswer: dA ? cA / dA : NaN };
}
