/**
 * Learning-rate schedules as plain functions of the step (0-based), so the trainer, a resumed run and a plot all
 * agree on the rate at every step.
 */
import { checkInt, checkRange } from './validate.js';

export interface Schedule {
  /** Learning rate for the update at 0-based `step`. */
  lrAt(step: number): number;
}

export interface CosineScheduleOptions {
  /** Peak learning rate, reached at the end of warmup (> 0). */
  lr: number;
  /** Floor reached at `totalSteps` (0 <= minLr <= lr). nanoGPT uses lr / 10. */
  minLr: number;
  /** Linear warmup steps (integer, 0 <= warmupSteps <= totalSteps). */
  warmupSteps: number;
  /** Steps over which the cosine decays (integer >= 1). After it the rate stays at `minLr`. */
  totalSteps: number;
}

/**
 * Linear warmup, then cosine decay to `minLr` (nanoGPT's `get_lr`): step s < W gives lr·(s+1)/(W+1); then
 * minLr + ½(1 + cos(π·(s−W)/(N−W)))·(lr − minLr); s >= N gives minLr.
 */
export function cosineSchedule(opts: CosineScheduleOptions): Schedule {
  const lr = checkRange('cosineSchedule lr', opts.lr, Number.MIN_VALUE, Infinity);
  const minLr = checkRange('cosineSchedule minLr', opts.minLr, 0, lr);
  const total = checkInt('cosineSchedule totalSteps', opts.totalSteps, 1);
  const warmup = checkInt('cosineSchedule warmupSteps', opts.warmupSteps, 0);
  if (warmup > total) throw new Error(`cosineSchedule warmupSteps must be <= totalSteps (${total}), got ${warmup}`);
  return {
    lrAt(step: number): number {
      checkInt('lrAt step', step, 0);
      if (step < warmup) return (lr * (step + 1)) / (warmup + 1);
      if (step >= total) return minLr;
      const ratio = (step - warmup) / (total - warmup);
      return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (lr - minLr);
    },
  };
}

/** A constant rate, optionally after the same linear warmup as `cosineSchedule`. */
export function constantSchedule(lr: number, warmupSteps = 0): Schedule {
  checkRange('constantSchedule lr', lr, 0, Infinity);
  checkInt('constantSchedule warmupSteps', warmupSteps, 0);
  return {
    lrAt(step: number): number {
      checkInt('lrAt step', step, 0);
      return step < warmupSteps ? (lr * (step + 1)) / (warmupSteps + 1) : lr;
    },
  };
}

/**
 * The pretraining schedule the experiments share (nanoGPT's shape): cosine decay from `lr` to lr / 10 over
 * `steps`, after a linear warmup of a tenth of the steps, at most `maxWarmup` (0: none). A `TrainConfig` part.
 */
export function pretrainSchedule(
  p: { steps: number; lr: number; seed: number },
  maxWarmup = 50,
): { steps: number; lr: number; minLr: number; warmupSteps: number; seed: number } {
  return { steps: p.steps, lr: p.lr, minLr: p.lr / 10, warmupSteps: Math.min(maxWarmup, Math.floor(p.steps / 10)), seed: p.seed };
}
