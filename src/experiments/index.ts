// Re-exports only: the experiment contract, and one module (a folder for claims 3 and 4) per claim.
export * from './verification-gap/index.js';
export * from './spurious-rewards/index.js';
export * from './negative-reinforcement/index.js';
export * from './rlif-collapse/config.js';
export * from './rlif-collapse/run.js';
export * from './rlif-collapse/claims.js';
export * from './contract.js';
export * from './config-check.js';
export * from './seed-deltas.js';
