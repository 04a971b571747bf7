/**
 * Runs independent experiment runs (seeds x arms) on every core: a pool of `worker_threads`, each with its own tfjs
 * engine (an engine runs its kernels on one thread here: tfjs-backend-wasm turns its threads off in Node).
 *
 * The run function is named by module and export rather than passed as a closure, because a worker imports it
 * afresh: an experiment module passes its own `import.meta.url`, which resolves from `dist/src/...` whether the
 * caller is a test, a script or a notebook kernel. Configs go in and results come out by structured clone, so both
 * are plain data; a result is a pure function of its config (seeds included), hence parallel == serial exactly.
 *
 * ```ts
 * // src/experiments/foo.ts
 * export async function fooRun(config: FooConfig, ctx: RunContext): Promise<FooResult> { ... ctx.progress({ step }) ... }
 * export const fooSweep = (configs: FooConfig[]) =>
 *   runParallel<FooConfig, FooResult>({ module: import.meta.url, exportName: 'fooRun', configs });
 * ```
 * Limits: a function defined in a notebook cell has no module a worker can import (move it into `src/`); the module
 * must not be an entry script still in its top-level await (in-process mode imports it, and would wait for itself).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { backendInfo, initBackend } from '../backend/index.js';
import { sampleMemory } from './memory.js';
import { assertPlainData } from './plain-data.js';
import type { FromWorker, MemorySample, ToWorker, WorkerInit } from './protocol.js';
import { deserializeError, ParallelRunError, runFailed, serializeError } from './run-error.js';
import { loadRunFunction, resolveModuleUrl, validateExportName, type RunContext } from './run-function.js';
import { activeRunStore } from './run-store.js';

/** What `onProgress` receives. `worker` is 0..workers-1 (0 in-process). */
export type RunEvent =
  | { kind: 'start'; index: number; worker: number }
  | { kind: 'progress'; index: number; worker: number; data: unknown }
  | { kind: 'done'; index: number; worker: number; ms: number; completed: number; total: number };

export interface RunParallelOptions<C> {
  /** The module exporting the run function: an absolute path or `file:` URL of a compiled ES module. */
  module: string | URL;
  /** Name of the export: `(config: C, context: RunContext) => Promise<R>`. */
  exportName: string;
  /** One run per config; plain data (structured-clonable, no class instances). */
  configs: readonly C[];
  /**
   * Worker threads (integer >= 1). Default `os.availableParallelism()`, capped at `configs.length`. When the
   * effective count is 1 the runs execute serially in this thread, without a worker (for debugging and notebooks).
   */
  workers?: number;
  /** Progress events, in this thread; `data` is whatever the run passed to `context.progress`. */
  onProgress?: (event: RunEvent) => void;
  /** Backend for the workers' engines. Default: the one this process chose with `initBackend`, else the env's. */
  backend?: string;
  /** Aborting terminates the workers (in-process: stops before the next run) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Per-worker memory peaks over the sweep, sampled at each `context.progress` call and at the end of each run (so a
 * run that never reports progress shows only its end state: tensors it disposed are not seen).
 */
export interface WorkerStats {
  worker: number;
  runs: number;
  /** From spawning the worker to its engine and run function being ready (0 in-process). */
  startupMs: number;
  /** V8 heap in use plus V8-external memory of that thread. */
  peakHeapBytes: number;
  /** `tf.memory().numBytes` of that thread's engine. */
  peakTensorBytes: number;
}

export interface SweepReport<R> {
  /** Results in the order of `configs`. */
  results: R[];
  /** Workers used (1 with `inProcess`). */
  workers: number;
  inProcess: boolean;
  wallMs: number;
  /** Per run: which worker ran it and how long it took (ms, inside the worker). */
  runs: { index: number; worker: number; ms: number }[];
  perWorker: WorkerStats[];
  /** Peak resident set of the whole process so far (all threads share it), from `process.resourceUsage()`. */
  peakRssBytes: number;
}

/** Runs `configs` in parallel workers; resolves to the results in input order. See `runParallelReport`. */
export async function runParallel<C, R>(options: RunParallelOptions<C>): Promise<R[]> {
  return (await runParallelReport<C, R>(options)).results;
}

function resolveWorkers(workers: number | undefined, runs: number): number {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
    throw new Error(`runParallel: workers must be an integer >= 1, got ${workers}`);
  }
  return Math.max(1, Math.min(workers ?? availableParallelism(), runs));
}

function parentBackend(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return explicit;
  try {
    return backendInfo().name;
  } catch {
    return undefined; // initBackend not called here yet: workers choose from the env as this process would
  }
}

/** `runParallel` plus timings and memory peaks (for benchmarks and the notebooks' run summaries). */
export async function runParallelReport<C, R>(options: RunParallelOptions<C>): Promise<SweepReport<R>> {
  const { configs, onProgress, signal } = options;
  if (!Array.isArray(configs)) throw new Error('runParallel: configs must be an array of plain-data configs');
  const moduleUrl = resolveModuleUrl(options.module);
  const exportName = validateExportName(options.exportName);
  const workers = resolveWorkers(options.workers, configs.length);
  configs.forEach((c, i) => assertPlainData(c, `configs[${i}]`));
  signal?.throwIfAborted();
  const store = activeRunStore();
  if (store !== null && configs.length > 0) return runThroughStore<C, R>(options, store);
  const backend = parentBackend(options.backend);
  const t0 = performance.now();
  const base = { configs, moduleUrl, exportName, backend, onProgress, signal, onResult: undefined };
  let partial: PartialReport<R>;
  if (configs.length === 0) partial = emptyRun<R>();
  else if (workers === 1) partial = await runInProcess<C, R>(base);
  else partial = await runInWorkers<C, R>(base, workers);
  return {
    ...partial,
    workers,
    inProcess: workers === 1,
    wallMs: performance.now() - t0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * `runParallel` with a run store (see run-store.ts): stored runs are loaded, this shard's missing runs are executed
 * (each saved as soon as it finishes), and the call stops with `ShardPhaseDone` if other shards owe runs of it.
 * Progress events keep the indices of the full call; a loaded run reports one `done` event. The run functions'
 * `context.index` counts the runs executed here (results never depend on it: a result is a function of its config).
 */
async function runThroughStore<C, R>(options: RunParallelOptions<C>, store: import('./run-store.js').RunStore): Promise<SweepReport<R>> {
  const moduleUrl = resolveModuleUrl(options.module);
  const exportName = validateExportName(options.exportName);
  const backend = options.backend ?? parentBackend(undefined) ?? (await initBackend({ quiet: true })).name;
  const plan = store.plan(moduleUrl, exportName, backend, options.configs);
  const todo = plan.todo.map((i) => options.configs[i]!);
  const t0 = performance.now();
  // Loaded runs count as done, so a caller's progress bar over the whole call still fills.
  const total = options.configs.length;
  let loaded = 0;
  plan.results.forEach((r, index) => r !== null && emit(options.onProgress, { kind: 'done', index, worker: 0, ms: 0, completed: ++loaded, total }));
  const inner =
    todo.length === 0
      ? { results: [], runs: [], perWorker: [], workers: 0, inProcess: true, wallMs: 0, peakRssBytes: process.resourceUsage().maxRSS * 1024 }
      : await runParallelReportOn<C, R>({ ...options, backend, configs: todo }, (j, value) => {
          const i = plan.todo[j]!;
          store.save(plan.keys[i]!, moduleUrl, exportName, backend, options.configs[i], value);
        }, plan.todo, loaded, total);
  if (plan.pending) {
    store.markPending(plan.pending);
    throw plan.pending;
  }
  const results = plan.results.slice() as R[];
  plan.todo.forEach((i, j) => (results[i] = inner.results[j]!));
  return { ...inner, results, runs: inner.runs.map((r) => ({ ...r, index: plan.todo[r.index]! })), wallMs: performance.now() - t0 };
}

/** The plain path over a subset of a call's configs: `indexMap[j]` is subset run j's index in the full call. */
async function runParallelReportOn<C, R>(
  options: RunParallelOptions<C>,
  onResult: (j: number, value: unknown) => void,
  indexMap: readonly number[],
  offset: number,
  total: number,
): Promise<SweepReport<R>> {
  const { configs, signal } = options;
  const moduleUrl = resolveModuleUrl(options.module);
  const exportName = validateExportName(options.exportName);
  const workers = resolveWorkers(options.workers, configs.length);
  const onProgress = options.onProgress
    ? (e: RunEvent) => options.onProgress!(e.kind === 'done' ? { ...e, index: indexMap[e.index]!, completed: e.completed + offset, total } : { ...e, index: indexMap[e.index]! })
    : undefined;
  const t0 = performance.now();
  const base = { configs, moduleUrl, exportName, backend: options.backend, onProgress, signal, onResult };
  const partial = workers === 1 ? await runInProcess<C, R>(base) : await runInWorkers<C, R>(base, workers);
  return { ...partial, workers, inProcess: workers === 1, wallMs: performance.now() - t0, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

interface RunBase<C> {
  configs: readonly C[];
  moduleUrl: string;
  exportName: string;
  backend: string | undefined;
  onProgress: ((event: RunEvent) => void) | undefined;
  signal: AbortSignal | undefined;
  /** Called with each finished result (the run store saves it at once, so a crash loses no finished run). */
  onResult: ((index: number, value: unknown) => void) | undefined;
}

type PartialReport<R> = Pick<SweepReport<R>, 'results' | 'runs' | 'perWorker'>;

function emptyRun<R>(): PartialReport<R> {
  return { results: [], runs: [], perWorker: [] };
}

function newStats(worker: number): WorkerStats {
  return { worker, runs: 0, startupMs: 0, peakHeapBytes: 0, peakTensorBytes: 0 };
}

function record(stats: WorkerStats, m: MemorySample): void {
  stats.peakHeapBytes = Math.max(stats.peakHeapBytes, m.heapBytes);
  stats.peakTensorBytes = Math.max(stats.peakTensorBytes, m.tensorBytes);
}

function emit(onProgress: RunBase<unknown>['onProgress'], event: RunEvent): void {
  if (onProgress === undefined) return;
  try {
    onProgress(event);
  } catch (e) {
    throw new Error(`runParallel: onProgress threw on a ${event.kind} event of config #${event.index}`, { cause: e });
  }
}

/** Serial, in this thread, with the same cloning and checks as the worker path so that results match exactly. */
async function runInProcess<C, R>(b: RunBase<C>): Promise<PartialReport<R>> {
  await initBackend({ ...(b.backend !== undefined ? { backend: b.backend } : {}), quiet: true });
  let fn;
  try {
    fn = await loadRunFunction<C, R>(b.moduleUrl, b.exportName);
  } catch (e) {
    throw new ParallelRunError(`runParallel: could not load the run function: ${(e as Error).message}`, undefined, e as Error);
  }
  const stats = newStats(0);
  const results: R[] = [];
  const runs: PartialReport<R>['runs'] = [];
  for (let index = 0; index < b.configs.length; index++) {
    b.signal?.throwIfAborted();
    emit(b.onProgress, { kind: 'start', index, worker: 0 });
    const context: RunContext = {
      index,
      progress: (data) => {
        assertPlainData(data, `progress of config #${index}`);
        record(stats, sampleMemory());
        emit(b.onProgress, { kind: 'progress', index, worker: 0, data: structuredClone(data) });
      },
    };
    const t = performance.now();
    let value: R;
    try {
      value = await fn(structuredClone(b.configs[index]) as C, context);
      assertPlainData(value, `result of config #${index}`);
      value = structuredClone(value);
    } catch (e) {
      throw runFailed(index, e instanceof Error ? e : deserializeError(serializeError(e)));
    }
    const ms = performance.now() - t;
    record(stats, sampleMemory());
    stats.runs++;
    b.onResult?.(index, value);
    results.push(value);
    runs.push({ index, worker: 0, ms });
    emit(b.onProgress, { kind: 'done', index, worker: 0, ms, completed: index + 1, total: b.configs.length });
  }
  return { results, runs, perWorker: [stats] };
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Workers inherit the parent's Node flags (Node then skips the per-process ones such as --max-old-space-size), except
 * that a parent started as `node --input-type=module -e <script>` passes flags that break a file entry point: then
 * those are dropped, and if Node rejects what is left as worker flags, the worker gets none.
 */
function spawnWorker(workerData: WorkerInit): Worker {
  const argv = process.execArgv;
  const stringEntry = (a: string): boolean => a.startsWith('--input-type') || ['-e', '--eval', '-p', '--print'].includes(a);
  if (!argv.some(stringEntry)) return new Worker(WORKER_URL, { workerData });
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--input-type')) continue;
    if (stringEntry(a)) {
      i++; // and its script
      continue;
    }
    kept.push(a);
  }
  try {
    return new Worker(WORKER_URL, { workerData, execArgv: kept });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(WORKER_URL, { workerData, execArgv: [] });
  }
}

async function runInWorkers<C, R>(b: RunBase<C>, count: number): Promise<PartialReport<R>> {
  const total = b.configs.length;
  const results = new Array<R>(total);
  const runs: PartialReport<R>['runs'] = [];
  const stats = Array.from({ length: count }, (_, w) => newStats(w));
  const init: WorkerInit = { moduleUrl: b.moduleUrl, exportName: b.exportName, backend: b.backend };
  const pool: Worker[] = [];
  const running = new Map<number, number>(); // worker -> config index in flight
  let next = 0;
  let completed = 0;
  let settled = false;

  return new Promise<PartialReport<R>>((resolve, reject) => {
    // Every exit path terminates all workers before settling, so no thread outlives the call.
    const finish = (error: unknown, value?: PartialReport<R>): void => {
      if (settled) return;
      settled = true;
      b.signal?.removeEventListener('abort', onAbort);
      void Promise.allSettled(pool.map((w) => w.terminate())).then(() =>
        error === undefined ? resolve(value!) : reject(error),
      );
    };
    const onAbort = (): void => finish(b.signal!.reason);
    b.signal?.addEventListener('abort', onAbort, { once: true });

    const dispatch = (w: number): void => {
      if (settled || next >= total) return;
      const index = next++;
      running.set(w, index);
      try {
        emit(b.onProgress, { kind: 'start', index, worker: w });
        pool[w]!.postMessage({ type: 'run', index, config: b.configs[index] } satisfies ToWorker);
      } catch (e) {
        finish(e);
      }
    };

    const onMessage = (w: number, msg: FromWorker): void => {
      if (settled) return;
      try {
        switch (msg.type) {
          case 'ready':
            stats[w]!.startupMs = performance.now() - spawnedAt;
            dispatch(w);
            return;
          case 'init-error': {
            const cause = deserializeError(msg.error);
            finish(new ParallelRunError(`runParallel: worker ${w} could not start: ${cause.message}`, undefined, cause));
            return;
          }
          case 'progress':
            record(stats[w]!, msg.memory);
            emit(b.onProgress, { kind: 'progress', index: msg.index, worker: w, data: msg.data });
            return;
          case 'result':
            record(stats[w]!, msg.memory);
            stats[w]!.runs++;
            running.delete(w);
            results[msg.index] = msg.value as R;
            b.onResult?.(msg.index, msg.value);
            runs.push({ index: msg.index, worker: w, ms: msg.ms });
            completed++;
            emit(b.onProgress, { kind: 'done', index: msg.index, worker: w, ms: msg.ms, completed, total });
            if (completed === total) finish(undefined, { results, runs: runs.sort((x, y) => x.index - y.index), perWorker: stats });
            else dispatch(w);
            return;
          case 'run-error':
            finish(runFailed(msg.index, deserializeError(msg.error)));
            return;
        }
      } catch (e) {
        finish(e);
      }
    };

    // A crash outside the run function's promise (an uncaught exception in a callback, out of memory) still names
    // the config that was running on that worker.
    const onCrash = (w: number, cause: Error): void => {
      const index = running.get(w);
      finish(
        index === undefined
          ? new ParallelRunError(`runParallel: worker ${w} crashed before running a config: ${cause.message}`, undefined, cause)
          : runFailed(index, cause),
      );
    };

    const spawnedAt = performance.now();
    for (let w = 0; w < count; w++) {
      const worker = spawnWorker(init);
      pool.push(worker);
      worker.on('message', (m: FromWorker) => onMessage(w, m));
      worker.on('error', (e) => onCrash(w, e));
      worker.on('messageerror', (e) => onCrash(w, e));
      worker.on('exit', (code) => {
        if (!settled) onCrash(w, new Error(`worker ${w} exited unexpectedly with code ${code}`));
      });
    }
  });
}
