// Re-exports only: claim 3, spurious rewards and the clipping bias (Shao et al., arXiv 2506.10947).
export * from './config.js';
export * from './run.js';
export * from './claims.js';
export * from './experiment.js';
