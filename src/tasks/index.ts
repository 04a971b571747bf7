// Re-exports only: tasks, tokenizer, batches, datasets.
export * from './tokenizer.js';
export * from './task.js';
export * from './addition.js';
export * from './batch.js';
export * from './dataset.js';
export * from './heldout-sets.js';
export * from './check.js';
export * from './sum3.js';
export * from './facts.js';
export * from './two-style.js';
export * from './topic-keys.js';
export * from './wait-scratchpad.js';
export * from './confidence.js';
export * from './calibration-mix.js';
export * from './key-chain.js';
