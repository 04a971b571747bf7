// Re-exports only: running experiment configs in parallel worker threads.
export {
  runParallel,
  runParallelReport,
  type RunEvent,
  type RunParallelOptions,
  type SweepReport,
  type WorkerStats,
} from './run-parallel.js';
export type { RunContext, RunFunction } from './run-function.js';
export { ParallelRunError } from './run-error.js';
export { assertPlainData } from './plain-data.js';
export { referenceRun, type ReferenceRunConfig, type ReferenceRunResult } from './reference-run.js';
export { benchmarkSweep, type SweepBenchmarkOptions, type SweepBenchmarkResult } from './sweep-benchmark.js';
export { phaseRunner, type PhaseRunnerOptions } from './phases.js';
