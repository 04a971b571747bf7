/**
 * Claim 1's configuration: what varies between runs of the verification-gap experiment, and the presets a notebook
 * picks from. Each preset value says why it is what it is; the notebook's record says what the presets measured.
 */
import type { SelfFilter } from '../../eval/self-filter.js';

/** sum3: checking a triple is cheaper than finding one (the verifiable task); facts: checking needs the very fact. */
export type GapTaskName = 'sum3' | 'facts';

/** A GPT of width `dModel` and depth `nLayers`; heads are ~16 wide (max(1, floor(dModel / 16))). */
export interface ModelSize {
  dModel: number;
  nLayers: number;
}

export interface PretrainSpec {
  steps: number;
  batchSize: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  /** Fraction of each batch that is CHECK examples (the rest generation). */
  checkFraction: number;
}

export interface SelfImproveSpec {
  /** Rounds of sample -> filter -> fine-tune (0 disables self-improvement). */
  rounds: number;
  /** Training prompts sampled per round. */
  promptsPerRound: number;
  samplesPerPrompt: number;
  /** Passes over the kept samples per round. */
  epochs: number;
  batchSize: number;
  /** Constant fine-tuning lr, below pretraining's minLr so fine-tuning does not erase the shared verifier. */
  lr: number;
  /** Fraction of each fine-tuning batch that is CHECK replay. */
  replayFraction: number;
  /** Arms to run: 'filtered' (self-verified) and/or 'unfiltered' (same count, random). */
  arms: SelfImproveArm[];
  /** How the filtered arm keeps samples by their own P(Y); see `selfFilter`. */
  filter: SelfFilter;
}

export type SelfImproveArm = 'filtered' | 'unfiltered';

export interface VerificationGapConfig {
  tasks: GapTaskName[];
  sizes: ModelSize[];
  seeds: number[];
  /** Pretraining per task: every size of a task gets the same data and steps; tasks may differ. */
  pretrain: Record<GapTaskName, PretrainSpec>;
  /** Rows of the facts table. */
  factsKeys: number;
  /** Held-out prompts to report on, and the disjoint split tau is chosen on. */
  evalPrompts: number;
  tauPrompts: number;
  /** Samples per prompt and their temperature. */
  samples: number;
  temperature: number;
  tauGrid: number[];
  /** The chosen tau must keep at least this fraction of samples (mean over the task's runs, tau split). */
  minKept: number;
  /** pass@k reported in the self-improvement rounds (each <= samples). */
  ks: number[];
  selfImprove: SelfImproveSpec;
  /** Worker threads; default: all cores. */
  workers?: number;
}

const BASE: Omit<VerificationGapConfig, 'sizes' | 'seeds' | 'pretrain' | 'selfImprove' | 'evalPrompts' | 'tauPrompts' | 'samples'> = {
  // The verifiable task and its factual control, side by side as in the paper (Sudoku against Natural Questions).
  tasks: ['sum3', 'facts'],
  // Few enough keys that each fact is seen often enough in pretraining to be recalled (2000 keys stay near 0).
  factsKeys: 500,
  // Song et al. (arXiv 2412.02674) sample their base models at T = 0.7.
  temperature: 0.7,
  // Rejection-sampling thresholds on P(Y); 0.5 (Y likelier than N) is the fallback and must be in the grid.
  tauGrid: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98],
  // A tau that keeps under a tenth of the samples measures a handful of samples per prompt.
  minKept: 0.1,
  // Small and large k: the paper reports pass@k rising at small k and falling at large k across rounds (Sec. 6).
  ks: [1, 4, 32],
};

/** The sizes and pretraining the notebook's record reports (4 sizes, 5 seeds). */
const REPORTED: VerificationGapConfig = {
  ...BASE,
  // Four sizes from below to above the size where sum3's verifier starts to rank its own samples.
  sizes: [
    { dModel: 16, nLayers: 1 },
    { dModel: 32, nLayers: 1 },
    { dModel: 32, nLayers: 2 },
    { dModel: 64, nLayers: 2 },
  ],
  // Five seeds: enough for a t-interval that can exclude 0 on a gap of a few points.
  seeds: [0, 1, 2, 3, 4],
  pretrain: {
    // sum3's verifier needs many CHECK examples: with 1500 x 64 at a 0.5 share it stays at chance on noise candidates.
    sum3: { steps: 3000, batchSize: 64, lr: 3e-3, minLr: 3e-4, warmupSteps: 100, checkFraction: 0.75 },
    // Enough steps for the larger sizes to recall most of the 500 facts; half CHECK, as the toy design mixes them.
    facts: { steps: 1500, batchSize: 64, lr: 3e-3, minLr: 3e-4, warmupSteps: 50, checkFraction: 0.5 },
  },
  // 100 prompts per split: the gap is a mean over prompts, and tau is chosen on its own 100.
  evalPrompts: 100,
  tauPrompts: 100,
  // At least 64 samples per prompt, as the toy design asks (the paper draws 128).
  samples: 64,
  selfImprove: {
    // The paper's self-improvement saturates after 2-3 rounds (Sec. 6).
    rounds: 3,
    // Fresh training prompts per round (never eval or tau prompts), 8 samples each: a pool to filter.
    promptsPerRound: 300,
    samplesPerPrompt: 8,
    // Two passes over the kept samples, at a batch of 64 (the pretraining batch).
    epochs: 2,
    batchSize: 64,
    // Below pretraining's final lr (3e-4), so fine-tuning moves the generator without erasing the shared verifier.
    lr: 1e-4,
    // Half of each batch is CHECK replay, so the shared verifier stays in use while the generator is fine-tuned.
    replayFraction: 0.5,
    // The unfiltered arm keeps as many samples at random: the filter's own effect is the difference.
    arms: ['filtered', 'unfiltered'],
    // The paper's rejection sampling (P(Y) >= the tau chosen on the tau split); stronger filters did worse.
    filter: { kind: 'threshold' },
  },
};

/**
 * Presets: quick (CI: checks the machinery, no verifier learns), default (the notebook's, sized for about 10 minutes
 * on 2 free cores with a cold training cache), reported (the configuration the notebook's record reports), full (a
 * bigger machine).
 */
export const VERIFICATION_GAP_PRESETS: Record<'quick' | 'default' | 'reported' | 'full', VerificationGapConfig> = {
  quick: {
    ...BASE,
    // Three sizes: the fewest the FLOPs-slope check needs.
    sizes: [
      { dModel: 16, nLayers: 1 },
      { dModel: 32, nLayers: 1 },
      { dModel: 32, nLayers: 2 },
    ],
    // Three seeds: the fewest a claim check accepts.
    seeds: [0, 1, 2],
    // Long enough to run every stage, far too short for a verifier to learn: every gap is about 0.
    pretrain: {
      sum3: { steps: 150, batchSize: 64, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, checkFraction: 0.75 },
      facts: { steps: 150, batchSize: 64, lr: 3e-3, minLr: 3e-4, warmupSteps: 20, checkFraction: 0.5 },
    },
    evalPrompts: 20,
    tauPrompts: 20,
    samples: 64,
    // Two rounds (the saturation check needs two), a small pool, the filtered arm only.
    selfImprove: { rounds: 2, promptsPerRound: 48, samplesPerPrompt: 8, epochs: 1, batchSize: 64, lr: 1e-4, replayFraction: 0.5, arms: ['filtered'], filter: { kind: 'threshold' } },
  },
  default: {
    ...BASE,
    // reported's sizes without d64x2, the costliest, so claims on "the largest size" are tested on d32x2.
    sizes: REPORTED.sizes.slice(0, 3),
    seeds: [0, 1, 2, 3, 4],
    // sum3 keeps reported's pretraining (its verifier does not learn with less); facts is shortened to fit the budget.
    pretrain: { sum3: REPORTED.pretrain.sum3, facts: { ...REPORTED.pretrain.facts, steps: 1000 } },
    // Fewer prompts to fit the budget: wider intervals than reported's.
    evalPrompts: 60,
    tauPrompts: 40,
    samples: 64,
    // Half of reported's pool per round, to fit the budget.
    selfImprove: { ...REPORTED.selfImprove, promptsPerRound: 150 },
  },
  reported: REPORTED,
  full: {
    ...REPORTED,
    // Two more sizes around and above reported's largest, to see the trend in FLOPs past the threshold.
    sizes: [...REPORTED.sizes.slice(0, 3), { dModel: 48, nLayers: 2 }, { dModel: 64, nLayers: 2 }, { dModel: 96, nLayers: 3 }],
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    evalPrompts: 200,
    tauPrompts: 200,
    // The paper's 128 samples per prompt, and pass@k up to 64 of them.
    samples: 128,
    ks: [1, 4, 64],
    // One round past the paper's saturation point, on a larger pool.
    selfImprove: { ...REPORTED.selfImprove, rounds: 4, promptsPerRound: 2000 },
  },
};

/**
 * The checks beyond the key schema (which `defineExperiment` derives from the presets) and the seeds: values and
 * relations between fields. Throws naming the field and the accepted values.
 */
export function validateVerificationGapConfig(c: VerificationGapConfig): void {
  const bad = (field: string, want: string, got: unknown) => {
    throw new Error(`config.${field} must be ${want}, got ${JSON.stringify(got)}`);
  };
  const posInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x > 0;
  if (c.tasks.length === 0 || c.tasks.some((t) => t !== 'sum3' && t !== 'facts')) bad('tasks', "a non-empty list of 'sum3' | 'facts'", c.tasks);
  if (c.sizes.length === 0 || c.sizes.some((s) => !posInt(s.dModel) || !posInt(s.nLayers)))
    bad('sizes', 'a non-empty list of {dModel, nLayers} positive integers', c.sizes);
  if (!posInt(c.factsKeys)) bad('factsKeys', 'a positive integer', c.factsKeys);
  if (!(c.temperature > 0)) bad('temperature', '> 0', c.temperature);
  if (!posInt(c.samples)) bad('samples', 'a positive integer', c.samples);
  if (!posInt(c.evalPrompts)) bad('evalPrompts', 'a positive integer', c.evalPrompts);
  if (!posInt(c.tauPrompts)) bad('tauPrompts', 'a positive integer', c.tauPrompts);
  if (!c.tauGrid.includes(0.5) || c.tauGrid.some((t) => !(t > 0 && t < 1))) bad('tauGrid', 'values in (0, 1) including 0.5', c.tauGrid);
  if (!(c.minKept >= 0 && c.minKept <= 1)) bad('minKept', 'in [0, 1]', c.minKept);
  if (c.ks.some((k) => !posInt(k) || k > c.samples)) bad('ks', `positive integers <= samples (${c.samples})`, c.ks);
  for (const t of c.tasks) {
    const p = c.pretrain[t];
    if (!(p.checkFraction >= 0 && p.checkFraction <= 1)) bad(`pretrain.${t}.checkFraction`, 'in [0, 1]', p.checkFraction);
    if (!posInt(p.steps)) bad(`pretrain.${t}.steps`, 'a positive integer', p.steps);
    if (!posInt(p.batchSize)) bad(`pretrain.${t}.batchSize`, 'a positive integer', p.batchSize);
  }
  const si = c.selfImprove;
  if (!(Number.isInteger(si.rounds) && si.rounds >= 0)) bad('selfImprove.rounds', 'an integer >= 0', si.rounds);
  for (const k of ['promptsPerRound', 'samplesPerPrompt', 'epochs', 'batchSize'] as const) if (!posInt(si[k])) bad(`selfImprove.${k}`, 'a positive integer', si[k]);
  if (!(si.replayFraction >= 0 && si.replayFraction < 1)) bad('selfImprove.replayFraction', 'in [0, 1)', si.replayFraction);
  if (!(si.lr > 0)) bad('selfImprove.lr', '> 0', si.lr);
  if (si.arms.some((a) => a !== 'filtered' && a !== 'unfiltered')) bad('selfImprove.arms', "'filtered' | 'unfiltered'", si.arms);
  const f = si.filter;
  if (f.kind === 'topPerPrompt') {
    if (!(Number.isInteger(f.keep) && f.keep >= 1 && f.keep <= si.samplesPerPrompt))
      bad('selfImprove.filter.keep', `an integer in [1, samplesPerPrompt = ${si.samplesPerPrompt}]`, f.keep);
  } else if (f.kind === 'poolFraction') {
    if (!(f.fraction > 0 && f.fraction <= 1)) bad('selfImprove.filter.fraction', 'in (0, 1]', f.fraction);
  } else if (f.kind !== 'threshold') bad('selfImprove.filter.kind', "'threshold' | 'topPerPrompt' | 'poolFraction'", (f as { kind: unknown }).kind);
}
