// Re-exports only: optimizers, schedules, clipping, the training step and loop, checkpoints, the training cache.
export * from './optimizer.js';
export * from './adamw.js';
export * from './sgd.js';
export * from './schedule.js';
export * from './clip.js';
export * from './step.js';
export * from './config.js';
export * from './from-config.js';
export * from './trainer.js';
export * from './lm-loss.js';
export * from './tensor-file.js';
export * from './checkpoint.js';
export * from './config-hash.js';
export * from './cache.js';
export * from './cached-lm.js';
