/**
 * Claim 1's whole experiment: the size sweep (every task x size x seed), then tau per task chosen on the tau split
 * (never the eval split), then the self-improvement rounds on the largest size (every task x seed x arm) with that
 * tau. The runs are in `run.ts`; this module orders them and passes tau between the two phases.
 */
import { mean } from '../../eval/stats.js';
import { runParallel } from '../../parallel/run-parallel.js';
import { checkVerificationGapConfig, type GapTaskName, type VerificationGapConfig } from './config.js';
import type { SelfImproveRunConfig, SelfImproveRunResult, SizeRunConfig, SizeRunResult } from './run.js';
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
  sizes: SizeRunResult[];
  taus: TauChoice[];
  selfImprove: SelfImproveRunResult[];
  seconds: number;
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

/**
 * Runs the size sweep (every task x size x seed), chooses tau per task on the tau split, then the self-improvement
 * rounds on the largest size (every task x seed x arm) with that tau. `onProgress` gets runParallel's events.
 */
export async function runVerificationGap(
  config: VerificationGapConfig,
  onProgress?: (e: { phase: 'sizes' | 'selfImprove'; done: number; total: number }) => void,
): Promise<VerificationGapResult> {
  const c = checkVerificationGapConfig(config);
  const t0 = performance.now();
  const module = new URL('./run.js', import.meta.url);
  const sizeConfigs: SizeRunConfig[] = [];
  // Largest sizes first, so the longest runs start early and the pool drains evenly.
  for (const size of [...c.sizes].reverse())
    for (const task of c.tasks)
      for (const seed of c.seeds)
        sizeConfigs.push({
          task, size, seed, pretrain: c.pretrain[task], factsKeys: c.factsKeys, evalPrompts: c.evalPrompts, tauPrompts: c.tauPrompts,
          samples: c.samples, temperature: c.temperature, tauGrid: c.tauGrid, ks: c.ks,
        });
  const sizes = await runParallel<SizeRunConfig, SizeRunResult>({
    module, exportName: 'verificationGapSizeRun', configs: sizeConfigs, workers: c.workers,
    onProgress: (e) => e.kind === 'done' && onProgress?.({ phase: 'sizes', done: e.completed, total: e.total }),
  });
  const order = new Map(c.sizes.map((s, i) => [sizeLabel(s), i]));
  sizes.sort((a, b) => order.get(a.size)! - order.get(b.size)! || a.task.localeCompare(b.task) || a.seed - b.seed);
  const taus = c.tasks.map((t) => chooseTau(sizes, t, c.tauGrid, c.minKept));

  let selfImprove: SelfImproveRunResult[] = [];
  if (c.selfImprove.rounds > 0 && c.selfImprove.arms.length > 0) {
    const largest = c.sizes[c.sizes.length - 1]!;
    const siConfigs: SelfImproveRunConfig[] = [];
    for (const task of c.tasks)
      for (const arm of c.selfImprove.arms)
        for (const seed of c.seeds) {
          const base = sizeConfigs.find((s) => s.task === task && s.seed === seed && sizeLabel(s.size) === sizeLabel(largest))!;
          siConfigs.push({ ...base, arm, tau: taus.find((t) => t.task === task)!.tau, selfImprove: c.selfImprove });
        }
    selfImprove = await runParallel<SelfImproveRunConfig, SelfImproveRunResult>({
      module, exportName: 'verificationGapSelfImproveRun', configs: siConfigs, workers: c.workers,
      onProgress: (e) => e.kind === 'done' && onProgress?.({ phase: 'selfImprove', done: e.completed, total: e.total }),
    });
  }
  return { config: c, sizes, taus, selfImprove, seconds: (performance.now() - t0) / 1000 };
}
