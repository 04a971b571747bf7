export * from './advantages.js';
export * from './rewards.js';
export * from './kl.js';
export * from './surrogate.js';
export * from './bandit.js';
export * from './rollout.js';
export * from './trainer.js';
export * from './clip-flags.js';
