// Re-exports only: one module per claim, the experiment its notebook runs.
export * from './verification-gap.js';
export * from './verification-gap-claims.js';
export * from './spurious-rewards.js';
export * from './negative-reinforcement.js';
export * from './rlif-collapse/config.js';
export * from './rlif-collapse/run.js';
export * from './rlif-collapse/claims.js';
export * from './contract.js';
export * from './config-check.js';
export * from './seed-deltas.js';
