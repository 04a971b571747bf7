/**
 * Claim 3 (Shao et al., "Spurious Rewards", arXiv 2506.10947): random rewards help only a model whose pretraining
 * holds a strong, accurate latent strategy, through the clipping bias of the PPO/GRPO surrogate.
 *
 * Design (issue 5): the two-style addition task (`tasks/two-style.ts`: style A = carry trace, the "code reasoning"
 * analog; style B = direct answer; the first output token chooses). Three bases that differ only in their corpus
 * mixture (good-A, no-A, bad-A), pretrained once each through the training cache. Then GRPO (eps 0.2, no KL, T = 1,
 * a rollout batch much larger than the mini-batch, several epochs over it) per base under several arms: ground
 * truth, random reward Bernoulli(gamma) for gamma 0.5 and 0, and the two mechanism ablations (clipping removed in
 * the loss; one update per rollout batch, where the ratio is 1 and clipping cannot fire). Every (base, arm, seed) is
 * one plain-config run through `runParallel`.
 *
 * Metrics: held-out accuracy at T = 1 (greedy accuracy only reports the most probable style), A-frequency and
 * accuracy per style (from the same held-out samples), and per RL step from the rollout batch: A-frequency, mean
 * token probability, clip fraction, reward.
 */
import { initBackend } from '../backend/index.js';
import { evaluatePolicy } from '../eval/policy.js';
import { GPT } from '../model/gpt.js';
import { gptConfig, type GPTConfig } from '../model/config.js';
import { phaseRunner } from '../parallel/phases.js';
import type { RunEvent } from '../parallel/run-parallel.js';
import type { RunContext } from '../parallel/run-function.js';
import { Rng } from '../random.js';
import { advantageFn } from '../rl/advantages.js';
import {
  formatReward,
  incorrectLabelReward,
  randomReward,
  verifiableReward,
  type Reward,
} from '../rl/rewards.js';
import type { Rollout } from '../rl/rollout.js';
import { trainRL, type MetricHistory } from '../rl/trainer.js';
import { makeBatch } from '../tasks/batch.js';
import { generateHeldOutSet, sampleTrainProblem } from '../tasks/dataset.js';
import { Tokenizer } from '../tasks/tokenizer.js';
import {
  checkStyleMixture,
  expectedStyleAccuracy,
  twoStyleExamples,
  TwoStyleAdditionTask,
  type StyleMixture,
  type TwoStyleEvaluation,
  type TwoStyleProblem,
} from '../tasks/two-style.js';
import { cachedLanguageModel } from '../train/cached-lm.js';
import { pretrainSchedule } from '../train/schedule.js';

export const BASE_NAMES = ['good-A', 'no-A', 'bad-A'] as const;
export type BaseName = (typeof BASE_NAMES)[number];

/** The three corpora (module comment of two-style.ts). Accuracy per style follows from the carry-drop rates. */
export const BASE_MIXTURES: Record<BaseName, StyleMixture> = {
  'good-A': { pA: 0.65, dropA: 0.4, dropB: 0.95 },
  'no-A': { pA: 0, dropA: 0.4, dropB: 0.95 },
  'bad-A': { pA: 0.95, dropA: 0.8, dropB: 0.2 },
};

export type ArmReward = 'ground-truth' | 'random' | 'incorrect-label' | 'format';

export interface ArmSpec {
  /** Short name shown in tables, e.g. "random-0.5". */
  name: string;
  reward: ArmReward;
  /** P(reward = 1) of the random reward. Required for 'random'. */
  gamma?: number;
  /** false removes clipping from the loss. Default true. */
  clip?: boolean;
  /** true: one update per rollout batch (mini-batch = rollout batch, one epoch): the ratio is 1, clipping cannot fire. */
  oneUpdate?: boolean;
  /** Bases this arm runs on. Default all. */
  bases?: BaseName[];
}

export interface SpuriousRewardsConfig {
  digits: number;
  model: { dModel: number; nHeads: number; nLayers: number };
  pretrain: { steps: number; batchSize: number; lr: number; seed: number };
  bases: { name: BaseName; mixture: StyleMixture }[];
  rl: {
    steps: number;
    promptsPerStep: number;
    numGenerations: number;
    miniBatchSize: number;
    epochs: number;
    epsilon: number;
    optimizer: 'adamw' | 'sgd';
    lr: number;
    /** Global gradient-norm clip per update; 0 disables. Default 1 (the RL trainer's default). */
    gradClip?: number;
  };
  arms: ArmSpec[];
  /** Held-out problems and samples per problem at T = 1; evaluate every `every` RL steps (and before, after). */
  eval: { problems: number; samples: number; every: number };
  seeds: number[];
  /** Worker threads for runParallel (default: all cores). */
  workers?: number;
}

/** One run: one base, one arm, one seed (plain data, for a worker). */
export interface SpuriousRun {
  digits: number;
  model: SpuriousRewardsConfig['model'];
  pretrain: SpuriousRewardsConfig['pretrain'];
  base: { name: string; mixture: StyleMixture };
  rl: SpuriousRewardsConfig['rl'];
  /** null: only pretrain and measure the base. */
  arm: ArmSpec | null;
  eval: SpuriousRewardsConfig['eval'];
  seed: number;
  cacheDir?: string;
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
  run: Pick<SpuriousRun, 'digits' | 'model' | 'pretrain' | 'base' | 'cacheDir'>,
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
    ...(run.cacheDir !== undefined ? { cacheDir: run.cacheDir } : {}),
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

function rewardOf(arm: ArmSpec, task: TwoStyleAdditionTask, seed: number): Reward<TwoStyleProblem> {
  switch (arm.reward) {
    case 'ground-truth':
      return verifiableReward(task);
    case 'random': {
      if (typeof arm.gamma !== 'number') throw new Error(`arm ${arm.name}: gamma is required for the random reward`);
      return randomReward({ gamma: arm.gamma, rng: new Rng(seed).fork('random-reward'), task });
    }
    case 'incorrect-label':
      // A fixed wrong label per problem: the sum plus one (never the right answer).
      return incorrectLabelReward({ task, wrongLabel: (p) => String(p.a + p.b + 1) });
    case 'format':
      return formatReward(task);
    default:
      throw new Error(`arm ${(arm as ArmSpec).name}: reward must be one of ground-truth, random, incorrect-label, format`);
  }
}

/** One (base, arm, seed) run: the run function of `runParallel`. */
export async function spuriousRewardsRun(run: SpuriousRun, ctx?: RunContext): Promise<SpuriousRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const base = await pretrainedBase(run);
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
      const P = run.rl.promptsPerStep;
      const G = run.rl.numGenerations;
      const res = await trainRL<TwoStyleProblem>({
        model: base.model,
        task,
        tokenizer,
        reward: rewardOf(arm, task, run.seed),
        advantage: advantageFn('grpo'),
        sampleProblem: (rng) => sampleTrainProblem(task, rng),
        config: {
          steps: run.rl.steps,
          promptsPerStep: P,
          numGenerations: G,
          miniBatchSize: arm.oneUpdate ? P * G : run.rl.miniBatchSize,
          epochs: arm.oneUpdate ? 1 : run.rl.epochs,
          epsilon: run.rl.epsilon,
          clip: arm.clip ?? true,
          maxNewTokens: task.maxCompletionTokens + 1,
          seed: run.seed,
          evalEvery: run.eval.every,
          // No weight decay: decay alone moves a zero-advantage (gamma = 0) run.
          optim: { optimizer: run.rl.optimizer, lr: run.rl.lr, weightDecay: 0, gradClip: run.rl.gradClip ?? 1 },
        },
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

/** The standard arms of the claim: ground truth, random 0.5 and 0, and the two ablations (on good-A). */
export function standardArms(): ArmSpec[] {
  return [
    { name: 'ground-truth', reward: 'ground-truth' },
    { name: 'random-0.5', reward: 'random', gamma: 0.5 },
    { name: 'random-0', reward: 'random', gamma: 0, bases: ['good-A'] },
    { name: 'random-0.5-no-clip', reward: 'random', gamma: 0.5, clip: false, bases: ['good-A'] },
    { name: 'random-0.5-one-update', reward: 'random', gamma: 0.5, oneUpdate: true, bases: ['good-A'] },
  ];
}

const BASES = BASE_NAMES.map((name) => ({ name, mixture: BASE_MIXTURES[name] }));

export const SPURIOUS_PRESETS: Record<'quick' | 'default' | 'full', SpuriousRewardsConfig> = {
  // CI: mechanics only (tiny bases, a few steps).
  quick: {
    digits: 2,
    model: { dModel: 32, nHeads: 4, nLayers: 2 },
    pretrain: { steps: 200, batchSize: 64, lr: 3e-3, seed: 0 },
    bases: BASES,
    rl: { steps: 4, promptsPerStep: 16, numGenerations: 8, miniBatchSize: 32, epochs: 4, epsilon: 0.2, optimizer: 'adamw', lr: 1e-4 },
    arms: standardArms(),
    eval: { problems: 50, samples: 4, every: 0 },
    seeds: [0, 1, 2], // a claim check needs >= 3 seeds
  },
  // The regime chosen by the search (SPURIOUS_SEARCH): 256 rollouts, 8 mini-batches x 4 epochs = 32 updates per
  // rollout batch, Adam 1e-4 without weight decay.
  default: {
    digits: 2,
    model: { dModel: 48, nHeads: 4, nLayers: 2 },
    pretrain: { steps: 1500, batchSize: 64, lr: 3e-3, seed: 0 },
    bases: BASES,
    rl: { steps: 12, promptsPerStep: 32, numGenerations: 8, miniBatchSize: 32, epochs: 4, epsilon: 0.2, optimizer: 'adamw', lr: 1e-4 },
    arms: standardArms(),
    eval: { problems: 200, samples: 4, every: 0 },
    seeds: [0, 1, 2, 3, 4],
  },
  // The paper's batching (64 x 16 = 1024 rollouts, mini-batch 128) on a bigger machine.
  full: {
    digits: 2,
    model: { dModel: 64, nHeads: 4, nLayers: 3 },
    pretrain: { steps: 4000, batchSize: 128, lr: 2e-3, seed: 0 },
    bases: BASES,
    rl: { steps: 60, promptsPerStep: 64, numGenerations: 16, miniBatchSize: 128, epochs: 4, epsilon: 0.2, optimizer: 'adamw', lr: 1e-4 },
    arms: standardArms(),
    eval: { problems: 400, samples: 8, every: 10 },
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  },
};

/**
 * Every setting tried in the regime search on good-A (seeds 100+, never the claim seeds), in order, one seed each:
 * held-out accuracy, A-frequency and accuracy per style at T = 1 before -> after (200 problems x 4 samples), mean token
 * probability of the first -> last rollout batch, mean clip fraction. Task v1 had both sums in the usual digit order
 * (its bases: good-A 0.66 A, accuracy 0.59 with A, 0.12 with B); v3 (the final task) writes both sums reversed. P x G
 * rollouts, mini-batch, epochs, optimizer and lr; eps 0.2 unless stated, no weight decay, gradient-norm clip 1.
 * "P(A) by problem": a good-A variant whose corpus uses A on 80% of carry problems and 30% of the others
 * (mixture {pA 0.3, pACarry 0.8, dropA 0.4, dropB 0.95}; base: A-frequency 0.63, accuracy 0.56 at T = 1).
 * "eval CRN": evaluated with common random numbers (the same sampling stream before and after), as the experiment
 * now does. Rows from seed 105 on also give, in `clipFraction`, where the clip acts (`positionClipStats`, mean over
 * steps): the fraction of style tokens and of answer tokens past the clip bound in their advantage's direction after
 * the step's updates ("would have clipped" in a no-clip arm); "dModel 80": a larger good-A base (2 layers, pretrained
 * 1500 x 64 at lr 2e-3; A-frequency 0.66, accuracy 0.70 with A, 0.34 with B, 0.58 at T = 1).
 * "exact A" (seeds 120+, session 3): the v3 task with good-A's corpus changed so that style A never drops a carry
 * (mixture {pA 0.65, dropA 0, dropB 0.95}): A answers are then near-deterministic given the problem (pi_old of the
 * answer tokens about 0.998), so the style token is the only high-entropy decision of an A rollout and answer tokens
 * cannot reach the upper clip bound (base: A-frequency 0.64, accuracy 1.00 with A, 0.38 with B, 0.78 at T = 1);
 * "exact A, dModel 80": the same corpus on the dModel 80 base (A-frequency 0.64, accuracy 1.00 with A, 0.38 with B).
 */
export const SPURIOUS_SEARCH: readonly {
  task: string; setting: string; arm: string; seed: number; accuracy: string; freqA: string; accA: string; accB: string;
  meanTokenProb: string; clipFraction: string;
}[] = [
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, Adam 1e-4', arm: 'random-0.5', seed: 100, accuracy: '.425->.261', freqA: '.649->.403', accA: '.592->.543', accB: '.117->.071', meanTokenProb: '.869->.807', clipFraction: '.028' },
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, Adam 3e-5', arm: 'random-0.5', seed: 100, accuracy: '.425->.445', freqA: '.649->.629', accA: '.592->.658', accB: '.117->.084', meanTokenProb: '.869->.875', clipFraction: '.012' },
  { task: 'v1', setting: '10 steps, 32x16, mb 512 (full), 8 ep, Adam 1e-4', arm: 'random-0.5', seed: 100, accuracy: '.425->.305', freqA: '.649->.556', accA: '.592->.479', accB: '.117->.087', meanTokenProb: '.869->.836', clipFraction: '.019' },
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.02', arm: 'random-0.5', seed: 100, accuracy: '.425->.241', freqA: '.649->.772', accA: '.592->.301', accB: '.117->.038', meanTokenProb: '.869->.877', clipFraction: '.043' },
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.02', arm: 'random-0.5-no-clip', seed: 100, accuracy: '.425->.001', freqA: '.649->.639', accA: '.592->.000', accB: '.117->.003', meanTokenProb: '.869->.799', clipFraction: '0' },
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.1', arm: 'random-0.5', seed: 100, accuracy: '.425->.005', freqA: '.649->.771', accA: '.592->.005', accB: '.117->.006', meanTokenProb: '.869->.771', clipFraction: '.114' },
  { task: 'v1', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.005', arm: 'random-0.5', seed: 100, accuracy: '.425->.393', freqA: '.649->.615', accA: '.592->.581', accB: '.117->.091', meanTokenProb: '.869->.854', clipFraction: '.017' },
  { task: 'v1', setting: '20 steps, 32x16, mb 64, 4 ep, SGD 0.01', arm: 'random-0.5', seed: 100, accuracy: '.425->.233', freqA: '.649->.492', accA: '.592->.401', accB: '.117->.069', meanTokenProb: '.869->.778', clipFraction: '.031' },
  { task: 'v1', setting: '10 steps, 64x16, mb 128, 4 ep, SGD 0.01', arm: 'random-0.5', seed: 100, accuracy: '.425->.443', freqA: '.649->.621', accA: '.592->.656', accB: '.117->.093', meanTokenProb: '.877->.863', clipFraction: '.022' },
  { task: 'v1', setting: '20 steps, 32x16, mb 64, 4 ep, Adam 3e-5', arm: 'random-0.5', seed: 100, accuracy: '.425->.399', freqA: '.649->.621', accA: '.592->.590', accB: '.117->.086', meanTokenProb: '.869->.857', clipFraction: '.012' },
  { task: 'v1', setting: '20 steps, 32x16, mb 64, 4 ep, Adam 3e-5', arm: 'random-0.5-no-clip', seed: 100, accuracy: '.425->.203', freqA: '.649->.561', accA: '.592->.327', accB: '.117->.043', meanTokenProb: '.869->.827', clipFraction: '0' },
  { task: 'v3', setting: '10 steps, 32x16, mb 64, 4 ep, Adam 3e-5', arm: 'random-0.5', seed: 100, accuracy: '.550->.554', freqA: '.642->.650', accA: '.685->.683', accB: '.308->.314', meanTokenProb: '.911->.911', clipFraction: '.005' },
  { task: 'v3', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.02', arm: 'random-0.5', seed: 100, accuracy: '.550->.515', freqA: '.642->.554', accA: '.685->.693', accB: '.308->.294', meanTokenProb: '.911->.904', clipFraction: '.016' },
  { task: 'v3', setting: '10 steps, 32x16, mb 64, 4 ep, SGD 0.1', arm: 'random-0.5', seed: 100, accuracy: '.550->.001', freqA: '.642->.735', accA: '.685->.002', accB: '.308->.000', meanTokenProb: '.911->.853', clipFraction: '.083' },
  { task: 'v3', setting: '10 steps, 32x16, mb 64, 4 ep, Adam 1e-4', arm: 'random-0.5', seed: 100, accuracy: '.550->.446', freqA: '.642->.421', accA: '.685->.644', accB: '.308->.302', meanTokenProb: '.911->.889', clipFraction: '.012' },
  { task: 'v3', setting: '10 steps, 64x16, mb 1024 (full), 8 ep, SGD 0.1', arm: 'random-0.5', seed: 100, accuracy: '.550->.021', freqA: '.642->.511', accA: '.685->.017', accB: '.308->.026', meanTokenProb: '.915->.860', clipFraction: '.070' },
  { task: 'v3', setting: '10 steps, 64x16, mb 1024 (full), 8 ep, SGD 0.3', arm: 'random-0.5', seed: 100, accuracy: '.550->.000', freqA: '.642->.818', accA: '.685->.000', accB: '.308->.000', meanTokenProb: '.915->.927', clipFraction: '.083' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 3e-5', arm: 'ground-truth', seed: 101, accuracy: '.570->.838', freqA: '.626->.858', accA: '.693->.910', accB: '.365->.404', meanTokenProb: '.915->.950', clipFraction: '.014' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 3e-5', arm: 'random-0.5', seed: 101, accuracy: '.570->.551', freqA: '.626->.660', accA: '.693->.659', accB: '.365->.342', meanTokenProb: '.915->.909', clipFraction: '.005' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 8 ep, Adam 3e-5', arm: 'random-0.5', seed: 101, accuracy: '.570->.509', freqA: '.626->.669', accA: '.693->.602', accB: '.365->.321', meanTokenProb: '.915->.908', clipFraction: '.011' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (chosen)', arm: 'random-0.5', seed: 101, accuracy: '.570->.474', freqA: '.626->.802', accA: '.693->.523', accB: '.365->.272', meanTokenProb: '.915->.913', clipFraction: '.017' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 8 ep, eps 0.05, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 102, accuracy: '.532->.537', freqA: '.625->.647', accA: '.640->.649', accB: '.353->.333', meanTokenProb: '.906->.904', clipFraction: '.032' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (chosen; eval CRN)', arm: 'random-0.5', seed: 102, accuracy: '.532->.456', freqA: '.625->.782', accA: '.640->.530', accB: '.353->.191', meanTokenProb: '.906->.904', clipFraction: '.018' },
  { task: 'v3', setting: '24 steps, 32x8, mb 32, 8 ep, eps 0.05, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 103, accuracy: '.541->.446', freqA: '.598->.552', accA: '.692->.541', accB: '.318->.331', meanTokenProb: '.911->.883', clipFraction: '.039' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 8 ep, eps 0.1, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 103, accuracy: '.541->.453', freqA: '.598->.522', accA: '.692->.600', accB: '.318->.291', meanTokenProb: '.911->.878', clipFraction: '.032' },
  { task: 'v3, P(A) by problem', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 104, accuracy: '.580->.472', freqA: '.625->.545', accA: '.562->.489', accB: '.610->.453', meanTokenProb: '.917->.896', clipFraction: '.019' },
  { task: 'v3, P(A) by problem', setting: '12 steps, 32x8, mb 32, 8 ep, eps 0.05, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 104, accuracy: '.580->.530', freqA: '.625->.603', accA: '.562->.531', accB: '.610->.528', meanTokenProb: '.917->.899', clipFraction: '.039' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 105, accuracy: '.573->.440', freqA: '.659->.801', accA: '.689->.487', accB: '.348->.253', meanTokenProb: '.906->.911', clipFraction: '.024 (style .001, answer .038)' },
  { task: 'v3', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5-no-clip', seed: 105, accuracy: '.573->.021', freqA: '.659->.721', accA: '.689->.014', accB: '.348->.040', meanTokenProb: '.906->.826', clipFraction: '0 (style 0, answer .115)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 105, accuracy: '.578->.521', freqA: '.659->.682', accA: '.702->.588', accB: '.337->.378', meanTokenProb: '.905->.913', clipFraction: '.017 (style 0, answer .029)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5-no-clip', seed: 105, accuracy: '.578->.072', freqA: '.659->.616', accA: '.702->.103', accB: '.337->.032', meanTokenProb: '.905->.844', clipFraction: '0 (style .016, answer .089)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 106, accuracy: '.570->.464', freqA: '.657->.415', accA: '.700->.696', accB: '.322->.300', meanTokenProb: '.903->.878', clipFraction: '.023 (style .028, answer .036)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, one update per rollout (mb 256, 1 ep), Adam 3e-5 (eval CRN)', arm: 'random-0.5-one-update', seed: 106, accuracy: '.570->.554', freqA: '.657->.645', accA: '.700->.686', accB: '.322->.314', meanTokenProb: '.903->.908', clipFraction: '0 (style 0, answer 0)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 107, accuracy: '.570->.674', freqA: '.640->.882', accA: '.689->.722', accB: '.360->.315', meanTokenProb: '.910->.931', clipFraction: '.018 (style .034, answer .027)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 108, accuracy: '.545->.504', freqA: '.669->.665', accA: '.671->.613', accB: '.291->.287', meanTokenProb: '.908->.901', clipFraction: '.022 (style .015, answer .033)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 109, accuracy: '.564->.494', freqA: '.661->.579', accA: '.675->.583', accB: '.348->.371', meanTokenProb: '.914->.877', clipFraction: '.021 (style .045, answer .033)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 110, accuracy: '.549->.555', freqA: '.639->.806', accA: '.658->.608', accB: '.356->.335', meanTokenProb: '.910->.916', clipFraction: '.018 (style .014, answer .029)' },
  { task: 'v3, dModel 80', setting: '12 steps, 32x8, mb 32, 16 ep, Adam 3e-5 (eval CRN)', arm: 'random-0.5', seed: 111, accuracy: '.573->.490', freqA: '.626->.719', accA: '.701->.586', accB: '.359->.247', meanTokenProb: '.907->.902', clipFraction: '.024 (style .020, answer .037)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.671', freqA: '.641->.554', accA: '.998->.914', accB: '.383->.370', meanTokenProb: '.941->.924', clipFraction: '.007 (style .001, answer .011)'},
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 32, 4 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.496', freqA: '.641->.757', accA: '.998->.617', accB: '.383->.119', meanTokenProb: '.941->.906', clipFraction: '.024 (style .030, answer .032)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 32, 4 ep, SGD 0.05 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.099', freqA: '.641->.401', accA: '.998->.087', accB: '.383->.106', meanTokenProb: '.941->.874', clipFraction: '.042 (style .086, answer .048)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 32, 4 ep, SGD 0.2 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.000', freqA: '.641->.071', accA: '.998->.000', accB: '.383->.000', meanTokenProb: '.941->.775', clipFraction: '.141 (style .130, answer .168)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 128, 8 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.557', freqA: '.641->.626', accA: '.998->.663', accB: '.383->.381', meanTokenProb: '.941->.902', clipFraction: '.013 (style .001, answer .024)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.723', freqA: '.641->.784', accA: '.998->.831', accB: '.383->.329', meanTokenProb: '.941->.946', clipFraction: '.008 (style .001, answer .013)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5-no-clip', seed: 120, accuracy: '.777->.034', freqA: '.641->.412', accA: '.998->.024', accB: '.383->.041', meanTokenProb: '.941->.880', clipFraction: '0 (style .002, answer .084)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 121, accuracy: '.774->.672', freqA: '.665->.605', accA: '1.000->.913', accB: '.325->.304', meanTokenProb: '.941->.925', clipFraction: '.008 (style .001, answer .013)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5-no-clip', seed: 121, accuracy: '.774->.010', freqA: '.665->.640', accA: '1.000->.016', accB: '.325->.000', meanTokenProb: '.941->.872', clipFraction: '0 (style 0, answer .094)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 122, accuracy: '.750->.589', freqA: '.634->.424', accA: '1.000->.976', accB: '.317->.304', meanTokenProb: '.934->.912', clipFraction: '.008 (style .002, answer .011)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 8 ep, SGD 0.05 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.600', freqA: '.641->.484', accA: '.998->.873', accB: '.383->.344', meanTokenProb: '.941->.924', clipFraction: '.007 (style 0, answer .008)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 8 ep, SGD 0.15 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.003', freqA: '.641->.159', accA: '.998->.000', accB: '.383->.003', meanTokenProb: '.941->.855', clipFraction: '.093 (style .100, answer .110)' },  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, eps 0.05, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.756', freqA: '.641->.632', accA: '.998->.986', accB: '.383->.361', meanTokenProb: '.941->.928', clipFraction: '.011 (style .100, answer .013)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, eps 0.1, Adam 2e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.651', freqA: '.641->.659', accA: '.998->.827', accB: '.383->.313', meanTokenProb: '.941->.926', clipFraction: '.017 (style .079, answer .020)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.777->.566', freqA: '.641->.885', accA: '.998->.623', accB: '.383->.130', meanTokenProb: '.941->.931', clipFraction: '.033 (style .099, answer .044)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5-no-clip', seed: 120, accuracy: '.777->.000', freqA: '.641->.000', accA: '.998->-', accB: '.383->-', meanTokenProb: '.941->.909', clipFraction: '0 (style .193, answer .183)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 121, accuracy: '.774->.420', freqA: '.665->.824', accA: '1.000->.434', accB: '.325->.355', meanTokenProb: '.941->.923', clipFraction: '.027 (style .101, answer .036)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 122, accuracy: '.750->.468', freqA: '.634->.766', accA: '1.000->.594', accB: '.317->.053', meanTokenProb: '.934->.928', clipFraction: '.021 (style .026, answer .028)' },
  { task: 'v3, exact A', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 123, accuracy: '.757->.304', freqA: '.631->.559', accA: '.998->.436', accB: '.346->.136', meanTokenProb: '.943->.875', clipFraction: '.035 (style .093, answer .047)' },  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.780->.449', freqA: '.644->.934', accA: '1.000->.471', accB: '.382->.132', meanTokenProb: '.940->.952', clipFraction: '.026 (style .047, answer .032)' },
  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 3e-4 (eval CRN)', arm: 'random-0.5', seed: 121, accuracy: '.775->.279', freqA: '.664->.376', accA: '1.000->.346', accB: '.331->.238', meanTokenProb: '.940->.851', clipFraction: '.046 (style .062, answer .065)' },
  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 2e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.780->.641', freqA: '.644->.877', accA: '1.000->.707', accB: '.382->.173', meanTokenProb: '.940->.959', clipFraction: '.018 (style .030, answer .024)' },
  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 2e-4 (eval CRN)', arm: 'random-0.5', seed: 121, accuracy: '.775->.659', freqA: '.664->.838', accA: '1.000->.749', accB: '.331->.192', meanTokenProb: '.940->.948', clipFraction: '.021 (style .045, answer .028)' },  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 120, accuracy: '.780->.319', freqA: '.644->.339', accA: '1.000->.531', accB: '.382->.210', meanTokenProb: '.940->.878', clipFraction: '.018 (style .021, answer .029)' },
  { task: 'v3, exact A, dModel 80', setting: '12 steps, 32x8, mb 256 (full), 16 ep, Adam 1e-4 (eval CRN)', arm: 'random-0.5', seed: 121, accuracy: '.775->.560', freqA: '.664->.492', accA: '1.000->.863', accB: '.331->.266', meanTokenProb: '.940->.902', clipFraction: '.016 (style .004, answer .026)' },
];

export interface SpuriousRewardsResult {
  config: SpuriousRewardsConfig;
  /** Before RL, one per base (seed-independent: the same cached model, evaluated with the first seed's stream). */
  bases: SpuriousRunResult[];
  /** One per (base, arm, seed) the arms select. */
  runs: SpuriousRunResult[];
  seconds: number;
}

/** Every (base, arm, seed) run of `config`, in a stable order. */
export function spuriousRuns(config: SpuriousRewardsConfig, cacheDir?: string): SpuriousRun[] {
  const out: SpuriousRun[] = [];
  for (const base of config.bases)
    for (const arm of config.arms) {
      if (arm.bases && !arm.bases.includes(base.name)) continue;
      for (const seed of config.seeds) out.push(runOf(config, base, arm, seed, cacheDir));
    }
  return out;
}

function runOf(c: SpuriousRewardsConfig, base: SpuriousRewardsConfig['bases'][number], arm: ArmSpec | null, seed: number, cacheDir?: string): SpuriousRun {
  return {
    digits: c.digits,
    model: c.model,
    pretrain: c.pretrain,
    base,
    rl: c.rl,
    arm,
    eval: c.eval,
    seed,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  };
}

function checkConfig(c: SpuriousRewardsConfig): void {
  if (!Array.isArray(c.seeds) || c.seeds.length === 0 || !c.seeds.every((s) => Number.isInteger(s)))
    throw new Error(`runSpuriousRewards: config.seeds must be a non-empty array of integers, got ${JSON.stringify(c.seeds)}`);
  if (!Array.isArray(c.bases) || c.bases.length === 0) throw new Error('runSpuriousRewards: config.bases must list at least one base');
  for (const b of c.bases) checkStyleMixture(b.mixture, `runSpuriousRewards: config.bases[${b.name}].mixture`);
  const names = new Set<string>();
  for (const a of c.arms) {
    if (names.has(a.name)) throw new Error(`runSpuriousRewards: config.arms has two arms named ${a.name}`);
    names.add(a.name);
  }
  if ((c.rl.promptsPerStep * c.rl.numGenerations) % c.rl.miniBatchSize !== 0)
    throw new Error(`runSpuriousRewards: config.rl.miniBatchSize (${c.rl.miniBatchSize}) must divide promptsPerStep * numGenerations`);
}

/**
 * Runs the whole experiment: first the bases (pretrained once each, in parallel, then measured before RL), then
 * every (base, arm, seed) through `runParallel`. Plain JSON out.
 */
export async function runSpuriousRewards(
  config: SpuriousRewardsConfig,
  onProgress?: (e: RunEvent & { phase: 'bases' | 'rl' }) => void,
  options: { cacheDir?: string } = {},
): Promise<SpuriousRewardsResult> {
  checkConfig(config);
  const t0 = performance.now();
  const seed0 = config.seeds[0]!;
  const run = phaseRunner<SpuriousRun, SpuriousRunResult, 'bases' | 'rl'>({
    module: import.meta.url,
    exportName: 'spuriousRewardsRun',
    ...(config.workers !== undefined ? { workers: config.workers } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const bases = await run('bases', config.bases.map((b) => runOf(config, b, null, seed0, options.cacheDir)));
  const runs = await run('rl', spuriousRuns(config, options.cacheDir));
  return { config, bases, runs, seconds: (performance.now() - t0) / 1000 };
}

/** Final minus initial held-out value of `metric` per seed, for one (base, arm), in seed order. */
export function gainPerSeed(result: SpuriousRewardsResult, base: string, arm: string, metric: keyof StyleEval = 'accuracy'): number[] {
  return result.runs
    .filter((r) => r.base === base && r.arm === arm)
    .sort((a, b) => a.seed - b.seed)
    .map((r) => {
      const v = r.evals.metrics[metric]!;
      return v[v.length - 1]! - v[0]!;
    });
}
