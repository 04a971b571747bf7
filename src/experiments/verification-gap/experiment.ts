/**
 * Claim 1's experiment on the contract (`defineExperiment`): phase `sizes` runs every task x size x seed; tau is then
 * chosen per task on the tau split (never the eval split), and phase `self-improve` runs every task x arm x seed on
 * the largest size with that tau. The runs themselves are in `run.ts`.
 *
 * ```ts
 * const result = await verificationGap.execute(verificationGap.preset('quick'));
 * for (const spec of verificationGap.claims(result)) checkClaim(spec);
 * ```
 */
import { mean } from '../../eval/stats.js';
import { defineExperiment, planRun, type CompletedRun, type PlannedRun } from '../contract.js';
import { validateVerificationGapConfig, VERIFICATION_GAP_PRESETS, type GapTaskName, type VerificationGapConfig } from './config.js';
import { verificationGapClaims } from './claims.js';
import { verificationGapRun, type SelfImproveRunResult, type SizeRunConfig, type SizeRunResult, type VerificationGapSpec } from './run.js';
import { sizeLabel } from './tasks.js';

export interface TauChoice {
  task: GapTaskName;
  tau: number;
  /** Mean gap and kept fraction on the tau split at the chosen tau (pooled over sizes and seeds). */
  tauSplitGap: number;
  tauSplitKept: number;
}

export interface VerificationGapResult {
  config: VerificationGapConfig;
  /** Ordered by size (the config's order), task, seed. */
  sizes: SizeRunResult[];
  taus: TauChoice[];
  /** Ordered by task, arm, seed. */
  selfImprove: SelfImproveRunResult[];
}

/**
 * One tau per task from the tau split, pooled over every size and seed: the grid value with the largest mean gap
 * among those keeping at least `minKept` of the samples on average; 0.5 if none does.
 */
export function chooseTau(runs: readonly SizeRunResult[], task: GapTaskName, tauGrid: readonly number[], minKept: number): TauChoice {
  const mine = runs.filter((r) => r.task === task);
  if (mine.length === 0) throw new Error(`chooseTau: no runs of task ${task}`);
  let best: TauChoice = { task, tau: 0.5, tauSplitGap: NaN, tauSplitKept: NaN };
  for (const [i, tau] of tauGrid.entries()) {
    const gap = mean(mine.map((r) => r.tauSplit.curve[i]!.gap));
    const kept = mean(mine.map((r) => r.tauSplit.curve[i]!.kept));
    if (tau === 0.5 && Number.isNaN(best.tauSplitGap)) best = { task, tau, tauSplitGap: gap, tauSplitKept: kept };
    if (kept >= minKept && (Number.isNaN(best.tauSplitGap) || gap > best.tauSplitGap)) best = { task, tau, tauSplitGap: gap, tauSplitKept: kept };
  }
  return best;
}

type Run = CompletedRun<VerificationGapSpec, SizeRunResult | SelfImproveRunResult>;

/** The outputs of phase `sizes` (its spec kind is 'size'), in planned order. */
function sizeOutputs(runs: readonly Run[]): SizeRunResult[] {
  return runs.filter((r) => r.spec.kind === 'size').map((r) => r.output as SizeRunResult);
}

function chooseTaus(c: VerificationGapConfig, sizes: readonly SizeRunResult[]): TauChoice[] {
  return c.tasks.map((t) => chooseTau(sizes, t, c.tauGrid, c.minKept));
}

function plan(c: VerificationGapConfig, done: readonly Run[]): PlannedRun<VerificationGapSpec>[] {
  const spec = (task: GapTaskName, size: VerificationGapConfig['sizes'][number], seed: number): SizeRunConfig => ({
    task, size, seed, pretrain: c.pretrain[task], factsKeys: c.factsKeys, evalPrompts: c.evalPrompts, tauPrompts: c.tauPrompts,
    samples: c.samples, temperature: c.temperature, tauGrid: c.tauGrid, ks: c.ks,
  });
  // Largest sizes first, so the longest runs start early and the workers drain evenly.
  const sizeRuns = [...c.sizes].reverse().flatMap((size) =>
    c.tasks.flatMap((task) => c.seeds.map((seed) => planRun<VerificationGapSpec>('sizes', [task, sizeLabel(size), `seed${seed}`], { kind: 'size', ...spec(task, size, seed) }))),
  );
  const sizes = sizeOutputs(done);
  if (c.selfImprove.rounds === 0 || c.selfImprove.arms.length === 0 || sizes.length < sizeRuns.length) return sizeRuns;
  const taus = chooseTaus(c, sizes);
  const largest = c.sizes[c.sizes.length - 1]!;
  const selfImprove = c.tasks.flatMap((task) =>
    c.selfImprove.arms.flatMap((arm) =>
      c.seeds.map((seed) =>
        planRun<VerificationGapSpec>('self-improve', [task, arm, `seed${seed}`], {
          kind: 'selfImprove', ...spec(task, largest, seed), arm, tau: taus.find((t) => t.task === task)!.tau, selfImprove: c.selfImprove,
        }),
      ),
    ),
  );
  return [...sizeRuns, ...selfImprove];
}

function combine(c: VerificationGapConfig, runs: Run[]): VerificationGapResult {
  const order = new Map(c.sizes.map((s, i) => [sizeLabel(s), i]));
  const sizes = sizeOutputs(runs).sort((a, b) => order.get(a.size)! - order.get(b.size)! || a.task.localeCompare(b.task) || a.seed - b.seed);
  const selfImprove = runs.filter((r) => r.spec.kind === 'selfImprove').map((r) => r.output as SelfImproveRunResult);
  return { config: c, sizes, taus: chooseTaus(c, sizes), selfImprove };
}

export const verificationGap = defineExperiment({
  name: 'verification-gap',
  module: new URL('./run.js', import.meta.url),
  presets: VERIFICATION_GAP_PRESETS,
  // The self-filters other than the presets' threshold (see src/eval/self-filter.ts).
  optionalKeys: { 'selfImprove.filter.keep': 'number', 'selfImprove.filter.fraction': 'number' },
  validate: validateVerificationGapConfig,
  runs: plan,
  run: verificationGapRun,
  combine,
  claims: verificationGapClaims,
});
