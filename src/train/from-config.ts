/**
 * The optimizer and learning-rate schedule a `TrainConfig` names. Shared by the SFT loop and the RL trainer, so
 * both read the same fields the same way.
 */
import { AdamW, decayMatricesOnly } from './adamw.js';
import type { TrainConfig } from './config.js';
import type { Optimizer } from './optimizer.js';
import { constantSchedule, cosineSchedule, type Schedule } from './schedule.js';
import { SGD } from './sgd.js';

/** Warmup + cosine over `cfg.steps` (or warmup + constant); see schedule.ts. */
export function scheduleFromConfig(cfg: TrainConfig): Schedule {
  if (cfg.schedule === 'constant') return constantSchedule(cfg.lr, cfg.warmupSteps);
  return cosineSchedule({ lr: cfg.lr, minLr: cfg.minLr, warmupSteps: cfg.warmupSteps, totalSteps: Math.max(1, cfg.steps) });
}

/** A fresh AdamW (decaying matrices only, or all parameters, per `decayOn`) or SGD; the caller disposes it. */
export function optimizerFromConfig(cfg: TrainConfig): Optimizer {
  if (cfg.optimizer === 'sgd') return new SGD({ lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.weightDecay });
  return new AdamW({
    lr: cfg.lr,
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    weightDecay: cfg.weightDecay,
    ...(cfg.decayOn === 'matrices' ? { shouldDecay: decayMatricesOnly } : {}),
  });
}
