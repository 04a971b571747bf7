// Re-exports only: one module per claim, the experiment its notebook runs.
export * from './verification-gap.js';
export * from './verification-gap-claims.js';
export * from './spurious-rewards/index.js';
export * from './negative-reinforcement/index.js';
export * from './rlif-collapse.js';
export * from './rlif-collapse-claims.js';
export * from './contract.js';
export * from './config-check.js';
export * from './seed-deltas.js';
