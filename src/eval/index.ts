export * from './accuracy.js';
export * from './pass-at-k.js';
export * from './stats.js';
export * from './calibration.js';
export * from './diversity.js';
export * from './policy.js';
export * from './roc-auc.js';
export * from './gap-curve.js';
