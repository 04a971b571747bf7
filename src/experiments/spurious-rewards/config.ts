/**
 * Claim 3's config: types and presets. Three bases that differ only in their corpus mixture, GRPO arms that differ
 * only in the reward or in one ingredient of the clipping mechanism (Shao et al., "Spurious Rewards", arXiv
 * 2506.10947). The regime was searched on good-A seeds 100+ (notebooks/records/03-regime-search.json), never on the
 * claim seeds.
 */
import type { RLConfig } from '../../rl/trainer.js';
import type { StyleMixture } from '../../tasks/two-style.js';

export const BASE_NAMES = ['good-A', 'no-A', 'bad-A'] as const;
export type BaseName = (typeof BASE_NAMES)[number];

/** The three corpora (module comment of two-style.ts). Accuracy per style follows from the carry-drop rates. */
export const BASE_MIXTURES: Record<BaseName, StyleMixture> = {
  // A in ~65% of documents and much more accurate than B: the paper's Qwen2.5-Math with code in 65% of answers.
  'good-A': { pA: 0.65, dropA: 0.4, dropB: 0.95 },
  // A never: OLMo2 / Llama, no code reasoning to select.
  'no-A': { pA: 0, dropA: 0.4, dropB: 0.95 },
  // A in ~95% and less accurate than B: the paper's "bad code" models.
  'bad-A': { pA: 0.95, dropA: 0.8, dropB: 0.2 },
};

export type ArmReward = 'ground-truth' | 'random';

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

/** The rollout and update sizes of every arm (the trainer's own fields) and the optimizer. */
export interface SpuriousRLConfig extends Pick<RLConfig, 'steps' | 'promptsPerStep' | 'numGenerations' | 'miniBatchSize' | 'epochs' | 'epsilon'> {
  optimizer: 'adamw' | 'sgd';
  lr: number;
  /** Global gradient-norm clip per update; 0 disables. Default 1 (the RL trainer's default). */
  gradClip?: number;
}

export interface SpuriousRewardsConfig {
  digits: number;
  model: { dModel: number; nHeads: number; nLayers: number };
  pretrain: { steps: number; batchSize: number; lr: number; seed: number };
  bases: { name: BaseName; mixture: StyleMixture }[];
  rl: SpuriousRLConfig;
  arms: ArmSpec[];
  /** Held-out problems and samples per problem at T = 1; evaluate every `every` RL steps (and before, after). */
  eval: { problems: number; samples: number; every: number };
  seeds: number[];
  /** Worker threads (default: all cores). */
  workers?: number;
}

/** The standard arms of the claim: ground truth, random 0.5 and 0, and the two ablations (on good-A). */
export function standardArms(): ArmSpec[] {
  return [
    { name: 'ground-truth', reward: 'ground-truth' }, // the positive control: helps every base
    { name: 'random-0.5', reward: 'random', gamma: 0.5 }, // the claim: output-independent reward, with clipping
    { name: 'random-0', reward: 'random', gamma: 0, bases: ['good-A'] }, // every advantage 0: must not move
    { name: 'random-0.5-no-clip', reward: 'random', gamma: 0.5, clip: false, bases: ['good-A'] }, // the paper's ablation
    { name: 'random-0.5-one-update', reward: 'random', gamma: 0.5, oneUpdate: true, bases: ['good-A'] }, // ratio 1: no clip can act
  ];
}

const BASES = BASE_NAMES.map((name) => ({ name, mixture: BASE_MIXTURES[name] }));

const DEFAULT: SpuriousRewardsConfig = {
  digits: 2, // 2-digit addition: ~70% of problems carry, where the styles differ
  model: { dModel: 48, nHeads: 4, nLayers: 2 }, // small enough for 45 GRPO runs on two cores
  pretrain: { steps: 1500, batchSize: 64, lr: 3e-3, seed: 0 }, // the bases the regime search was run on
  bases: BASES,
  // The regime chosen by the search: 256 rollouts, 8 mini-batches x 4 epochs = 32 updates per rollout batch (so the
  // clip can act), Adam 1e-4 without weight decay (decay alone moves a zero-advantage run).
  rl: { steps: 12, promptsPerStep: 32, numGenerations: 8, miniBatchSize: 32, epochs: 4, epsilon: 0.2, optimizer: 'adamw', lr: 1e-4 },
  arms: standardArms(),
  eval: { problems: 200, samples: 4, every: 0 }, // 800 held-out samples at T = 1, before and after RL
  seeds: [0, 1, 2, 3, 4],
};

export const SPURIOUS_PRESETS: Record<'quick' | 'default' | 'full', SpuriousRewardsConfig> = {
  // CI: mechanics only (tiny bases, a few steps).
  quick: {
    ...DEFAULT,
    model: { dModel: 32, nHeads: 4, nLayers: 2 },
    pretrain: { steps: 200, batchSize: 64, lr: 3e-3, seed: 0 },
    rl: { ...DEFAULT.rl, steps: 4, promptsPerStep: 16 },
    eval: { problems: 50, samples: 4, every: 0 },
    seeds: [0, 1, 2], // a claim check needs >= 3 seeds
  },
  default: DEFAULT,
  // The paper's batching (64 x 16 = 1024 rollouts, mini-batch 128) on a bigger machine.
  full: {
    ...DEFAULT,
    model: { dModel: 64, nHeads: 4, nLayers: 3 },
    pretrain: { steps: 4000, batchSize: 128, lr: 2e-3, seed: 0 },
    rl: { ...DEFAULT.rl, steps: 60, promptsPerStep: 64, numGenerations: 16, miniBatchSize: 128 },
    eval: { problems: 400, samples: 8, every: 10 },
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  },
};
