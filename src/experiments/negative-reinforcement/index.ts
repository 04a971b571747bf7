// Re-exports only: claim 4, negative-only reinforcement (Zhu et al., arXiv 2506.01347).
export * from './config.js';
export * from './run.js';
export * from './claims.js';
export * from './experiment.js';
