// Display helpers for notebook cells: plots, tables, progress, claim checks.
export * from './mime.js';
export * from './display.js';
export * from './html-escape.js';
export * from './plot.js';
export * from './band.js';
export * from './parameters.js';
export * from './table.js';
export * from './progress.js';
export * from './claims.js';
