// Re-exports only: `rlrepro/bench`, the throughput measurements behind `npm run bench` (src/bench/index.ts is that
// script), for use from other code.
export { measureModelSpeed, measureSampling, measureTrain, modelFlopsPerToken, type ModelSpeed } from './measure.js';
export { formatProfile, profileDecodeStep, profileTrainStep, type OpRow, type Profile } from './profile.js';
export { benchmarkSweep, type SweepBenchmarkOptions, type SweepBenchmarkResult } from '../parallel/sweep-benchmark.js';
export { referenceRun, type ReferenceRunConfig, type ReferenceRunResult } from '../parallel/reference-run.js';
