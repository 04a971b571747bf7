/**
 * `rlrepro shard` and `rlrepro merge`: a notebook's sweep cut into shards for a cluster's own engine (Slurm job
 * arrays, Kubernetes Indexed Jobs), and the shards' results merged into the usual executed notebook, report and
 * claims.json. No scheduler: a shard is the notebook executed with a run store (src/parallel/run-store.ts) in shard
 * mode, so it runs exactly the runs the serial notebook would, its share of them, and saves each one; merge executes
 * the notebook again with the store in results mode, so nothing trains and the numbers are the serial run's.
 *
 * Waves: a phase whose configs depend on an earlier phase's results (claim 1 chooses tau from the size sweep before
 * self-improvement) can only be enumerated once that phase is complete, so a shard stops at the first phase where
 * other shards still owe runs. Running the array again (the next wave) moves every shard on; a finished shard's
 * rerun is a no-op. `shardStatus` says which phase is pending.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pendingMarker, RunStore } from '../parallel/run-store.js';
import type { RunOptions, RunResult } from '../runner/run.js';

/** Thrown for a shard index or count that cannot be used (exit code 2). */
export class ShardInputError extends Error {}

export interface ShardPosition {
  index: number;
  count: number;
  /** Where the index came from: "--index", "SLURM_ARRAY_TASK_ID" or "JOB_COMPLETION_INDEX". */
  source: string;
}

function integer(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ShardInputError(`${what} must be an integer >= 0, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The shard this process is: `--index`/`--count` when given, else the engine's own variables. Slurm:
 * SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (arrays may start anywhere), count SLURM_ARRAY_TASK_COUNT.
 * Kubernetes Indexed Job: JOB_COMPLETION_INDEX, count from `--count` or RLREPRO_SHARD_COUNT (the manifest sets it
 * to `completions`; Kubernetes does not pass the count itself).
 */
export function shardPosition(flags: { index?: string; count?: string }, env: NodeJS.ProcessEnv = process.env): ShardPosition {
  let index = integer(flags.index, '--index');
  let count = integer(flags.count, '--count');
  let source = '--index';
  if (index === undefined && env['SLURM_ARRAY_TASK_ID'] !== undefined) {
    const id = integer(env['SLURM_ARRAY_TASK_ID'], 'SLURM_ARRAY_TASK_ID')!;
    const min = integer(env['SLURM_ARRAY_TASK_MIN'], 'SLURM_ARRAY_TASK_MIN') ?? 0;
    index = id - min;
    count ??= integer(env['SLURM_ARRAY_TASK_COUNT'], 'SLURM_ARRAY_TASK_COUNT');
    source = 'SLURM_ARRAY_TASK_ID';
    if (count === undefined) throw new ShardInputError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --count');
  } else if (index === undefined && env['JOB_COMPLETION_INDEX'] !== undefined) {
    index = integer(env['JOB_COMPLETION_INDEX'], 'JOB_COMPLETION_INDEX');
    count ??= integer(env['RLREPRO_SHARD_COUNT'], 'RLREPRO_SHARD_COUNT');
    source = 'JOB_COMPLETION_INDEX';
    if (count === undefined) throw new ShardInputError('JOB_COMPLETION_INDEX is set but the shard count is not: pass --count or set RLREPRO_SHARD_COUNT (= the Job\'s completions)');
  }
  if (index === undefined) throw new ShardInputError('no shard index: pass --index and --count, or run under a Slurm array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)');
  if (count === undefined) throw new ShardInputError('--index needs --count (the number of shards)');
  if (count < 1 || index >= count) throw new ShardInputError(`shard index ${index} is outside 0..${count - 1} (count ${count}, from ${source})`);
  return { index, count, source };
}

/** What one shard run ended as. */
export type ShardOutcome =
  | { kind: 'complete'; message: string }
  | { kind: 'wave-done'; phase: number; message: string }
  | { kind: 'failed'; message: string };

type Runner = (paths: readonly string[], options: RunOptions) => Promise<RunResult>;

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  set(vars);
  return fn().finally(() => set(saved));
}

/**
 * Runs one shard of `notebook`: the notebook executes in a kernel whose run store (at `dir`) is in shard mode.
 * Its executed copy goes to `<dir>/.logs/<shard>/` for inspection; the results are the stored run files.
 */
export async function runShard(
  run: Runner,
  notebook: string,
  position: ShardPosition,
  dir: string,
  options: Omit<RunOptions, 'outDir' | 'writeIndex' | 'failOnClaims'>,
): Promise<ShardOutcome> {
  const store = resolve(dir);
  mkdirSync(store, { recursive: true });
  const logDir = join(store, '.logs', `shard-${position.index}-of-${position.count}`);
  const marker = pendingMarker(store, position.index, position.count);
  rmSync(marker, { force: true });
  const result = await withEnv(
    { RLREPRO_RUN_STORE: store, RLREPRO_RUN_STORE_MODE: 'shard', RLREPRO_SHARD_INDEX: String(position.index), RLREPRO_SHARD_COUNT: String(position.count), RLREPRO_RUN_STORE_USED: undefined },
    () => run([notebook], { ...options, outDir: logDir }),
  );
  const s = result.summaries[0];
  const where = `shard ${position.index} of ${position.count} (${position.source})`;
  if (s?.ok) return { kind: 'complete', message: `${where}: every phase is stored; run \`rlrepro merge\` once all shards report complete` };
  if (existsSync(marker)) {
    const { phase } = JSON.parse(readFileSync(marker, 'utf8')) as { phase: number };
    return { kind: 'wave-done', phase, message: `${where}: its runs of phase ${phase} are stored; other shards still owe runs of that phase: run the array again (the next wave) once they finish` };
  }
  return { kind: 'failed', message: `${where} failed: ${result.problems.join('\n') || s?.status || 'no summary'}` };
}

/**
 * Merges the shards' results: executes `notebook` with the store at `dir` in results mode (nothing trains; a missing
 * or duplicated run fails the experiment cell, naming the runs), writing the usual outputs to `options.outDir`. Then
 * stored runs the notebook never asked for (results of another config or preset) are an error naming them.
 */
export async function mergeShards(run: Runner, notebook: string, dir: string, options: RunOptions): Promise<{ result: RunResult; unused: string[] }> {
  const store = resolve(dir);
  if (!existsSync(store)) throw new ShardInputError(`merge: no results folder ${dir}`);
  const usedLog = join(store, '.logs', `merge-used-${process.pid}.txt`);
  mkdirSync(join(store, '.logs'), { recursive: true });
  rmSync(usedLog, { force: true });
  const result = await withEnv(
    { RLREPRO_RUN_STORE: store, RLREPRO_RUN_STORE_MODE: 'results', RLREPRO_SHARD_INDEX: undefined, RLREPRO_SHARD_COUNT: undefined, RLREPRO_RUN_STORE_USED: usedLog },
    () => run([notebook], options),
  );
  const used = new Set(existsSync(usedLog) ? readFileSync(usedLog, 'utf8').split('\n').filter(Boolean) : []);
  rmSync(usedLog, { force: true });
  const reader = new RunStore({ dir: store, mode: 'results' });
  const unused = [...reader.entries()].filter(([k]) => !used.has(k)).map(([k, paths]) => `${k} (${paths.join(', ')})`);
  return { result, unused: result.summaries[0]?.ok ? unused : [] };
}
