// Re-exports only: the public API of rlrepro.
export * from './backend/index.js';
export * from './random.js';
export * from './tasks/index.js';
export * from './model/index.js';
export * from './train/index.js';
export * from './rl/index.js';
export * from './eval/index.js';
export * from './parallel/index.js';
export * from './notebook/index.js';
export * from './runner/index.js';
export * from './experiments/index.js';
