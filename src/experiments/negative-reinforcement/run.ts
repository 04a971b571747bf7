/**
 * One run of claim 4 (Zhu et al., "The Surprising Effectiveness of Negative Reinforcement in LLM Reasoning", arXiv
 * 2506.01347): the seed's base, RL with one arm's advantage function, and the held-out evaluation at checkpoints.
 *
 * The task is topic keys (`tasks/topic-keys.ts`: two valid answers per prompt, a rare one, and hard prompts whose
 * correct answers have ~1-3% probability). Seed s pretrains its own base (pretraining seed `pretrain.seed + s`)
 * through the training cache; every arm of seed s starts from, and is compared with, that base. What differs from
 * the paper's RL: nothing but scale. The arms share the clipped surrogate (eps 0.2, no KL, token mean over the
 * whole mini-batch with zero-advantage samples included, as the paper), optimizer, lr, steps and batch.
 *
 * RL prompts are training triples whose primary topic is easy: RL rewards never reveal a hard topic's keys, the toy's
 * stand-in for problems whose solution RL data does not teach. (With every triple as a prompt, RL finds each hard
 * topic's key from its ~2% correct samples and, the key being shared by the topic's triples, generalises it, so
 * PSR and GRPO solve the hard held-out prompts: the first design, in the design-search record.)
 *
 * Effective step size: with the token mean over the whole mini-batch, a PSR update has weight only on the correct
 * samples (a fraction p of the batch) and NSR only on the wrong ones (1 - p), so at p ~ 0.4 NSR's raw gradient is
 * larger. Adam normalises the update size per coordinate, which largely removes that difference; we keep the
 * paper's choice (no rescaling) and report the clip fraction and the approximate KL per step per arm.
 *
 * Measured at checkpoints on held-out triples with an evaluation stream separate from training and common to every
 * arm and checkpoint of a seed: unbiased pass@k by class (easy / hard primary topic), the exact answer-token
 * entropy, the share of correct samples on key2, distinct correct answers. Per RL step: clip fraction, approx KL,
 * accuracy, and the self-likelihood footprint (`slFootprint`) on the first steps.
 */
import { initBackend } from '../../backend/index.js';
import { evaluatePolicy, summarizeSamples, type SampleRecord } from '../../eval/policy.js';
import { mean } from '../../eval/stats.js';
import { GPT } from '../../model/gpt.js';
import { gptConfig, type GPTConfig } from '../../model/config.js';
import { Rng } from '../../random.js';
import { advantageFn, type AdvantageFn } from '../../rl/advantages.js';
import { verifiableReward } from '../../rl/rewards.js';
import { collectRollout, completionScores, type Rollout } from '../../rl/rollout.js';
import { trainRL, type MetricHistory, type RLConfig } from '../../rl/trainer.js';
import { makeBatch } from '../../tasks/batch.js';
import { Tokenizer } from '../../tasks/tokenizer.js';
import {
  sampleTopicKeysTrain,
  topicKeysExamples,
  topicKeysHeldOut,
  TopicKeysTask,
  type TopicKeysConfig,
  type TopicKeysEvaluation,
  type TopicKeysProblem,
} from '../../tasks/topic-keys.js';
import { cachedLanguageModel } from '../../train/cached-lm.js';
import { pretrainSchedule } from '../../train/schedule.js';
import type { ExperimentRunContext } from '../contract.js';
import { armRL, type NegArm, type NegEvalConfig, type NegModelConfig, type NegPretrainConfig, type NegRLConfig } from './config.js';

/** Answer token + EOS. */
const MAX_NEW_TOKENS = 2;

/** One run: one arm and seed, or the seed's base alone (arm null). Plain data. */
export interface NegRunSpec {
  task: TopicKeysConfig;
  model: NegModelConfig;
  /** This run's base (`basePretrain` of the experiment's config and the run's seed). */
  pretrain: NegPretrainConfig;
  rl: NegRLConfig;
  arm: NegArm | null;
  eval: NegEvalConfig;
  footprintSteps: number;
  seed: number;
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

/** One arm and seed (or the base alone): base model -> trainRL -> the shared evaluation at each checkpoint. */
export async function negativeReinforcementRun(spec: NegRunSpec, ctx?: Pick<ExperimentRunContext, 'cacheDir' | 'progress'>): Promise<NegRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const base = await topicKeysBase(spec, ctx?.cacheDir);
  const { task, tokenizer, model } = base;
  const problems = evaluationProblems(task, spec.eval.problems);
  // Every evaluation of a seed draws from the same fresh stream (common random numbers across arms and checkpoints).
  const evaluate = () => evaluateTopicKeys(model, task, tokenizer, problems, spec.eval, new Rng(spec.seed).fork('eval'));
  const evalSteps: number[] = [0];
  const evals: TopicKeysEval[] = [evaluate()];
  let history: MetricHistory = { step: [], metrics: {} };
  let piOld: GPT | null = null;
  try {
    if (spec.arm !== null) {
      const rl = armRL(spec.rl, spec.arm);
      const checkpoints = [...new Set(spec.eval.checkpoints)].filter((s) => s > 0 && s <= rl.steps).sort((a, b) => a - b);
      const fpRng = new Rng(spec.seed).fork('footprint');
      piOld = spec.footprintSteps > 0 ? new GPT(model.config, model.getWeights()) : null;
      let step = 0;
      const res = await trainRL<TopicKeysProblem>({
        model,
        task,
        tokenizer,
        reward: verifiableReward(task),
        advantage: armAdvantage(spec.arm),
        sampleProblem: (rng) => sampleEasyPrompt(task, rng),
        config: negTrainerConfig(rl, spec.seed),
        evaluate: (s) => {
          if (checkpoints.includes(s)) {
            const e = evaluate();
            evalSteps.push(s);
            evals.push(e);
            ctx?.progress({ step: s, pass1: e.all.passAtK[1], entropy: e.all.entropy });
          }
          return {};
        },
        rolloutMetrics: (r, { advantages }) => {
          step++;
          const out: Record<string, number> = { nonzeroTokenShare: nonzeroTokenShare(r, advantages) };
          if (piOld !== null && step <= spec.footprintSteps) {
            const f = slFootprint(model, piOld, task, tokenizer, r, fpRng);
            out['deltaOwn'] = f.own;
            out['deltaFresh'] = f.fresh;
            out['footprint'] = f.footprint;
            if (step < spec.footprintSteps) piOld.setWeights(model.getWeights());
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
    arm: spec.arm?.name ?? null,
    seed: spec.seed,
    pretrainSeed: spec.pretrain.seed,
    evalSteps,
    evals,
    history,
    baseCacheHit: base.hit,
    pretrainSeconds: base.hit ? 0 : base.seconds,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The trainer config of an arm's RL (no weight decay: decay alone moves a run whose advantages are zero). */
export function negTrainerConfig(rl: NegRLConfig, seed: number): Partial<RLConfig> & { maxNewTokens: number } {
  return {
    steps: rl.steps,
    promptsPerStep: rl.promptsPerStep,
    numGenerations: rl.numGenerations,
    miniBatchSize: rl.miniBatchSize,
    epochs: rl.epochs,
    epsilon: rl.epsilon,
    clip: rl.clip,
    maxNewTokens: MAX_NEW_TOKENS,
    seed,
    evalEvery: 1,
    optim: { optimizer: rl.optimizer, lr: rl.lr, weightDecay: 0, gradClip: rl.gradClip },
  };
}

/**
 * The advantage function of an arm. REINFORCE uses rewards in {+1, -1} (Zhu et al.'s RLVR = PSR + NSR); GRPO is
 * invariant to that map; PSR, NSR and W read the correct mask.
 */
export function armAdvantage(arm: NegArm): AdvantageFn {
  if (arm.lambda !== undefined && arm.advantage !== 'w-reinforce') throw new Error(`arm ${arm.name}: lambda applies only to w-reinforce`);
  if (arm.advantage === 'reinforce') return advantageFn('reinforce', { signedReward: true });
  return advantageFn(arm.advantage, arm.advantage === 'w-reinforce' ? { lambda: arm.lambda ?? 0.1 } : {});
}

/** A training triple whose primary topic is easy (RL never sees a hard topic's keys rewarded). */
function sampleEasyPrompt(task: TopicKeysTask, rng: Rng): TopicKeysProblem {
  for (;;) {
    const q = sampleTopicKeysTrain(task, rng);
    if (!task.isHard(q)) return q;
  }
}

/** Tokens of samples with a non-zero advantage, over all tokens of the rollout batch. */
function nonzeroTokenShare(r: Rollout<TopicKeysProblem>, advantages: Float32Array): number {
  let all = 0;
  let nonzero = 0;
  for (let i = 0; i < advantages.length; i++) {
    all += r.lengths[i]!;
    if (advantages[i] !== 0) nonzero += r.lengths[i]!;
  }
  return nonzero / all;
}

export function modelConfigOf(model: NegModelConfig, tokenizer: Tokenizer): GPTConfig {
  // BOS + 4 prompt tokens + answer + EOS = 7 tokens: 6 input positions; 8 leaves room.
  return gptConfig({ vocabSize: tokenizer.vocabSize, contextLength: 8, ...model });
}

/** Pretrains (or loads from the cache) the base of a run. */
export async function topicKeysBase(
  spec: Pick<NegRunSpec, 'task' | 'model' | 'pretrain'>,
  cacheDir?: string,
): Promise<{ model: GPT; hit: boolean; seconds: number; task: TopicKeysTask; tokenizer: Tokenizer; finalLoss: number | null }> {
  const task = new TopicKeysTask(spec.task);
  const tokenizer = Tokenizer.forTasks([task]);
  const config = modelConfigOf(spec.model, tokenizer);
  const t0 = performance.now();
  const res = await cachedLanguageModel({
    key: { experiment: 'negative-reinforcement', task: task.name, taskConfig: task.config, generator: task.generatorVersion, config, pretrain: spec.pretrain },
    modelConfig: config,
    tokenizer: tokenizer.toJSON(),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    build: () => new GPT(config, new Rng(spec.pretrain.seed).fork('init')),
    batches: (_s, rng) => makeBatch(tokenizer, topicKeysExamples(task, rng, spec.pretrain.batchSize), 6),
    config: pretrainSchedule(spec.pretrain),
  });
  return { model: res.model, hit: res.hit, seconds: (performance.now() - t0) / 1000, task, tokenizer, finalLoss: res.finalLoss };
}

/** The held-out evaluation set: a fixed shuffle (seeded by the task) of the held-out triples, first `n`. */
export function evaluationProblems(task: TopicKeysTask, n: number): TopicKeysProblem[] {
  const all = topicKeysHeldOut(task);
  new Rng(`topic-keys-eval/${task.config.taskSeed}`).shuffle(all);
  return all.slice(0, Math.min(n, all.length));
}

/**
 * Held-out pass@k (unbiased, n samples per prompt), answer entropy, key2 share and distinct correct answers, for
 * all prompts and by class: `evaluatePolicy`'s records, summarised per class. The samples come from `rng` (pass the
 * same fresh stream to compare models).
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
 * Self-likelihood footprint of one rollout batch's updates (the finite-batch term through which PSR, NSR and
 * W-REINFORCE differ; the notebook's analysis): mean change of log pi(answer) on the batch's own samples minus the
 * mean change on fresh samples from the same prompts and the same pi_old. PSR imitates its own samples (> 0), NSR
 * pushes away from them (< 0); with the infinite-sample surrogate both would be 0.
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
