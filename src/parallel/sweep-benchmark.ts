/**
 * Measures what the worker pool buys: the same sweep of `referenceRun` configs, serially in this thread and then in
 * parallel workers, with the results checked equal. Issue 9's target: on 2 cores, a 10-run sweep in parallel takes
 * at most 0.6x its serial time.
 *
 * Run: `node dist/src/bench/sweep.js [runs] [workers]` (after `npm run build`), or call
 * `benchmarkSweep` from the bench. Not a test: timings depend on what else the machine is doing.
 */
import { isDeepStrictEqual } from 'node:util';
import { availableParallelism } from 'node:os';
import { initBackend } from '../backend/index.js';
import type { ReferenceRunConfig } from './reference-run.js';
import type { TimedResult } from './timed-run.js';
import { runParallelReport } from './run-parallel.js';
import { timedReferenceRun } from './timed-run.js';

export interface SweepBenchmarkOptions {
  /** Runs in the sweep (integer >= 1). Default 10. */
  runs?: number;
  /** Workers for the parallel sweep (integer >= 2). Default `os.availableParallelism()` (at least 2). */
  workers?: number;
  /**
   * The run, minus its seed. Default: a 256-wide MLP, batch 128, with as many SGD steps (at least 120) as take about
   * 4 s on this backend, measured first: experiments' runs last seconds to minutes, so a sweep of runs not much
   * longer than a worker's start-up (~0.6 s to load tfjs) would measure start-up, not parallelism.
   */
  config?: Omit<ReferenceRunConfig, 'seed'>;
}

export interface SweepBenchmarkResult {
  runs: number;
  /** SGD steps of each run (calibrated unless a config was given). */
  stepsPerRun: number;
  workers: number;
  serialMs: number;
  parallelMs: number;
  /** parallelMs / serialMs (target <= 0.6 on 2 cores). */
  ratio: number;
  /** Mean time of one run inside a worker vs in this thread: > 1 means the workers slow each other down. */
  perRunSlowdown: number;
  /** Sum of the runs' thread CPU time, serial (ms). */
  serialCpuMs: number;
  /** Mean CPU time of one run in a worker vs in this thread: > 1 means the workers slow each other down (cache). */
  perRunCpuRatio: number;
  /**
   * What the parallel sweep would take on otherwise idle cores: the CPU time of the busiest worker thread, start-up
   * included (ms). Close to `parallelMs` on a quiet machine; the telling figure when other processes share the cores
   * (it omits V8's background compile and GC threads).
   */
  projectedParallelMs: number;
  /** projectedParallelMs / serialCpuMs. */
  projectedRatio: number;
  /** Time for each worker to load tfjs and the run function before its first run. */
  workerStartupMs: number[];
  /** Peak heap per worker (bytes) and peak RSS of the process (bytes). */
  peakHeapBytesPerWorker: number[];
  peakRssBytes: number;
}

const DEFAULT_CONFIG: Omit<ReferenceRunConfig, 'seed'> = { steps: 120, batch: 128, inputs: 256, hidden: 256, lr: 0.01 };
const TARGET_RUN_MS = 4000;

/** The default run with its steps scaled so that one run takes about TARGET_RUN_MS here (never fewer than 120). */
async function calibrated(): Promise<Omit<ReferenceRunConfig, 'seed'>> {
  await timedReferenceRun({ ...DEFAULT_CONFIG, seed: 998 }); // warm-up: compiles the kernels' JS paths
  const t0 = performance.now();
  await timedReferenceRun({ ...DEFAULT_CONFIG, seed: 999 });
  const ms = performance.now() - t0;
  return { ...DEFAULT_CONFIG, steps: Math.max(DEFAULT_CONFIG.steps, Math.round((DEFAULT_CONFIG.steps * TARGET_RUN_MS) / ms)) };
}

export async function benchmarkSweep(options: SweepBenchmarkOptions = {}): Promise<SweepBenchmarkResult> {
  const runs = options.runs ?? 10;
  if (!(Number.isInteger(runs) && runs >= 1)) throw new Error(`benchmarkSweep: runs must be an integer >= 1, got ${runs}`);
  const workers = options.workers ?? Math.max(2, availableParallelism());
  if (!(Number.isInteger(workers) && workers >= 2)) {
    throw new Error(`benchmarkSweep: workers must be an integer >= 2, got ${workers}`);
  }
  await initBackend({ quiet: true });
  const base = options.config ?? (await calibrated());
  const configs: ReferenceRunConfig[] = Array.from({ length: runs }, (_, i) => ({ ...base, seed: 1000 + i }));
  // Not this module: in-process mode imports the run function's module, and this one may be the entry script
  // still in its top-level await (a self-import would wait for itself).
  const module = new URL('./timed-run.js', import.meta.url);

  const exportName = 'timedReferenceRun';
  const serial = await runParallelReport<ReferenceRunConfig, TimedResult>({ module, exportName, configs, workers: 1 });
  const parallel = await runParallelReport<ReferenceRunConfig, TimedResult>({ module, exportName, configs, workers });
  if (!isDeepStrictEqual(serial.results.map((r) => r.result), parallel.results.map((r) => r.result))) {
    throw new Error('benchmarkSweep: parallel results differ from serial results (determinism is broken)');
  }
  const mean = (r: { ms: number }[]): number => r.reduce((a, x) => a + x.ms, 0) / r.length;
  const serialCpuMs = serial.results.reduce((a, r) => a + r.cpuMs, 0);
  // A worker thread's CPU clock at the end of its last run covers its start-up and all its runs.
  const busiest = Math.max(...parallel.results.map((r) => r.threadCpuMs));
  return {
    stepsPerRun: base.steps,
    serialCpuMs,
    perRunCpuRatio: parallel.results.reduce((a, r) => a + r.cpuMs, 0) / serialCpuMs,
    projectedParallelMs: busiest,
    projectedRatio: busiest / serialCpuMs,
    runs,
    workers,
    serialMs: serial.wallMs,
    parallelMs: parallel.wallMs,
    ratio: parallel.wallMs / serial.wallMs,
    perRunSlowdown: mean(parallel.runs) / mean(serial.runs),
    workerStartupMs: parallel.perWorker.map((w) => w.startupMs),
    peakHeapBytesPerWorker: parallel.perWorker.map((w) => w.peakHeapBytes),
    peakRssBytes: parallel.peakRssBytes,
  };
}
