/**
 * Claim 1's two kinds of run, each read top to bottom (Song et al., "Mind the Gap", arXiv 2412.02674); workers call
 * `verificationGapRun`, which picks one by the spec's `kind`:
 *
 * 1. `sizeRun`, one (task, size, seed): pretrain a base -> sample `samples` answers per held-out
 *    prompt at T = 0.7 -> the base scores each of its OWN samples with its own verifier (u = P(Y) after `?q,a=`) ->
 *    gap curve, AUC, pass@k on the eval split and on the disjoint tau split. The true checker only grades.
 * 2. `selfImproveRun`, one (task, seed, arm) on the largest size: the same base -> `rounds` rounds of
 *    sample on fresh training prompts -> self-verify -> self-filter (`selfFilter`; the control arm keeps as many at
 *    random) -> fine-tune -> evaluate on the eval split.
 *
 * What the self-improvement rounds change from the paper's sample -> filter -> fine-tune loop (Sec. 6), so that a
 * tiny model's shared verifier survives fine-tuning: (a) a constant lr below pretraining's final lr, (b) CHECK replay
 * (fresh noise-process examples with true-checker verdicts, as in pretraining) filling `replayFraction` of every
 * batch, and (c) one AdamW kept across rounds (its moments carry over; pretraining's optimizer is not cached).
 *
 * Seeds fix pretraining init and data order, and sampling. Both run in worker threads, hence plain data in and out;
 * bases come from the training cache.
 */
import { initBackend } from '../../backend/index.js';
import { selfFilter } from '../../eval/self-filter.js';
import { mean } from '../../eval/stats.js';
import { GPT } from '../../model/gpt.js';
import { Rng } from '../../random.js';
import type { Example } from '../../tasks/batch.js';
import { Tokenizer } from '../../tasks/tokenizer.js';
import { AdamW, decayMatricesOnly } from '../../train/adamw.js';
import { cachedLanguageModel } from '../../train/cached-lm.js';
import { languageModelLoss } from '../../train/lm-loss.js';
import { train } from '../../train/trainer.js';
import type { ExperimentRunContext } from '../contract.js';
import type { GapTaskName, ModelSize, PretrainSpec, SelfImproveArm, SelfImproveSpec } from './config.js';
import { noiseCandidateAuc, sampleAndVerify, splitMetrics, type SplitMetrics } from './evaluation.js';
import { answerTokens, batchOf, corpusExamples, gapTask, genProblem, heldOut, heldOutSplits, modelConfig, pretrainTokens, sizeLabel } from './tasks.js';

/** What determines a pretrained base. */
export interface BaseSpec {
  task: GapTaskName;
  size: ModelSize;
  seed: number;
  pretrain: PretrainSpec;
  factsKeys: number;
}

/**
 * The pretrained base of a (task, size, seed), through the training cache: a fresh GPT (init from the seed) trained
 * on the task's corpus with warmup + cosine. Every size of a task sees the same data and steps.
 */
async function pretrainedBase(c: BaseSpec, cacheDir: string | undefined) {
  const task = gapTask(c.task, c.factsKeys);
  const tokenizer = Tokenizer.forTasks([task]);
  const mc = modelConfig(c.size, tokenizer);
  const p = c.pretrain;
  const res = await cachedLanguageModel({
    key: { experiment: 'verification-gap', v: 1, task: task.name, taskVersion: task.generatorVersion, heldOutFraction: heldOut(c.task), model: mc, pretrain: p, seed: c.seed },
    modelConfig: mc,
    tokenizer: tokenizer.toJSON(),
    build: () => new GPT(mc, new Rng(c.seed).fork('init')),
    config: { steps: p.steps, lr: p.lr, minLr: p.minLr, warmupSteps: p.warmupSteps, seed: c.seed },
    batches: (_s, rng) => batchOf(tokenizer, corpusExamples(c.task, task, rng, p.batchSize, p.checkFraction)),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  });
  return { task, tokenizer, model: res.model, hit: res.hit, trainSeconds: res.trainSeconds };
}

// ---------------------------------------------------------------------------------------------------------------
// Run 1: one (task, size, seed): pretrain, sample, self-verify on the tau and eval splits

export interface SizeRunConfig extends BaseSpec {
  evalPrompts: number;
  tauPrompts: number;
  samples: number;
  temperature: number;
  tauGrid: number[];
  ks: number[];
}

export interface SizeRunResult {
  task: GapTaskName;
  size: string;
  seed: number;
  params: number;
  /** 6 x params x tokens seen in pretraining (input positions of every batch). */
  flops: number;
  tokens: number;
  eval: SplitMetrics;
  tauSplit: SplitMetrics;
  /** AUC of P(Y) on CHECK examples of the eval prompts drawn as in pretraining (noise candidates, not own samples). */
  noiseAuc: number;
  pretrainSeconds: number;
  cacheHit: boolean;
  seconds: number;
}

async function sizeRun(c: SizeRunConfig, ctx: ExperimentRunContext): Promise<SizeRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const { task, tokenizer, model, hit, trainSeconds } = await pretrainedBase(c, ctx.cacheDir);
  try {
    ctx.progress({ stage: 'pretrained', task: c.task, size: sizeLabel(c.size), seed: c.seed });
    const { evalSet, tauSet } = heldOutSplits(c.task, task, c.evalPrompts, c.tauPrompts);
    const rng = new Rng(c.seed).fork('sampling');
    const sampling = { samples: c.samples, maxNewTokens: answerTokens(c.task) + 1, temperature: c.temperature, ks: c.ks };
    const ev = sampleAndVerify(model, task, tokenizer, evalSet, sampling, rng.fork('eval'));
    const ts = sampleAndVerify(model, task, tokenizer, tauSet, sampling, rng.fork('tau'));
    const params = model.numParams();
    const tokens = pretrainTokens(c);
    const noiseAuc = noiseCandidateAuc(model, task, tokenizer, evalSet, 8, rng.fork('noise'));
    return {
      task: c.task,
      size: sizeLabel(c.size),
      seed: c.seed,
      params,
      flops: 6 * params * tokens,
      tokens,
      eval: splitMetrics(ev, c.tauGrid),
      tauSplit: splitMetrics(ts, c.tauGrid),
      noiseAuc,
      pretrainSeconds: trainSeconds ?? NaN,
      cacheHit: hit,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Run 2: self-improvement rounds for one (task, seed, arm) on a pretrained size

export interface SelfImproveRunConfig extends SizeRunConfig {
  arm: SelfImproveArm;
  /** The filter threshold (the tau chosen on the tau split). */
  tau: number;
  selfImprove: SelfImproveSpec;
}

export interface RoundRecord {
  round: number;
  /** Eval split metrics after `round` rounds (round 0 = the pretrained base). */
  eval: SplitMetrics;
  /** Round's training pool (absent for round 0): kept fraction, true accuracy of kept and of all samples. */
  keptFraction?: number;
  keptAccuracy?: number;
  poolAccuracy?: number;
  fineTuneSteps?: number;
}

export interface SelfImproveRunResult {
  task: GapTaskName;
  size: string;
  seed: number;
  arm: SelfImproveArm;
  tau: number;
  rounds: RoundRecord[];
  seconds: number;
}

async function selfImproveRun(c: SelfImproveRunConfig, ctx: ExperimentRunContext): Promise<SelfImproveRunResult> {
  await initBackend({ quiet: true });
  const t0 = performance.now();
  const { task, tokenizer, model } = await pretrainedBase(c, ctx.cacheDir);
  const si = c.selfImprove;
  const optimizer = new AdamW({ lr: si.lr, beta1: 0.9, beta2: 0.99, weightDecay: 0.1, shouldDecay: decayMatricesOnly });
  try {
    const { evalSet } = heldOutSplits(c.task, task, c.evalPrompts, c.tauPrompts);
    const rng = new Rng(c.seed).fork(`self-improve/${c.arm}`);
    // Evaluation draws do not depend on the arm, so both arms' round 0 is the same measurement (a paired comparison).
    const evalRng = new Rng(c.seed).fork('self-improve/eval');
    const maxNewTokens = answerTokens(c.task) + 1;
    const measure = (r: number) =>
      splitMetrics(sampleAndVerify(model, task, tokenizer, evalSet, { samples: c.samples, maxNewTokens, temperature: c.temperature, ks: c.ks }, evalRng.fork(`eval${r}`)), [0.5, c.tau]);
    const rounds: RoundRecord[] = [{ round: 0, eval: measure(0) }];
    const loss = languageModelLoss(model);
    for (let r = 1; r <= si.rounds; r++) {
      const rr = rng.fork(`round${r}`);
      // Sample a pool on fresh training prompts and score it with the model's own verifier.
      const problems = Array.from({ length: si.promptsPerRound }, () => genProblem(c.task, task, rr));
      const pool = sampleAndVerify(model, task, tokenizer, problems, { samples: si.samplesPerPrompt, maxNewTokens, temperature: c.temperature }, rr);
      // Self-filter; the control arm takes as many samples as the filter kept, at random from the same pool.
      const passing = selfFilter(pool.pYes, si.samplesPerPrompt, c.tau, si.filter);
      const chosen = c.arm === 'filtered' ? passing : rr.shuffle(Array.from({ length: pool.pYes.length }, (_, i) => i)).slice(0, passing.length);
      const kept: Example[] = chosen.map((i) => ({
        prompt: task.prompt(problems[Math.floor(i / si.samplesPerPrompt)]!),
        completion: pool.samples[i]!.completion,
      }));
      // Fine-tune: `epochs` shuffled passes over the kept samples, `nSelf` per batch, the rest CHECK replay.
      const nSelf = Math.max(1, Math.round(si.batchSize * (1 - si.replayFraction)));
      const steps = kept.length === 0 ? 0 : Math.ceil((kept.length * si.epochs) / nSelf);
      const order: number[] = [];
      for (let e = 0; e < si.epochs; e++) order.push(...rr.shuffle(Array.from({ length: kept.length }, (_, i) => i)));
      await train({
        model,
        loss,
        optimizer,
        config: { steps, lr: si.lr, schedule: 'constant', gradClip: 1 },
        // The replay is drawn from the round's stream `rr` (train's own batch stream is not used).
        batches: (s) => {
          const self = order.slice(s * nSelf, (s + 1) * nSelf).map((i) => kept[i]!);
          return batchOf(tokenizer, [...self, ...corpusExamples(c.task, task, rr, si.batchSize - self.length, 1)]);
        },
        onProgress: false,
      });
      // Evaluate, and record what the round trained on.
      let keptCorrect = 0;
      for (const i of chosen) keptCorrect += pool.correct[i]!;
      rounds.push({
        round: r,
        eval: measure(r),
        keptFraction: chosen.length / pool.pYes.length,
        keptAccuracy: chosen.length > 0 ? keptCorrect / chosen.length : NaN,
        poolAccuracy: mean(pool.correct),
        fineTuneSteps: steps,
      });
      ctx.progress({ stage: 'round', task: c.task, arm: c.arm, seed: c.seed, round: r });
    }
    return { task: c.task, size: sizeLabel(c.size), seed: c.seed, arm: c.arm, tau: c.tau, rounds, seconds: (performance.now() - t0) / 1000 };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The run function of the experiment's workers

/** One planned run: a size run or a self-improvement run. */
export type VerificationGapSpec = ({ kind: 'size' } & SizeRunConfig) | ({ kind: 'selfImprove' } & SelfImproveRunConfig);

export async function verificationGapRun(spec: VerificationGapSpec, ctx: ExperimentRunContext): Promise<SizeRunResult | SelfImproveRunResult> {
  const { kind, ...c } = spec;
  if (kind === 'size') return sizeRun(c, ctx);
  if (kind === 'selfImprove') return selfImproveRun(c as SelfImproveRunConfig, ctx);
  throw new Error(`verificationGapRun: spec.kind must be 'size' or 'selfImprove', got ${JSON.stringify(kind)}`);
}
