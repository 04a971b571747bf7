// Re-exports only: the public API of rlrepro.
export * from './backend/index.js';
export * from './random.js';
export * from './tasks/index.js';
