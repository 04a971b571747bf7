// Re-exports only: claim 1 (verification gap) as config, runs, the experiment and its claim checks.
export * from './config.js';
export { sizeLabel } from './tasks.js';
export type { SplitMetrics } from './evaluation.js';
export type { RoundRecord, SelfImproveRunConfig, SelfImproveRunResult, SizeRunConfig, SizeRunResult, VerificationGapSpec } from './run.js';
export { verificationGapRun } from './run.js';
export * from './experiment.js';
export * from './claims.js';
