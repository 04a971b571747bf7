/**
 * Claim 4 (Zhu et al., "The Surprising Effectiveness of Negative Reinforcement in LLM Reasoning", arXiv
 * 2506.01347): training only on negative samples (NSR) keeps or improves pass@k across the whole k spectrum, while
 * training only on positive samples (PSR) raises pass@1 and narrows it (pass@k at large k falls); W-REINFORCE
 * (lambda 0.1) is as good as NSR; entropy stays near the base under NSR and collapses under PSR.
 *
 * Design (issue 8, /tmp/team/design-claim4.md): the topic-keys task (`tasks/topic-keys.ts`; two valid answers per
 * prompt, a rare one, and hard prompts whose correct answers have ~1-3% probability). One base per seed: seed s
 * pretrains its own base (pretraining seed `pretrain.seed + s`, `basePretrain`) through the training cache, and every
 * arm of seed s starts from, and is compared with, that base, so the seeds' spread includes base-to-base variation.
 * Arms differ only in the advantage function (`advantageFn`): PSR, NSR, W-REINFORCE, GRPO, REINFORCE (rewards in {+1, -1}, i.e. RLVR = PSR + NSR); the same clipped surrogate (eps 0.2, no KL,
 * token-mean over the whole mini-batch, zero-advantage samples included), optimizer, lr, steps and batch. Controls
 * change one ingredient of the mechanism: SGD with one update per rollout batch (PSR = NSR to first order: the
 * analytic fact), Adam with one update, Adam with several updates and the clip off.
 *
 * RL prompts (`rlPrompts`): in the chosen design only triples with an easy primary topic are RL prompts. With every
 * training triple as a prompt (the first design, NEG_DESIGN_SEARCH), RL finds each hard topic's key from its ~2%
 * correct samples and, the key being shared by all triples of the topic, generalises it: PSR and GRPO then solve
 * the hard held-out prompts (pass@64 -> 1), the shared-skill failure of the CLAIMS.md prototype. The paper's RL
 * does not hand the model new per-problem knowledge; here the hard held-out prompts are reached only through what
 * RL on other prompts does to the shared policy.
 *
 * Effective step size: with the token mean over the whole mini-batch, a PSR update has weight only on the correct
 * samples (a fraction p of the batch) and NSR only on the wrong ones (1 - p), so at p ~ 0.4 NSR's raw gradient is
 * larger. Under Adam the update size is normalised per coordinate, which largely removes that difference; we keep the
 * paper's choice (no rescaling) and report the clip fraction and the approximate KL per step per arm.
 *
 * Measured at checkpoints on the held-out triples with an evaluation stream separate from training and common to
 * every arm and checkpoint of a seed: unbiased pass@k (k = 1..64 from n samples per prompt), by class (easy / hard
 * primary topic); the exact answer-token entropy; the share of correct samples on key2; distinct correct answers.
 * Per RL step: clip fraction, approx KL, accuracy; and the self-likelihood footprint (see `slFootprint`).
 */
import { initBackend } from '../backend/index.js';
import { evaluatePolicy, summarizeSamples, type SampleRecord } from '../eval/policy.js';
import { mean } from '../eval/stats.js';
import { GPT } from '../model/gpt.js';
import { gptConfig, type GPTConfig } from '../model/config.js';
import { phaseRunner } from '../parallel/phases.js';
import type { RunEvent } from '../parallel/run-parallel.js';
import type { RunContext } from '../parallel/run-function.js';
import { Rng } from '../random.js';
import { advantageFn, type AdvantageName } from '../rl/advantages.js';
import { verifiableReward } from '../rl/rewards.js';
import { collectRollout, completionScores, type Rollout } from '../rl/rollout.js';
import { trainRL, type MetricHistory } from '../rl/trainer.js';
import { makeBatch } from '../tasks/batch.js';
import { Tokenizer } from '../tasks/tokenizer.js';
import {
  sampleTopicKeysTrain,
  topicKeysExamples,
  topicKeysHeldOut,
  TopicKeysTask,
  type TopicKeysConfig,
  type TopicKeysEvaluation,
  type TopicKeysProblem,
} from '../tasks/topic-keys.js';
import { cachedLanguageModel } from '../train/cached-lm.js';
import { pretrainSchedule } from '../train/schedule.js';

/** Answer token + EOS. */
const MAX_NEW_TOKENS = 2;

export interface NegModelConfig {
  dModel: number;
  nHeads: number;
  nLayers: number;
}

export interface NegPretrainConfig {
  steps: number;
  batchSize: number;
  lr: number;
  /** In an experiment config: the offset, seed s pretrains with `seed + s`. In a `NegRun`: that base's own seed. */
  seed: number;
}

/**
 * The pretraining config of seed `seed`'s base: the shared one with pretraining seed `pretrain.seed + seed`. Seed 0
 * (with offset 0) gets a config equal field for field to `pretrain`, so its cache key is the one-base design's.
 */
export function basePretrain(pretrain: NegPretrainConfig, seed: number): NegPretrainConfig {
  return { ...pretrain, seed: pretrain.seed + seed };
}

/** What every arm shares (the controls override a few fields). */
export interface NegRLConfig {
  steps: number;
  promptsPerStep: number;
  numGenerations: number;
  miniBatchSize: number;
  epochs: number;
  epsilon: number;
  clip: boolean;
  optimizer: 'adamw' | 'sgd';
  lr: number;
  /** Global gradient-norm clip per update; 0 disables. */
  gradClip: number;
}

export interface NegArm {
  /** Shown in tables, e.g. "NSR" or "NSR, SGD 1 update". */
  name: string;
  advantage: Extract<AdvantageName, 'psr' | 'nsr' | 'w-reinforce' | 'grpo' | 'reinforce'>;
  /** W-REINFORCE's weight on correct samples. */
  lambda?: number;
  /** Fields of the shared RL config this arm changes (controls). */
  rl?: Partial<Omit<NegRLConfig, 'promptsPerStep' | 'numGenerations'>>;
  /** One update per rollout batch (mini-batch = the whole batch, one epoch): the ratio is 1, the clip cannot fire. */
  oneUpdate?: boolean;
  /** The control this arm belongs to (reported apart from the main comparison); absent for the main arms. */
  control?: string;
}

export interface NegEvalConfig {
  /** Held-out triples evaluated (a fixed shuffle's prefix; all of them if larger). */
  problems: number;
  /** Samples per prompt, n (>= 2 * max k). */
  samples: number;
  /** pass@k values, each <= samples. */
  ks: number[];
  /** RL steps at which to evaluate (0, the base, is always evaluated). */
  checkpoints: number[];
}

export interface NegativeReinforcementConfig {
  task: TopicKeysConfig;
  model: NegModelConfig;
  pretrain: NegPretrainConfig;
  rl: NegRLConfig;
  arms: NegArm[];
  eval: NegEvalConfig;
  /** Measure the self-likelihood footprint on the first N RL steps (0: never). */
  footprintSteps: number;
  /**
   * RL prompts: 'easy' (the design's choice) draws training triples whose primary topic is easy only, so RL rewards
   * never reveal a hard topic's keys (the toy's stand-in for problems whose solution RL data does not teach); 'all'
   * draws every training triple (then RL finds the hard keys from ~2% samples and every arm learns them).
   */
  rlPrompts: 'all' | 'easy';
  seeds: number[];
  /** Worker threads for runParallel (default: all cores). */
  workers?: number;
}

/** One run (plain data, for a worker): one arm and seed, or the base alone (arm null). */
export interface NegRun {
  task: TopicKeysConfig;
  model: NegModelConfig;
  /** This run's base (`basePretrain` of the experiment's config and the run's seed). */
  pretrain: NegPretrainConfig;
  rl: NegRLConfig;
  arm: NegArm | null;
  eval: NegEvalConfig;
  footprintSteps: number;
  /** RL prompts: every training triple ('all', default) or only those with an easy primary topic ('easy'). */
  rlPrompts?: 'all' | 'easy';
  seed: number;
  cacheDir?: string;
}

/** Held-out numbers of one evaluation, for one class of prompts. */
export interface ClassEval {
  /** pass@k by k (unbiased estimator from n samples), mean over prompts. */
  passAtK: Record<number, number>;
  /** Mean answer-token entropy (nats), exact per prompt. */
  entropy: number;
  /** Correct samples that are key2, over all correct samples (NaN if none). */
  key2Share: number;
  /** Mean number of distinct correct answers per prompt (0..2). */
  distinctCorrect: number;
  prompts: number;
}

export interface TopicKeysEval {
  all: ClassEval;
  easy: ClassEval;
  hard: ClassEval;
}

export interface NegRunResult {
  arm: string | null;
  seed: number;
  /** The pretraining seed of the run's base. */
  pretrainSeed: number;
  /** Held-out evaluations at `evalSteps[i]`. */
  evalSteps: number[];
  evals: TopicKeysEval[];
  /** Per RL step: reward, accuracy, entropy, clipFraction, approxKL, advantageAbs, and the footprint where measured. */
  history: MetricHistory;
  baseCacheHit: boolean;
  pretrainSeconds: number;
  seconds: number;
}

export function modelConfigOf(model: NegModelConfig, tokenizer: Tokenizer): GPTConfig {
  // BOS + 4 prompt tokens + answer + EOS = 7 tokens: 6 input positions; 8 leaves room.
  return gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, ...model });
}

/** Pretrains (or loads from the cache) the base of a run. */
export async function topicKeysBase(
  run: Pick<NegRun, 'task' | 'model' | 'pretrain' | 'cacheDir'>,
): Promise<{ model: GPT; hit: boolean; seconds: number; task: TopicKeysTask; tokenizer: Tokenizer; finalLoss: number | null }> {
  const task = new TopicKeysTask(run.task);
  const tokenizer = Tokenizer.forTasks([task]);
  const config = modelConfigOf(run.model, tokenizer);
  const t0 = performance.now();
  const res = await cachedLanguageModel({
    key: { experiment: 'negative-reinforcement', task: task.name, taskConfig: task.config, generator: task.generatorVersion, config, pretrain: run.pretrain },
    modelConfig: config,
    tokenizer: tokenizer.toJSON(),
    ...(run.cacheDir !== undefined ? { cacheDir: run.cacheDir } : {}),
    build: () => new GPT(config, new Rng(run.pretrain.seed).fork('init')),
    batches: (_s, rng) => makeBatch(tokenizer, topicKeysExamples(task, rng, run.pretrain.batchSize), 6),
    config: pretrainSchedule(run.pretrain),
  });
  const finalLoss = res.finalLoss;
  return { model: res.model, hit: res.hit, seconds: (performance.now() - t0) / 1000, task, tokenizer, finalLoss };
}

/** The held-out evaluation set: a fixed shuffle (seeded by the task) of the held-out triples, first `n`. */
export function evaluationProblems(task: TopicKeysTask, n: number): TopicKeysProblem[] {
  const all = topicKeysHeldOut(task);
  new Rng(`topic-keys-eval/${task.config.taskSeed}`).shuffle(all);
  return all.slice(0, Math.min(n, all.length));
}

/**
 * Held-out pass@k (unbiased, n samples per prompt), answer entropy, key2 share and distinct correct answers, for
 * all prompts and by class. The samples come from `rng` (pass the same fresh stream to compare models).
 */
export function evaluateTopicKeys(
  model: GPT,
  task: TopicKeysTask,
  tokenizer: Tokenizer,
  problems: readonly TopicKeysProblem[],
  opts: { samples: number; ks: readonly number[] },
  rng: Rng,
): TopicKeysEval {
  const n = opts.samples;
  const ev = evaluatePolicy(model, task, tokenizer, problems, { samples: n, ks: [...opts.ks], maxNewTokens: MAX_NEW_TOKENS }, rng);
  const hard = problems.map((q) => task.isHard(q));
  const summarise = (samples: SampleRecord<TopicKeysEvaluation>[]): ClassEval => {
    if (samples.length === 0) return { passAtK: Object.fromEntries(opts.ks.map((k) => [k, NaN])), entropy: NaN, key2Share: NaN, distinctCorrect: NaN, prompts: 0 };
    const s = summarizeSamples(samples, n, opts.ks);
    const correct = samples.filter((x) => x.correct);
    // The answer is the first generated token: its entropy is the same for every sample of the prompt.
    const answerEntropy = mean(samples.filter((_, i) => i % n === 0).map((x) => x.entropies[0]!));
    return {
      passAtK: s.passAtK,
      entropy: answerEntropy,
      key2Share: correct.length ? correct.filter((x) => x.which === 'key2').length / correct.length : NaN,
      distinctCorrect: s.distinctCorrect,
      prompts: s.prompts,
    };
  };
  return { all: summarise(ev.samples), easy: summarise(ev.samples.filter((x) => !hard[x.prompt])), hard: summarise(ev.samples.filter((x) => hard[x.prompt])) };
}

/**
 * The advantage function of an arm. REINFORCE uses rewards in {+1, -1} (Zhu et al.'s RLVR = PSR + NSR): the task's
 * 0/1 reward is mapped to 2r - 1 first. GRPO is invariant to that map; PSR, NSR and W read the correct mask.
 */
export function armAdvantage(arm: NegArm) {
  if (arm.lambda !== undefined && arm.advantage !== 'w-reinforce') throw new Error(`arm ${arm.name}: lambda applies only to w-reinforce`);
  if (arm.advantage === 'reinforce') return advantageFn('reinforce', { signedReward: true });
  return advantageFn(arm.advantage, arm.advantage === 'w-reinforce' ? { lambda: arm.lambda ?? 0.1 } : {});
}

/** The RL config an arm runs with: the shared one plus the arm's overrides. */
export function armRL(rl: NegRLConfig, arm: NegArm): NegRLConfig {
  const out = { ...rl, ...(arm.rl ?? {}) };
  return arm.oneUpdate ? { ...out, miniBatchSize: rl.promptsPerStep * rl.numGenerations, epochs: 1 } : out;
}

/**
 * Self-likelihood footprint of one rollout batch's updates (the finite-batch term through which PSR, NSR and
 * W-REINFORCE differ; design-claim4.md): mean change of log pi(answer) on the batch's own samples minus the mean
 * change on fresh samples from the same prompts and the same pi_old. PSR imitates its own samples (> 0), NSR pushes
 * away from them (< 0); with the infinite-sample surrogate both would be 0.
 */
export function slFootprint(
  model: GPT,
  piOld: GPT,
  task: TopicKeysTask,
  tokenizer: Tokenizer,
  rollout: Rollout<TopicKeysProblem>,
  rng: Rng,
): { own: number; fresh: number; footprint: number } {
  const M = rollout.maxNewTokens;
  const meanDelta = (r: Rollout<TopicKeysProblem>) => {
    const now = completionScores(model, r).logp;
    let s = 0;
    for (let i = 0; i < r.lengths.length; i++) s += now[i * M]! - r.logProbs[i * M]!;
    return s / r.lengths.length;
  };
  const own = meanDelta(rollout);
  const fresh = meanDelta(collectRollout(piOld, task, tokenizer, rollout.problems, { numGenerations: rollout.groupSize, maxNewTokens: M }, rng));
  return { own, fresh, footprint: own - fresh };
}

/** One arm and seed (or the base alone): the run function of `runParallel`. */
export async function negativeReinforcementRun(run: NegRun, ctx?: RunContext): Promise<NegRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const base = await topicKeysBase(run);
  const { task, tokenizer, model } = base;
  const problems = evaluationProblems(task, run.eval.problems);
  // Every evaluation of a seed draws from the same fresh stream (common random numbers across arms and checkpoints).
  const evaluate = () => evaluateTopicKeys(model, task, tokenizer, problems, run.eval, new Rng(run.seed).fork('eval'));
  const evalSteps: number[] = [0];
  const evals: TopicKeysEval[] = [evaluate()];
  let history: MetricHistory = { step: [], metrics: {} };
  let piOld: GPT | null = null;
  try {
    if (run.arm !== null) {
      const arm = run.arm;
      const rl = armRL(run.rl, arm);
      const checkpoints = [...new Set(run.eval.checkpoints)].filter((s) => s > 0 && s <= rl.steps).sort((a, b) => a - b);
      const advantage = armAdvantage(arm);
      const fpRng = new Rng(run.seed).fork('footprint');
      piOld = run.footprintSteps > 0 ? new GPT(model.config, model.getWeights()) : null;
      let step = 0;
      const res = await trainRL<TopicKeysProblem>({
        model,
        task,
        tokenizer,
        reward: verifiableReward(task),
        advantage,
        sampleProblem: (rng) => {
          // 'easy': RL never sees a hard primary topic (its keys cannot be learned from RL rewards).
          for (;;) {
            const q = sampleTopicKeysTrain(task, rng);
            if (run.rlPrompts !== 'easy' || !task.isHard(q)) return q;
          }
        },
        config: {
          steps: rl.steps,
          promptsPerStep: rl.promptsPerStep,
          numGenerations: rl.numGenerations,
          miniBatchSize: rl.miniBatchSize,
          epochs: rl.epochs,
          epsilon: rl.epsilon,
          clip: rl.clip,
          maxNewTokens: MAX_NEW_TOKENS,
          seed: run.seed,
          evalEvery: 1,
          // No weight decay: decay alone moves a run whose advantages are zero (CLAIMS.md claim 3).
          optim: { optimizer: rl.optimizer, lr: rl.lr, weightDecay: 0, gradClip: rl.gradClip },
        },
        evaluate: (s) => {
          if (checkpoints.includes(s)) {
            const e = evaluate();
            evalSteps.push(s);
            evals.push(e);
            ctx?.progress({ step: s, pass1: e.all.passAtK[1], entropy: e.all.entropy });
          }
          return {};
        },
        rolloutMetrics: (r, { advantages: adv }) => {
          step++;
          let tokAll = 0;
          let tokNZ = 0;
          for (let i = 0; i < adv.length; i++) {
            tokAll += r.lengths[i]!;
            if (adv[i] !== 0) tokNZ += r.lengths[i]!;
          }
          const out: Record<string, number> = { nonzeroTokenShare: tokNZ / tokAll };
          if (piOld !== null && step <= run.footprintSteps) {
            const f = slFootprint(model, piOld, task, tokenizer, r, fpRng);
            out['deltaOwn'] = f.own;
            out['deltaFresh'] = f.fresh;
            out['footprint'] = f.footprint;
            if (step < run.footprintSteps) piOld.setWeights(model.getWeights());
          }
          return out;
        },
        onProgress: false,
      });
      history = res.history;
      // Clip fraction among tokens with a non-zero advantage (only those can clip; the lr criterion of the design):
      // the step's mean clip fraction over all tokens divided by the share of such tokens in its rollout batch.
      const cf = history.metrics['clipFraction'] ?? [];
      const nz = history.metrics['nonzeroTokenShare'] ?? [];
      history.metrics['clipFractionNonzero'] = cf.map((c, i) => (nz[i]! > 0 ? c / nz[i]! : 0));
    }
  } finally {
    model.dispose();
    piOld?.dispose();
  }
  return {
    arm: run.arm?.name ?? null,
    seed: run.seed,
    pretrainSeed: run.pretrain.seed,
    evalSteps,
    evals,
    history,
    baseCacheHit: base.hit,
    pretrainSeconds: base.hit ? 0 : base.seconds,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The five arms of the comparison: identical but for the advantage function. */
export function mainArms(): NegArm[] {
  return [
    { name: 'PSR', advantage: 'psr' },
    { name: 'NSR', advantage: 'nsr' },
    { name: 'W-REINFORCE', advantage: 'w-reinforce', lambda: 0.1 },
    { name: 'GRPO', advantage: 'grpo' },
    { name: 'REINFORCE', advantage: 'reinforce' },
  ];
}

/** The main arms, with NSR and W-REINFORCE continued to a late checkpoint `lateSteps` (the others stop at rl.steps). */
export function lateArms(lateSteps: number): NegArm[] {
  return mainArms().map((a) => (a.name === 'NSR' || a.name === 'W-REINFORCE' ? { ...a, rl: { steps: lateSteps } } : a));
}

/**
 * The controls of the mechanism (design-claim4.md): each changes one ingredient, for PSR and NSR (and W for C1).
 * C1, SGD with one update per rollout batch: PSR, NSR and W have the same expected gradient (they differ by a
 * zero-mean self-likelihood term), and a linear optimizer with one update averages that term away, so the arms
 * should coincide. C2, Adam with one update per rollout batch (the clip cannot fire). C3, Adam with the usual
 * updates per rollout batch and the clip off.
 */
export function controlArms(sgdLr: number): NegArm[] {
  const out: NegArm[] = [];
  const arms = mainArms();
  for (const a of arms.slice(0, 3))
    out.push({ ...a, name: `${a.name}, SGD 1 update`, control: 'C1: SGD, 1 update', oneUpdate: true, rl: { optimizer: 'sgd', lr: sgdLr } });
  for (const a of arms.slice(0, 2)) out.push({ ...a, name: `${a.name}, Adam 1 update`, control: 'C2: Adam, 1 update', oneUpdate: true });
  for (const a of arms.slice(0, 2)) out.push({ ...a, name: `${a.name}, Adam no clip`, control: 'C3: Adam, no clip', rl: { clip: false } });
  return out;
}

const TASK: TopicKeysConfig = { taskSeed: 0 };
const KS = [1, 2, 4, 8, 16, 32, 64];

/**
 * Presets. The design (task, model size, pretraining, lr) was chosen on task/pretrain/RL seed 100 (NEG_DESIGN_SEARCH;
 * with per-seed bases that is task seed 100, pretrain.seed 0, seeds [100]); the reported runs use task seed 0 and
 * seeds 0..4, each with its own base (pretraining seeds 0..4), none of which was looked at before.
 * lr: the largest of {1e-5, 3e-5, 1e-4, 3e-4} with NSR's clip fraction (tokens with A != 0) <= 10% on the design
 * seed, fixed before pass@k was looked at.
 */
export const NEG_PRESETS: Record<'quick' | 'default' | 'full', NegativeReinforcementConfig> = {
  // CI: mechanics only.
  quick: {
    task: TASK,
    model: { dModel: 32, nHeads: 4, nLayers: 1 },
    pretrain: { steps: 300, batchSize: 64, lr: 3e-3, seed: 0 },
    rl: { steps: 6, promptsPerStep: 16, numGenerations: 8, miniBatchSize: 32, epochs: 2, epsilon: 0.2, clip: true, optimizer: 'adamw', lr: 3e-4, gradClip: 1 },
    arms: [...lateArms(8), ...controlArms(0.01).filter((a) => a.control!.startsWith('C1'))],
    eval: { problems: 48, samples: 32, ks: [1, 2, 4, 8, 16], checkpoints: [3, 6, 8] },
    footprintSteps: 3,
    rlPrompts: 'easy',
    seeds: [0, 1, 2], // a claim check needs >= 3 seeds
  },
  default: {
    task: TASK,
    model: { dModel: 32, nHeads: 4, nLayers: 1 },
    pretrain: { steps: 1000, batchSize: 128, lr: 3e-3, seed: 0 },
    rl: { steps: 50, promptsPerStep: 64, numGenerations: 8, miniBatchSize: 128, epochs: 2, epsilon: 0.2, clip: true, optimizer: 'adamw', lr: 3e-4, gradClip: 1 },
    // NSR and W-REINFORCE continue to a late checkpoint (the paper: NSR degrades with long training, W does not).
    // Controls C1 and C3 here; C2 (Adam, 1 update) only in 'full' (time).
    arms: [
      ...lateArms(120),
      ...controlArms(0.01).filter((a) => !a.control!.startsWith('C2')),
    ],
    eval: { problems: 160, samples: 128, ks: KS, checkpoints: [10, 25, 50, 120] },
    footprintSteps: 20,
    rlPrompts: 'easy',
    seeds: [0, 1, 2, 3, 4],
  },
  // A bigger machine: every main arm to the late checkpoint, more held-out prompts, 10 seeds.
  full: {
    task: TASK,
    model: { dModel: 32, nHeads: 4, nLayers: 1 },
    pretrain: { steps: 1000, batchSize: 128, lr: 3e-3, seed: 0 },
    rl: { steps: 400, promptsPerStep: 64, numGenerations: 8, miniBatchSize: 128, epochs: 2, epsilon: 0.2, clip: true, optimizer: 'adamw', lr: 3e-4, gradClip: 1 },
    arms: [...mainArms(), ...controlArms(0.01)],
    eval: { problems: 670, samples: 256, ks: [...KS, 128], checkpoints: [10, 20, 40, 60, 100, 200, 400] },
    footprintSteps: 50,
    rlPrompts: 'easy',
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  },
};

export interface NegativeReinforcementResult {
  config: NegativeReinforcementConfig;
  /** Each seed's base alone (arm null), in seed order, evaluated with that seed's stream. */
  bases: NegRunResult[];
  /** One per (arm, seed), arms in config order, seeds in order. */
  runs: NegRunResult[];
  seconds: number;
  /** CPU time of this process (all threads) during the run. */
  cpuSeconds: number;
}

function runOf(c: NegativeReinforcementConfig, arm: NegArm | null, seed: number, cacheDir?: string): NegRun {
  return {
    task: c.task,
    model: c.model,
    pretrain: basePretrain(c.pretrain, seed),
    rl: c.rl,
    arm,
    eval: c.eval,
    footprintSteps: c.footprintSteps,
    rlPrompts: c.rlPrompts,
    seed,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  };
}

/** Every (arm, seed) run of a config, arms in order. */
export function negativeReinforcementRuns(config: NegativeReinforcementConfig, cacheDir?: string): NegRun[] {
  return config.arms.flatMap((arm) => config.seeds.map((seed) => runOf(config, arm, seed, cacheDir)));
}

function checkConfig(c: NegativeReinforcementConfig): void {
  const where = 'runNegativeReinforcement: config';
  if (!Array.isArray(c.seeds) || c.seeds.length === 0 || !c.seeds.every((s) => Number.isInteger(s)))
    throw new Error(`${where}.seeds must be a non-empty array of integers, got ${JSON.stringify(c.seeds)}`);
  if (new Set(c.seeds).size !== c.seeds.length) throw new Error(`${where}.seeds must not repeat a seed, got ${JSON.stringify(c.seeds)}`);
  if (!Number.isInteger(c.pretrain.seed)) throw new Error(`${where}.pretrain.seed must be an integer, got ${c.pretrain.seed}`);
  if (!Array.isArray(c.arms) || c.arms.length === 0) throw new Error(`${where}.arms must list at least one arm`);
  const names = new Set<string>();
  for (const a of c.arms) {
    if (names.has(a.name)) throw new Error(`${where}.arms has two arms named ${a.name}`);
    names.add(a.name);
    armAdvantage(a); // validates the name and lambda
  }
  const N = c.rl.promptsPerStep * c.rl.numGenerations;
  if (!(Number.isInteger(c.rl.miniBatchSize) && c.rl.miniBatchSize >= 1 && N % c.rl.miniBatchSize === 0))
    throw new Error(`${where}.rl.miniBatchSize (${c.rl.miniBatchSize}) must divide promptsPerStep * numGenerations (${N})`);
  const kMax = Math.max(...c.eval.ks);
  if (!(c.eval.samples >= 2 * kMax))
    throw new Error(`${where}.eval.samples (${c.eval.samples}) must be >= 2 * max k (${2 * kMax}) for the unbiased pass@k estimator`);
  if (!(Number.isInteger(c.footprintSteps) && c.footprintSteps >= 0))
    throw new Error(`${where}.footprintSteps must be an integer >= 0, got ${c.footprintSteps}`);
  new TopicKeysTask(c.task); // validates the task config
}

/**
 * Runs the experiment: each seed's base (pretrained in parallel through the cache, measured on the seed's evaluation
 * stream), then every (arm, seed) through `runParallel`, starting from the seed's cached base. Plain JSON out.
 */
export async function runNegativeReinforcement(
  config: NegativeReinforcementConfig,
  onProgress?: (e: RunEvent & { phase: 'base' | 'rl' }) => void,
  options: { cacheDir?: string } = {},
): Promise<NegativeReinforcementResult> {
  checkConfig(config);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const workers = config.workers !== undefined ? { workers: config.workers } : {};
  const run = phaseRunner<NegRun, NegRunResult, 'base' | 'rl'>({
    module: import.meta.url,
    exportName: 'negativeReinforcementRun',
    ...workers,
    ...(onProgress ? { onProgress } : {}),
  });
  const bases = await run('base', config.seeds.map((seed) => runOf(config, null, seed, options.cacheDir)));
  const runs = await run('rl', negativeReinforcementRuns(config, options.cacheDir));
  const cpu = process.cpuUsage(cpu0);
  return { config, bases, runs, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

// The claim checks live in their own file; re-exported here so the area index needs one line.
export * from './negative-reinforcement/claims.js';

/**
 * Every setting tried in the design search, in order, all on seed 100 (task seed, pretraining seed, RL seed and
 * evaluation stream), never on the reported seeds: held-out numbers (256 held-out triples x 128 samples, T = 1).
 * "all" / "easy": the RL prompt set (rlPrompts). Steps are RL steps; 64 prompts x 8 samples, mini-batch 128 x 2
 * epochs (8 updates per rollout batch) unless the setting says otherwise; clip eps 0.2; Adam unless SGD is named.
 */
export const NEG_DESIGN_SEARCH: readonly { stage: string; setting: string; result: string }[] = [
  { stage: 'base', setting: 'task defaults, d48 L2, pretrain 1000 x 128, lr 3e-3', result: 'p@1/4/16/64 .389/.706/.815/.931; hard .030/.113/.353/.758; entropy 1.69; 32 s' },
  { stage: 'base', setting: 'd48 L2, pretrain 500 x 128', result: '.401/.721/.845/.964; hard .045/.159/.458/.872 (p@64 above target)' },
  { stage: 'base', setting: 'd32 L2, pretrain 1000 x 128', result: '.389/.707/.821/.930; hard .035/.126/.374/.753' },
  { stage: 'base', setting: 'd32 L1, pretrain 1000 x 128 (chosen: 15 ms per update of 128 samples vs 55 ms for d48 L2)', result: '.385/.706/.827/.942; hard .036/.132/.394/.798; entropy 1.73' },
  { stage: 'base', setting: 'd32 L1, pretrain 2000 x 128', result: '.390/.703/.813/.931; hard .029/.108/.344/.758' },
  { stage: 'base', setting: 'the corpus itself on the same prompts', result: 'p@1 .399, p@64 .917' },
  { stage: 'lr rule', setting: 'NSR / PSR, 25 steps, lr 1e-5', result: 'clip fraction (A != 0) .000 / .000' },
  { stage: 'lr rule', setting: 'NSR / PSR, 25 steps, lr 3e-5', result: '.000 / .000' },
  { stage: 'lr rule', setting: 'NSR / PSR, 25 steps, lr 1e-4', result: '.0002 / .0001' },
  { stage: 'lr rule', setting: 'NSR / PSR, 25 steps, lr 3e-4 (chosen: largest with NSR <= 10%)', result: '.035 / .009' },
  { stage: 'arms, all', setting: 'lr 3e-4, step 100: PSR', result: 'p@1 .998, p@64 1.000 (hard 1.000), entropy 0.02' },
  { stage: 'arms, all', setting: 'lr 3e-4, step 100: NSR', result: 'p@1 .820, p@64 .853 (hard .483), entropy 0.35; SL footprint -.021 (PSR +.002)' },
  { stage: 'arms, all', setting: 'lr 3e-4, step 100: W-REINFORCE', result: 'p@1 .822, p@64 .841 (hard .442), entropy 0.22' },
  { stage: 'arms, all', setting: 'lr 3e-4, step 100: GRPO', result: 'p@1 .995, p@64 1.000 (hard 1.000), entropy 0.10' },
  { stage: 'arms, all', setting: 'lr 3e-4, step 100: REINFORCE (+-1)', result: 'p@1 .940, p@64 .949 (hard .822), entropy 0.15' },
  { stage: 'arms, all', setting: 'lr 1e-4: PSR at step 25 / 50 / 100', result: 'p@64 .934 / .914 / 1.000 (below base .942, then the hard keys are found)' },
  { stage: 'arms, all', setting: 'lr 1e-4: NSR at step 25 / 50 / 100', result: 'p@64 .887 / .875 / .894; p@1 .636 / .668 / .785' },
  { stage: 'arms, all', setting: 'lr 1e-4: W-REINFORCE at step 25 / 50 / 100', result: 'p@64 .886 / .894 / .891' },
  { stage: 'control C1, all', setting: 'SGD lr 0.01, 1 update per batch, 60 steps: PSR / NSR (0.01 chosen for C1)', result: 'p@1 .554 / .555, p@64 .939 / .934, entropy 1.38 / 1.39' },
  { stage: 'control C1, all', setting: 'SGD lr 0.1, 1 update per batch, 60 steps: PSR / NSR', result: 'p@1 .795 / .741, p@64 .900 / .935, entropy 0.50 / 0.50' },
  { stage: 'arms, easy (chosen)', setting: 'lr 3e-4, step 60: PSR', result: 'p@1 .713, p@64 .768 (hard .185), entropy 0.39' },
  { stage: 'arms, easy (chosen)', setting: 'lr 3e-4, step 60: NSR (clip fraction .039)', result: 'p@1 .711, p@64 .800 (hard .300), entropy 0.62' },
  { stage: 'arms, easy (chosen)', setting: 'lr 3e-4, step 60: W-REINFORCE', result: 'p@1 .712, p@64 .803 (hard .309), entropy 0.62' },
  { stage: 'arms, easy (chosen)', setting: 'lr 3e-4, step 60: GRPO', result: 'p@1 .711, p@64 .768 (hard .185), entropy 0.54' },
];
