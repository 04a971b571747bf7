/**
 * The training config: plain data (so it can be hashed for the cache and stored in a checkpoint), one documented
 * default per field, validated with errors that name the field. Pretraining and SFT use the same config; they
 * differ only in which batch positions the loss mask selects.
 */
import { checkChoice, checkInt, checkKeys, checkRange } from './validate.js';

export interface TrainConfig {
  /** Optimizer updates to run (integer >= 0). Default 1000. */
  steps: number;
  /** 'adamw' (default) or 'sgd'. */
  optimizer: 'adamw' | 'sgd';
  /** Peak learning rate (> 0). Default 1e-3 (nanoGPT's shakespeare-char). */
  lr: number;
  /** Final learning rate of the cosine schedule, in [0, lr]. Default lr / 10 (nanoGPT, Chinchilla). */
  minLr: number;
  /** 'cosine' (default: warmup then cosine to minLr over `steps`) or 'constant' (warmup then lr). */
  schedule: 'cosine' | 'constant';
  /** Linear warmup steps, in [0, steps]. Default 0. */
  warmupSteps: number;
  /** AdamW β1. Default 0.9. */
  beta1: number;
  /** AdamW β2. Default 0.99 (nanoGPT's choice for small models and batches; torch's is 0.999). */
  beta2: number;
  /** AdamW ε. Default 1e-8. */
  eps: number;
  /** Weight decay: decoupled for AdamW, L2 for SGD. Default 0.1 (nanoGPT). */
  weightDecay: number;
  /** 'matrices' (default, nanoGPT: rank >= 2 only) or 'all' (torch's default). */
  decayOn: 'matrices' | 'all';
  /** SGD momentum in [0, 1). Default 0. */
  momentum: number;
  /** Clip the global gradient norm at this value; 0 disables (nanoGPT's convention). Default 1. */
  gradClip: number;
  /** Seed of the batch stream (`new Rng(seed).fork('batches')`). Default 0. */
  seed: number;
  /** Progress line every N steps (integer >= 1). Default: ~10 lines per run. */
  logEvery: number;
  /** Evaluate every N steps; 0: only after the last step. Default 0. */
  evalEvery: number;
  /** Checkpoint every N steps; 0: only after the last step. Default 0. */
  checkpointEvery: number;
}

export const TRAIN_CONFIG_KEYS = [
  'steps',
  'optimizer',
  'lr',
  'minLr',
  'schedule',
  'warmupSteps',
  'beta1',
  'beta2',
  'eps',
  'weightDecay',
  'decayOn',
  'momentum',
  'gradClip',
  'seed',
  'logEvery',
  'evalEvery',
  'checkpointEvery',
] as const satisfies readonly (keyof TrainConfig)[];

/** Fills defaults and validates. Unknown keys and out-of-range values are errors naming the field. */
export function trainConfig(partial: Partial<TrainConfig> = {}): TrainConfig {
  if (typeof partial !== 'object' || partial === null) throw new Error('trainConfig: expected an object');
  checkKeys('trainConfig', partial, TRAIN_CONFIG_KEYS);
  const p = partial;
  const steps = checkInt('trainConfig.steps', p.steps ?? 1000, 0);
  const lr = checkRange('trainConfig.lr', p.lr ?? 1e-3, Number.MIN_VALUE, Infinity);
  const cfg: TrainConfig = {
    steps,
    optimizer: checkChoice('trainConfig.optimizer', p.optimizer ?? 'adamw', ['adamw', 'sgd'] as const),
    lr,
    minLr: checkRange('trainConfig.minLr', p.minLr ?? lr / 10, 0, lr),
    schedule: checkChoice('trainConfig.schedule', p.schedule ?? 'cosine', ['cosine', 'constant'] as const),
    warmupSteps: checkInt('trainConfig.warmupSteps', p.warmupSteps ?? 0, 0),
    beta1: checkRange('trainConfig.beta1', p.beta1 ?? 0.9, 0, 1, true),
    beta2: checkRange('trainConfig.beta2', p.beta2 ?? 0.99, 0, 1, true),
    eps: checkRange('trainConfig.eps', p.eps ?? 1e-8, Number.MIN_VALUE, Infinity),
    weightDecay: checkRange('trainConfig.weightDecay', p.weightDecay ?? 0.1, 0, Infinity),
    decayOn: checkChoice('trainConfig.decayOn', p.decayOn ?? 'matrices', ['matrices', 'all'] as const),
    momentum: checkRange('trainConfig.momentum', p.momentum ?? 0, 0, 1, true),
    gradClip: checkRange('trainConfig.gradClip', p.gradClip ?? 1, 0, Infinity),
    seed: checkRange('trainConfig.seed', p.seed ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE),
    logEvery: checkInt('trainConfig.logEvery', p.logEvery ?? Math.max(1, Math.ceil(steps / 10)), 1),
    evalEvery: checkInt('trainConfig.evalEvery', p.evalEvery ?? 0, 0),
    checkpointEvery: checkInt('trainConfig.checkpointEvery', p.checkpointEvery ?? 0, 0),
  };
  if (cfg.warmupSteps > Math.max(steps, 0) && steps > 0)
    throw new Error(`trainConfig.warmupSteps must be <= steps (${steps}), got ${cfg.warmupSteps}`);
  return cfg;
}
