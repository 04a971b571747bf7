/**
 * Rewards behind one interface. Each reward maps a rollout batch to one reward per sample plus named per-sample
 * parts for logging; variants are data (a spec with a name), not copies of the trainer.
 *
 * - verifiable: the task's own `evaluate` (correct = 1, else 0); `format`: 1 when the task could parse an answer.
 * - random (Shao et al., "Spurious Rewards", arXiv 2506.10947, section 2): Bernoulli(gamma) from a seeded Rng,
 *   independent of the content; gamma = 0 gives zero advantage everywhere.
 * - incorrect-label (same paper): 1 when the parsed answer equals a fixed WRONG label given per problem.
 * - intrinsic (Zhang et al., "No Free Lunch", arXiv 2506.17219, section 3), from per-token arrays recorded over the
 *   sampled output o: token entropy `-(1/|o|) sum_i H_i`, trajectory log-likelihood `(1/|o|) log pi(o|q)`,
 *   self-certainty (Intuitor, Zhao et al. arXiv 2505.19590) `(1/|o|) sum_i KL(U || pi_i)`. `normalisation: 'sum'`
 *   drops the 1/|o| (the paper's trajectory-entropy form without length normalisation).
 *
 * - confidence rewards (Damani et al., RLCR, arXiv 2507.16806) on a task wrapped by `withConfidence`, with c the
 *   answer's verdict and q the stated confidence (the bin centre):
 *   'binary-answer'           1[c]; the confidence token is ignored (unrewarded, and its absence costs nothing).
 *   'binary-with-confidence'  1[c and a confidence token was stated]: the token is part of the required output but
 *                             any value earns full reward, so "always <c9>" is free (the paper's RLVR baseline).
 *   'rlcr'                    1[c] - (q - 1[c])^2, the paper's reward (section 3): correctness plus a Brier term, a
 *                             proper scoring rule, so the expected reward is maximised by q = P(correct).
 *   'rlcr-group-rate'         the ground-truth-calibrated control: 1[c] - (q - r)^2 with r the success rate of the
 *                             OTHER G - 1 samples of the prompt (their true verdicts), an unbiased estimate of the
 *                             policy's P(correct | prompt) independent of this sample's own verdict. Its best q is
 *                             the prompt's success rate; it rewards prompt-level calibration only (no signal to
 *                             lower q after a particular wrong answer) and has lower variance than 'rlcr'. Needs G >= 2.
 *   A missing confidence counts as the worst one for the Brier terms (q = 1 - 1[c] for 'rlcr'; the end of [0, 1]
 *   farther from r for 'rlcr-group-rate'), so omitting it never pays.
 *
 * Rewards never swallow errors: an unparsable completion is the task's business (wrong, answer null); anything
 * thrown by `evaluate` propagates.
 */
import type { Rng } from '../random.js';
import type { Evaluation } from '../tasks/task.js';
import type { ConfidenceEvaluation } from '../tasks/confidence.js';

/** The part of a Task a reward needs (a real `Task<P>` satisfies it). */
export interface EvaluatingTask<P> {
  evaluate(problem: P, completion: string): Evaluation;
}

/**
 * What a reward consumes: a rollout batch of P prompts x G samples, prompt-major (sample i belongs to prompt
 * floor(i / G)). The per-token field names match the model's `Generation`, so a rollout can pass its arrays on.
 */
export interface RewardRollout<P> {
  /** [P] one problem per prompt. */
  problems: readonly P[];
  /** G, samples per prompt. */
  groupSize: number;
  /** [P * G] decoded completions (text before EOS). */
  completions: readonly string[];
  /** [P * G] generated tokens per sample, |o| (EOS included when emitted). */
  lengths: Int32Array;
  /** Row stride of the per-token arrays. */
  maxNewTokens: number;
  /** [P * G, maxNewTokens] log pi(o_t | q, o_<t) at temperature 1; needed by 'trajectory-likelihood'. */
  logProbs?: Float32Array;
  /** [P * G, maxNewTokens] entropy H(pi(. | q, o_<t)) in nats; needed by 'token-entropy'. */
  entropies?: Float32Array;
  /** [P * G, maxNewTokens] KL(U || pi(. | q, o_<t)); needed by 'self-certainty'. */
  selfCertainty?: Float32Array;
}

export interface RewardOutput {
  /** [P * G] the reward the advantage function sees. */
  rewards: Float32Array;
  /** [P * G] the task's verdict (1 correct) when the reward has a task, else null. PSR/NSR read this. */
  correct: Uint8Array | null;
  /** Named per-sample parts for logging, each [P * G] (e.g. correct, formatted, matchesLabel, intrinsic). */
  parts: Record<string, Float32Array>;
}

export interface Reward<P> {
  readonly name: RewardName;
  compute(rollout: RewardRollout<P>): RewardOutput;
}

export const REWARD_NAMES = [
  'verifiable',
  'format',
  'random',
  'incorrect-label',
  'token-entropy',
  'trajectory-likelihood',
  'self-certainty',
  'binary-answer',
  'binary-with-confidence',
  'rlcr',
  'rlcr-group-rate',
] as const;
export type RewardName = (typeof REWARD_NAMES)[number];

export const INTRINSIC_NORMALISATIONS = ['token-mean', 'sum'] as const;
export type IntrinsicNormalisation = (typeof INTRINSIC_NORMALISATIONS)[number];

/** Checks the batch layout and returns N = P * G. */
function checkRollout<P>(r: RewardRollout<P>, where: string): number {
  const g = r.groupSize;
  if (!(Number.isInteger(g) && g >= 1)) throw new Error(`${where}: rollout.groupSize must be an integer >= 1, got ${g}`);
  const n = r.problems.length * g;
  if (r.completions.length !== n) {
    throw new Error(`${where}: rollout.completions.length=${r.completions.length} must equal problems.length*groupSize=${n}`);
  }
  if (r.lengths.length !== n) throw new Error(`${where}: rollout.lengths.length=${r.lengths.length} must equal ${n}`);
  return n;
}

/** Runs `evaluate` on every sample (errors propagate). */
function evaluateAll<P>(task: EvaluatingTask<P>, r: RewardRollout<P>): Evaluation[] {
  const out: Evaluation[] = [];
  for (let i = 0; i < r.completions.length; i++) {
    out.push(task.evaluate(r.problems[Math.floor(i / r.groupSize)]!, r.completions[i]!));
  }
  return out;
}

function correctOf(evals: readonly Evaluation[]): Uint8Array {
  return Uint8Array.from(evals, (e) => (e.correct ? 1 : 0));
}

function checkTask(task: unknown, where: string): void {
  if (task === null || typeof task !== 'object' || typeof (task as { evaluate?: unknown }).evaluate !== 'function') {
    throw new Error(`${where}: task must have an evaluate(problem, completion) method`);
  }
}

/** 1 when the task judges the completion correct, else 0. */
export function verifiableReward<P>(task: EvaluatingTask<P>): Reward<P> {
  checkTask(task, 'verifiableReward');
  return {
    name: 'verifiable',
    compute(rollout): RewardOutput {
      checkRollout(rollout, 'verifiableReward');
      const evals = evaluateAll(task, rollout);
      const correct = correctOf(evals);
      const rewards = Float32Array.from(correct);
      return {
        rewards,
        correct,
        parts: { correct: Float32Array.from(correct), formatted: Float32Array.from(evals, (e) => (e.answer !== null ? 1 : 0)) },
      };
    },
  };
}

/** 1 when the task can parse an answer from the completion (right or wrong), else 0: format-only reward. */
export function formatReward<P>(task: EvaluatingTask<P>): Reward<P> {
  checkTask(task, 'formatReward');
  return {
    name: 'format',
    compute(rollout): RewardOutput {
      checkRollout(rollout, 'formatReward');
      const evals = evaluateAll(task, rollout);
      const formatted = Float32Array.from(evals, (e) => (e.answer !== null ? 1 : 0));
      const correct = correctOf(evals);
      return { rewards: Float32Array.from(formatted), correct, parts: { formatted, correct: Float32Array.from(correct) } };
    },
  };
}

export interface RandomRewardOptions<P> {
  /** P(reward = 1), in [0, 1]. The paper uses 0.5; 0 is the no-signal control. */
  gamma: number;
  /** The only source of the reward's randomness; one uniform draw per sample, in sample order. */
  rng: Rng;
  /** Optional: only to log correctness (never used for the reward). */
  task?: EvaluatingTask<P>;
}

/** Bernoulli(gamma) per sample, independent of the completion (Shao et al.'s random reward). */
export function randomReward<P>(options: RandomRewardOptions<P>): Reward<P> {
  const { gamma, rng, task } = options;
  if (!(gamma >= 0 && gamma <= 1)) throw new Error(`randomReward: gamma must be in [0, 1], got ${gamma}`);
  if (rng === undefined || typeof (rng as Rng).uniform !== 'function') throw new Error('randomReward: rng (an Rng) is required');
  if (task !== undefined) checkTask(task, 'randomReward');
  return {
    name: 'random',
    compute(rollout): RewardOutput {
      const n = checkRollout(rollout, 'randomReward');
      const rewards = new Float32Array(n);
      for (let i = 0; i < n; i++) rewards[i] = rng.uniform() < gamma ? 1 : 0;
      if (task === undefined) return { rewards, correct: null, parts: {} };
      const correct = correctOf(evaluateAll(task, rollout));
      return { rewards, correct, parts: { correct: Float32Array.from(correct) } };
    },
  };
}

export interface IncorrectLabelRewardOptions<P> {
  task: EvaluatingTask<P>;
  /** The fixed wrong label of a problem, in the task's canonical answer form. */
  wrongLabel: (problem: P) => string;
}

/**
 * 1 when the parsed answer equals the problem's fixed wrong label (Shao et al.'s incorrect-label reward). A label
 * that the task judges correct is an error (it would silently become the ground-truth reward).
 */
export function incorrectLabelReward<P>(options: IncorrectLabelRewardOptions<P>): Reward<P> {
  const { task, wrongLabel } = options;
  checkTask(task, 'incorrectLabelReward');
  if (typeof wrongLabel !== 'function') throw new Error('incorrectLabelReward: wrongLabel must be a function (problem) => string');
  return {
    name: 'incorrect-label',
    compute(rollout): RewardOutput {
      const n = checkRollout(rollout, 'incorrectLabelReward');
      const labels = rollout.problems.map((p, i) => {
        const l = wrongLabel(p);
        if (typeof l !== 'string') throw new Error(`incorrectLabelReward: wrongLabel(problems[${i}]) must return a string, got ${String(l)}`);
        return l;
      });
      const evals = evaluateAll(task, rollout);
      const rewards = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const e = evals[i]!;
        const label = labels[Math.floor(i / rollout.groupSize)]!;
        if (e.answer === label) {
          if (e.correct) throw new Error(`incorrectLabelReward: the wrong label "${label}" of prompt ${Math.floor(i / rollout.groupSize)} is judged correct by the task`);
          rewards[i] = 1;
        }
      }
      const correct = correctOf(evals);
      return { rewards, correct, parts: { matchesLabel: Float32Array.from(rewards), correct: Float32Array.from(correct) } };
    },
  };
}

type IntrinsicKind = 'token-entropy' | 'trajectory-likelihood' | 'self-certainty';

export interface IntrinsicRewardOptions<P> {
  /** 'token-mean' divides by |o| (the papers' form); 'sum' does not. Default 'token-mean'. */
  normalisation?: IntrinsicNormalisation;
  /** Optional: only to log correctness. */
  task?: EvaluatingTask<P>;
}

const INTRINSIC_SOURCE: Record<IntrinsicKind, { field: 'entropies' | 'logProbs' | 'selfCertainty'; sign: number }> = {
  'token-entropy': { field: 'entropies', sign: -1 }, // reward = -H: lower entropy is rewarded
  'trajectory-likelihood': { field: 'logProbs', sign: 1 },
  'self-certainty': { field: 'selfCertainty', sign: 1 },
};

/**
 * Intrinsic reward from per-token arrays over each sample's first |o| positions: `sign * (1/|o|) sum_t x_t` with
 * x = entropy (sign -1), log-prob or self-certainty (sign +1). Per-token values must be finite; with
 * 'token-mean' every |o| must be >= 1 (an empty output has no mean).
 */
export function intrinsicReward<P>(kind: IntrinsicKind, options: IntrinsicRewardOptions<P> = {}): Reward<P> {
  const source = INTRINSIC_SOURCE[kind];
  if (source === undefined) throw new Error(`intrinsicReward: kind must be one of ${Object.keys(INTRINSIC_SOURCE).join(', ')}, got "${kind}"`);
  const normalisation = options.normalisation ?? 'token-mean';
  if (!(INTRINSIC_NORMALISATIONS as readonly string[]).includes(normalisation)) {
    throw new Error(`intrinsicReward: normalisation must be one of ${INTRINSIC_NORMALISATIONS.join(', ')}, got "${normalisation}"`);
  }
  const task = options.task;
  if (task !== undefined) checkTask(task, 'intrinsicReward');
  const where = `intrinsicReward(${kind})`;
  return {
    name: kind,
    compute(rollout): RewardOutput {
      const n = checkRollout(rollout, where);
      const w = rollout.maxNewTokens;
      if (!(Number.isInteger(w) && w >= 1)) throw new Error(`${where}: rollout.maxNewTokens must be an integer >= 1, got ${w}`);
      const x = rollout[source.field];
      if (x === undefined) throw new Error(`${where}: needs rollout.${source.field} [N, maxNewTokens], which was not recorded`);
      if (x.length !== n * w) throw new Error(`${where}: rollout.${source.field}.length=${x.length} must equal N*maxNewTokens=${n * w}`);
      const rewards = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const len = rollout.lengths[i]!;
        if (!(Number.isInteger(len) && len >= 0 && len <= w)) throw new Error(`${where}: lengths[${i}]=${len} must be in [0, ${w}]`);
        if (normalisation === 'token-mean' && len === 0) throw new Error(`${where}: sample ${i} has |o| = 0, so its token mean is undefined`);
        let s = 0;
        for (let t = 0; t < len; t++) {
          const v = x[i * w + t]!;
          if (!Number.isFinite(v)) throw new Error(`${where}: rollout.${source.field}[${i}, ${t}] = ${v} is not finite`);
          s += v;
        }
        rewards[i] = source.sign * (normalisation === 'token-mean' ? s / len : s);
      }
      const parts: Record<string, Float32Array> = { intrinsic: Float32Array.from(rewards) };
      let correct: Uint8Array | null = null;
      if (task !== undefined) {
        correct = correctOf(evaluateAll(task, rollout));
        parts['correct'] = Float32Array.from(correct);
      }
      return { rewards, correct, parts };
    },
  };
}

/** The part of a confidence task (`withConfidence`) a confidence reward needs. */
export interface ConfidenceEvaluatingTask<P> {
  evaluate(problem: P, completion: string): ConfidenceEvaluation;
}

export const CONFIDENCE_REWARD_KINDS = ['binary-answer', 'binary-with-confidence', 'rlcr', 'rlcr-group-rate'] as const;
export type ConfidenceRewardKind = (typeof CONFIDENCE_REWARD_KINDS)[number];

/** Verdicts and stated confidences of a batch; a confidence field that is not null or in [0, 1] is an error. */
function evaluateConfidences<P>(task: ConfidenceEvaluatingTask<P>, r: RewardRollout<P>, where: string): { correct: Uint8Array; q: (number | null)[] } {
  const evals = evaluateAll(task, r) as ConfidenceEvaluation[];
  const q = evals.map((e, i) => {
    const v = e.confidence;
    if (v === null) return null;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new Error(`${where}: evaluation ${i} has confidence ${String(v)}; it must be null or in [0, 1] (wrap the task with withConfidence)`);
    return v;
  });
  return { correct: correctOf(evals), q };
}

/** Success rate of the other G - 1 samples of each sample's prompt ([N]). */
function leaveOneOutRates(correct: Uint8Array, groupSize: number): Float64Array {
  const out = new Float64Array(correct.length);
  for (let g0 = 0; g0 < correct.length; g0 += groupSize) {
    let sum = 0;
    for (let j = 0; j < groupSize; j++) sum += correct[g0 + j]!;
    for (let j = 0; j < groupSize; j++) out[g0 + j] = (sum - correct[g0 + j]!) / (groupSize - 1);
  }
  return out;
}

/**
 * A confidence reward (see the module comment for the four kinds). Parts: `correct`, `hasConfidence`, and `brier`
 * = (q - 1[c])^2 per sample, 1 (the worst) when no confidence was stated.
 */
export function confidenceReward<P>(kind: ConfidenceRewardKind, task: ConfidenceEvaluatingTask<P>): Reward<P> {
  if (!(CONFIDENCE_REWARD_KINDS as readonly string[]).includes(kind))
    throw new Error(`confidenceReward: kind must be one of ${CONFIDENCE_REWARD_KINDS.join(', ')}, got "${String(kind)}"`);
  const where = `confidenceReward(${kind})`;
  checkTask(task, where);
  return {
    name: kind,
    compute(rollout): RewardOutput {
      const n = checkRollout(rollout, where);
      if (kind === 'rlcr-group-rate' && rollout.groupSize < 2)
        throw new Error(`${where}: rollout.groupSize must be >= 2 (the target is the other samples' success rate), got ${rollout.groupSize}`);
      const { correct, q } = evaluateConfidences(task, rollout, where);
      const rates = kind === 'rlcr-group-rate' ? leaveOneOutRates(correct, rollout.groupSize) : null;
      const rewards = new Float32Array(n);
      const hasConfidence = new Float32Array(n);
      const brier = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const c = correct[i]!;
        const qi = q[i]!;
        hasConfidence[i] = qi === null ? 0 : 1;
        brier[i] = qi === null ? 1 : (qi - c) ** 2;
        switch (kind) {
          case 'binary-answer':
            rewards[i] = c;
            break;
          case 'binary-with-confidence':
            rewards[i] = c && qi !== null ? 1 : 0;
            break;
          case 'rlcr':
            rewards[i] = c - brier[i]!;
            break;
          case 'rlcr-group-rate': {
            const r = rates![i]!;
            const stated = qi ?? (r >= 0.5 ? 0 : 1);
            rewards[i] = c - (stated - r) ** 2;
            break;
          }
        }
      }
      return { rewards, correct, parts: { correct: Float32Array.from(correct), hasConfidence, brier } };
    },
  };
}

/** A reward chosen by name, with the options it needs (for configs). */
export type RewardSpec<P> =
  | { name: 'verifiable'; task: EvaluatingTask<P> }
  | { name: 'format'; task: EvaluatingTask<P> }
  | ({ name: 'random' } & RandomRewardOptions<P>)
  | ({ name: 'incorrect-label' } & IncorrectLabelRewardOptions<P>)
  | ({ name: IntrinsicKind } & IntrinsicRewardOptions<P>)
  | { name: ConfidenceRewardKind; task: ConfidenceEvaluatingTask<P> };

/** Builds the reward a spec names; an unknown name is an error listing the valid ones. */
export function createReward<P>(spec: RewardSpec<P>): Reward<P> {
  const name = (spec as { name?: unknown }).name;
  switch (spec.name) {
    case 'verifiable':
      return verifiableReward(spec.task);
    case 'format':
      return formatReward(spec.task);
    case 'random':
      return randomReward(spec);
    case 'incorrect-label':
      return incorrectLabelReward(spec);
    case 'token-entropy':
    case 'trajectory-likelihood':
    case 'self-certainty':
      return intrinsicReward(spec.name, spec);
    case 'binary-answer':
    case 'binary-with-confidence':
    case 'rlcr':
    case 'rlcr-group-rate':
      return confidenceReward(spec.name, spec.task);
    default:
      throw new Error(`createReward: unknown reward "${String(name)}"; valid names are ${REWARD_NAMES.join(', ')}`);
  }
}
