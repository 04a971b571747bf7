/**
 * Claim 2's configuration: types, presets and validation.
 *
 * The claim (Zhang et al., "No Free Lunch: Rethinking Internal Feedback for LLM Reasoning", arXiv 2506.17219): GRPO
 * with an intrinsic reward (token entropy, trajectory log-likelihood or self-certainty, each averaged over the |o|
 * tokens of a sample) lifts a base model briefly, then drags it below its start; an instruction-tuned model gains
 * nothing; mixing base and instruct weights lowers the initial entropy, and RLIF helps only while it is high.
 *
 * The toy: the wait-scratchpad task (running sums of `terms` digits). The base is pretrained on a noisy corpus that
 * sometimes writes `<wait>` after an error and fixes it through an exploratory (high-entropy) recomputation; the
 * instruct model is the base fine-tuned on one narrow, confident format with one systematic error (the last carry),
 * so it has room to fall. Mixes theta(a) = (1 - a) theta_base + a theta_instruct.
 */
import type { IntrinsicNormalisation } from '../../rl/rewards.js';
import { checkCorpusStyle, type CorpusStyle } from '../../tasks/wait-scratchpad.js';

export const RLIF_REWARDS = ['token-entropy', 'trajectory-likelihood', 'self-certainty', 'ground-truth'] as const;
export type RlifReward = (typeof RLIF_REWARDS)[number];
export const INTRINSIC_REWARDS = ['token-entropy', 'trajectory-likelihood', 'self-certainty'] as const;

export interface RlifArm {
  /** Short name shown in tables, e.g. "token-entropy" or "token-entropy-sum". */
  name: string;
  reward: RlifReward;
  /** Intrinsic rewards: 'token-mean' (the paper's 1/|o| form) or 'sum'. Default 'token-mean'. */
  normalisation?: IntrinsicNormalisation;
  /** Mixing weights this arm runs on. Default all of `config.mixes`. */
  mixes?: number[];
}

export interface RlifCollapseConfig {
  /** Digits per problem (terms - 1 running sums). */
  terms: number;
  model: { dModel: number; nHeads: number; nLayers: number };
  /** Next-token pretraining of the base on the noisy, self-correcting corpus. */
  pretrain: { steps: number; batchSize: number; lr: number; seed: number; style: CorpusStyle };
  /** SFT of the base on the narrow confident format (seeded pretrain.seed + 1). */
  instruct: { steps: number; batchSize: number; lr: number; style: CorpusStyle };
  /** Instruct shares a: 0 = base, 1 = instruct. */
  mixes: number[];
  arms: RlifArm[];
  /** GRPO: promptsPerStep x numGenerations samples per step, split into mini-batches, `epochs` passes; no KL. */
  rl: { steps: number; promptsPerStep: number; numGenerations: number; miniBatchSize: number; epochs: number; epsilon: number; lr: number };
  /** Held-out problems x samples at T = 1, evaluated after the RL steps listed in `steps` (0 and the last always). */
  eval: { problems: number; samples: number; steps: number[] };
  /** The checkpoints the claims read, fixed before the run: "early" (the rise) and "final" (the fall). */
  checkpoints: { early: number; final: number };
  /** Sampling temperatures of the pre-RL check (greedy is always added). */
  temperatures: number[];
  /** The claim seeds: RL sampling and evaluation streams (base and instruct are shared by every seed). */
  seeds: number[];
  /** Worker threads for the runs; default: all cores. */
  workers?: number;
}

/** The evaluation schedule of a run: the listed steps within [0, rlSteps], plus 0 and rlSteps. */
export function evalSchedule(ev: { steps: number[] }, rlSteps: number): number[] {
  return [...new Set([0, ...ev.steps.filter((s) => s >= 0 && s <= rlSteps), rlSteps])].sort((a, b) => a - b);
}

/**
 * What the key schema (the presets) and the seed check of `defineExperiment` leave to this experiment: the value
 * ranges it relies on, naming the field. Mini-batch divisibility is checked where it is used (`rlConfig`).
 */
export function checkRlifConfig(c: RlifCollapseConfig): void {
  if (c.mixes.length === 0 || !c.mixes.every((a) => a >= 0 && a <= 1))
    throw new Error(`config.mixes must be a non-empty list of numbers in [0, 1], got ${JSON.stringify(c.mixes)}`);
  checkCorpusStyle(c.pretrain.style, 'config.pretrain.style');
  checkCorpusStyle(c.instruct.style, 'config.instruct.style');
  c.arms.forEach((a, i) => {
    if (!(RLIF_REWARDS as readonly string[]).includes(a.reward))
      throw new Error(`config.arms[${i}].reward must be one of ${RLIF_REWARDS.join(', ')}, got ${JSON.stringify(a.reward)}`);
  });
  const sched = evalSchedule(c.eval, c.rl.steps);
  for (const k of ['early', 'final'] as const)
    if (!sched.includes(c.checkpoints[k]))
      throw new Error(`config.checkpoints.${k} (${c.checkpoints[k]}) must be an evaluated step, one of ${sched.join(', ')}`);
}

/** The base corpus: errors for a `<wait>` to fix, and waits that fix only some of them. */
const BASE_STYLE: CorpusStyle = {
  forgetCarry: 0.55, // carries are the common error, as in the paper's arithmetic slips
  slip: 0.2, // other steps are off by a few units sometimes, so not every error is a carry
  slipMax: 3,
  waitAfterError: 0.4, // a wait follows some errors, so WAIT has real corrective value
  waitAfterCorrect: 0.05, // and a few right steps, so WAIT is not a perfect error flag
};
/** The instruct format: confident (no waits, no slips) with one systematic error, so sharpening it hurts. */
const INSTRUCT_STYLE: CorpusStyle = {
  forgetCarry: 0,
  forgetLastCarry: 0.8, // strong enough that lowering the temperature lowers accuracy (at 0.5 sharpening helped)
  slip: 0,
  slipMax: 1,
  waitAfterError: 0,
  waitAfterCorrect: 0,
};
/** Every reward in the paper's per-token-mean form, plus the ground-truth control. */
const ALL_ARMS: RlifArm[] = [
  { name: 'token-entropy', reward: 'token-entropy' },
  { name: 'trajectory-likelihood', reward: 'trajectory-likelihood' },
  { name: 'self-certainty', reward: 'self-certainty' },
  { name: 'ground-truth', reward: 'ground-truth' },
];

export const RLIF_PRESETS: Record<'quick' | 'default' | 'full', RlifCollapseConfig> = {
  // CI: every arm and both models run end to end in seconds; too small to test the claim.
  quick: {
    terms: 4, // the task of the other presets, so the quick run exercises the same encoding
    model: { dModel: 32, nHeads: 4, nLayers: 2 }, // two thirds of default's width: seconds per run
    pretrain: { steps: 200, batchSize: 32, lr: 3e-3, seed: 0, style: BASE_STYLE }, // a fifth of default: the mechanics, not the claim
    instruct: { steps: 40, batchSize: 32, lr: 1e-3, style: INSTRUCT_STYLE }, // short, like default's: SFT narrows the format, it does not relearn the task
    mixes: [0, 1], // base and instruct only
    arms: ALL_ARMS,
    rl: { steps: 4, promptsPerStep: 8, numGenerations: 8, miniBatchSize: 32, epochs: 2, epsilon: 0.2, lr: 1e-4 }, // two updates per step, as in default
    eval: { problems: 40, samples: 2, steps: [2] }, // one early evaluation between start and end
    checkpoints: { early: 2, final: 4 }, // the evaluated steps after the start
    temperatures: [1, 0.6], // the two ends of default's check
    seeds: [0, 1, 2], // a claim check needs >= 3 seeds
  },
  // The claim run on a 2-core machine; the design was chosen on seeds 100+ (notebooks/records/02-design-search.json).
  default: {
    terms: 4, // three running sums: room for several carries per answer, short enough for a tiny model
    model: { dModel: 48, nHeads: 4, nLayers: 2 }, // learns the corpus well (greedy near 0.9) while sampling stays noisy
    pretrain: { steps: 1000, batchSize: 64, lr: 3e-3, seed: 0, style: BASE_STYLE }, // leaves T = 1 far below greedy: room to sharpen
    instruct: { steps: 150, batchSize: 64, lr: 1e-3, style: INSTRUCT_STYLE }, // enough SFT for the narrow format to take over
    // The paper's mixes (a = 0, 0.1, 0.2, 1) and 0.5 between; only token entropy runs on all of them (the a-sweep).
    mixes: [0, 0.1, 0.2, 0.5, 1],
    arms: [
      { name: 'token-entropy', reward: 'token-entropy' },
      { name: 'trajectory-likelihood', reward: 'trajectory-likelihood', mixes: [0, 1] },
      { name: 'self-certainty', reward: 'self-certainty', mixes: [0, 1] },
      { name: 'ground-truth', reward: 'ground-truth', mixes: [0, 1] },
      // Not the paper's form: shown beside it because a summed reward also rewards short outputs.
      { name: 'token-entropy-sum', reward: 'token-entropy', normalisation: 'sum', mixes: [0] },
    ],
    // 30 steps hold the whole arc; 16 prompts per step gave a clearer rise than 8; mini-batch 64 x 2 epochs = four
    // Adam updates per step; epsilon 0.2 is GRPO's usual clip.
    rl: { steps: 30, promptsPerStep: 16, numGenerations: 8, miniBatchSize: 64, epochs: 2, epsilon: 0.2, lr: 1e-4 },
    eval: { problems: 200, samples: 2, steps: [2, 4, 6, 8, 10, 15, 20] }, // dense early: the rise is brief
    // Fixed from the search, where every intrinsic reward peaked between steps 4 and 8; final = the last step.
    checkpoints: { early: 4, final: 30 },
    temperatures: [1, 0.8, 0.6, 0.4], // whether sharpening helps: accuracy rising as T falls is the room RLIF first uses
    seeds: [0, 1, 2, 3, 4], // the claim seeds; the design search used seeds 100+
  },
  // A bigger machine: every reward on all five mixes in both normalisations, ten seeds; a scale-up that was not searched.
  full: {
    terms: 4,
    model: { dModel: 64, nHeads: 4, nLayers: 3 },
    pretrain: { steps: 4000, batchSize: 128, lr: 2e-3, seed: 0, style: BASE_STYLE },
    instruct: { steps: 300, batchSize: 128, lr: 1e-3, style: INSTRUCT_STYLE },
    mixes: [0, 0.1, 0.2, 0.5, 1],
    arms: [...ALL_ARMS, ...ALL_ARMS.filter((a) => a.reward !== 'ground-truth').map((a) => ({ ...a, name: `${a.name}-sum`, normalisation: 'sum' as const, mixes: [0, 1] }))],
    rl: { steps: 60, promptsPerStep: 16, numGenerations: 8, miniBatchSize: 64, epochs: 2, epsilon: 0.2, lr: 1e-4 }, // twice default's steps: does trajectory likelihood bend later?
    eval: { problems: 400, samples: 4, steps: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50] },
    checkpoints: { early: 4, final: 60 },
    temperatures: [1, 0.8, 0.6, 0.4],
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  },
};
