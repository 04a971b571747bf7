/**
 * A store of finished runs, so that a sweep can be cut into shards that run on different machines (Slurm array
 * tasks, Kubernetes Indexed Job pods) and be merged afterwards without training anything again.
 *
 * While a store is active, every `runParallel` call consults it. A run is identified by its key: the sha256 of the
 * run function (module path inside the package + export name), the tfjs backend (backends round differently) and
 * the run's config (`stableStringify`; a top-level `cacheDir` is left out: where a cache lives does not change a
 * result). Modes:
 * - `shard` (index i of n): the runs of all `runParallel` calls of the process are numbered in call order; run j
 *   belongs to shard j mod n. The shard runs what it owns and has not stored yet, writing each result as soon as it
 *   is finished (temp file + rename, so a killed shard leaves only whole files), loads what any shard has stored,
 *   and stops with a `ShardPhaseDone` error at the first call that still needs another shard's runs. Running the
 *   same shard again is then a no-op for what it finished; running all shards again (the next "wave") moves every
 *   shard into the next phase, whose configs may depend on the previous phase's results.
 * - `results`: nothing trains; every run must be in the store exactly once, else an error names the missing or
 *   duplicated runs. `unusedEntries()` lists stored runs no call asked for (results of another config).
 *
 * Results are stored with `v8.serialize`, the structured clone that carries them out of worker threads, so a merged
 * result is bit-identical to the one a serial run returns (NaN, -0 and typed arrays included).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { stableStringify } from '../train/config-hash.js';

export type RunStoreMode = 'shard' | 'results';

export interface RunStoreOptions {
  /** The folder shared by every shard (one sub-folder per shard is written inside it). */
  dir: string;
  mode: RunStoreMode;
  /** This process's shard (mode `shard` only): index in [0, count). */
  shard?: { index: number; count: number };
  /** A file to which every key this process uses is appended (how `rlrepro merge` finds runs nobody asked for). */
  usedLog?: string;
}

/** One stored run, as written to `<dir>/shard-<i>-of-<n>/<key>.json`. */
export interface StoredRun {
  format: typeof FORMAT;
  key: string;
  /** Short readable name of the run, e.g. "negativeReinforcementRun arm=NSR seed=3". */
  label: string;
  run: string;
  backend: string;
  /** The config as run (for reading; the key is what identifies it). */
  config: unknown;
  /** base64 of v8.serialize(result). */
  result: string;
}

const FORMAT = 'rlrepro-run/1';

/** How one `runParallel` call is served by the store. */
export interface StorePlan {
  /** Stored results by config index; null where the run is not stored. */
  results: unknown[];
  /** Indices this process must execute (and then `save`). */
  todo: number[];
  keys: string[];
  /** Set when other shards still owe runs of this call: throw it once `todo` is done. */
  pending: ShardPhaseDone | null;
}

/** Thrown by `runParallel` in a shard when the rest of a call's runs belong to other shards. */
export class ShardPhaseDone extends Error {
  declare readonly call: number;
  declare readonly ran: number;
  declare readonly waiting: string[];
  constructor(call: number, ran: number, waiting: string[]) {
    super(
      `shard: this shard's runs of phase ${call + 1} are stored (${ran} run now); ${waiting.length} run(s) of that phase belong to other ` +
        `shards (e.g. ${waiting.slice(0, 3).join('; ')}). Run every shard again (the next wave) once they have finished.`,
    );
    this.name = 'ShardPhaseDone';
    // Not enumerable: a kernel prints an error's own enumerable fields after its stack, which would bury the message.
    for (const [k, v] of Object.entries({ call, ran, waiting })) Object.defineProperty(this, k, { value: v, enumerable: false });
  }
}

/** The package root of this module (`.../dist/src/parallel` -> `...`), to store module paths relative to it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function runName(moduleUrl: string, exportName: string): string {
  const path = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  const rel = relative(PACKAGE_ROOT, path);
  return `${rel.startsWith('..') ? path : rel.split(sep).join('/')}#${exportName}`;
}

function keyConfig(config: unknown): unknown {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config;
  const { cacheDir: _ignored, ...rest } = config as Record<string, unknown>;
  return rest;
}

/** The store key of one run. */
export function runKey(moduleUrl: string, exportName: string, backend: string, config: unknown): string {
  return createHash('sha256')
    .update(`${runName(moduleUrl, exportName)}\n${backend}\n${stableStringify(keyConfig(config))}`)
    .digest('hex')
    .slice(0, 24);
}

const LABEL_FIELDS = ['phase', 'task', 'base', 'mix', 'arm', 'size', 'seed'] as const;

/** A short name of a run for messages: the export and the config's usual identifying fields. */
export function runLabel(exportName: string, config: unknown): string {
  const parts = [exportName];
  if (config && typeof config === 'object') {
    const c = config as Record<string, unknown>;
    // An experiment's planned run carries its own stable id (e.g. "rl/nsr/seed3"): that is the name.
    if (typeof c['id'] === 'string') return `${exportName} ${c['id']}`;
    for (const f of LABEL_FIELDS) {
      const v = c[f];
      if (v === undefined) continue;
      const shown = v && typeof v === 'object' ? ((v as { name?: unknown }).name ?? stableStringify(v)) : v;
      parts.push(`${f}=${String(shown)}`);
    }
  }
  return parts.join(' ');
}

function shardDirName(index: number, count: number): string {
  const w = String(count).length;
  return `shard-${String(index).padStart(w, '0')}-of-${count}`;
}

/**
 * The file a shard writes when it stops at a phase other shards owe (`{ "phase": n }`), so the runner can tell "this
 * wave is done" from a failure without parsing the kernel's printout of the error.
 */
export function pendingMarker(dir: string, index: number, count: number): string {
  return join(dir, '.logs', `${shardDirName(index, count)}.pending.json`);
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export class RunStore {
  readonly dir: string;
  readonly mode: RunStoreMode;
  readonly shard: { index: number; count: number } | undefined;
  /** Runs numbered across every `runParallel` call of this process (the shard assignment). */
  private nextRun = 0;
  private calls = 0;
  private readonly used = new Set<string>();
  private readonly usedLog: string | undefined;

  constructor(opts: RunStoreOptions) {
    if (typeof opts.dir !== 'string' || opts.dir === '') throw new Error('run store: dir must be a non-empty path');
    if (opts.mode !== 'shard' && opts.mode !== 'results') throw new Error(`run store: mode must be 'shard' or 'results', got ${JSON.stringify(opts.mode)}`);
    if (opts.mode === 'shard') {
      const s = opts.shard;
      if (!s || !Number.isInteger(s.count) || s.count < 1 || !Number.isInteger(s.index) || s.index < 0 || s.index >= s.count)
        throw new Error(`run store: shard must be { index, count } with integers 0 <= index < count, got ${JSON.stringify(s)}`);
    }
    if (existsSync(opts.dir) && !statSync(opts.dir).isDirectory()) throw new Error(`run store: ${opts.dir} is not a folder`);
    this.dir = opts.dir;
    this.mode = opts.mode;
    this.shard = opts.mode === 'shard' ? opts.shard : undefined;
    this.usedLog = opts.usedLog;
    if (this.mode === 'shard') mkdirSync(this.ownDir(), { recursive: true });
    else if (!existsSync(opts.dir)) throw new Error(`run store: no results folder ${opts.dir}`);
  }

  private ownDir(): string {
    return join(this.dir, shardDirName(this.shard!.index, this.shard!.count));
  }

  /** Every stored file by key (several files for one key = the same run stored by two shards). */
  entries(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (!existsSync(this.dir)) return out;
    for (const sub of readdirSync(this.dir, { withFileTypes: true })) {
      if (!sub.isDirectory() || !sub.name.startsWith('shard-')) continue;
      for (const f of readdirSync(join(this.dir, sub.name))) {
        if (!f.endsWith('.json')) continue;
        const key = f.slice(0, -'.json'.length);
        out.set(key, [...(out.get(key) ?? []), join(this.dir, sub.name, f)]);
      }
    }
    return out;
  }

  private read(path: string, key: string): unknown {
    let stored: StoredRun;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8')) as StoredRun;
    } catch (e) {
      throw new Error(`run store: ${path} is not a readable run file (${(e as Error).message}); delete it and run its shard again`);
    }
    if (stored.format !== FORMAT || stored.key !== key) throw new Error(`run store: ${path} is not a ${FORMAT} file for key ${key}`);
    return deserialize(Buffer.from(stored.result, 'base64'));
  }

  /**
   * Resolves one `runParallel` call: returns the stored results (null where the run must still be executed here) and
   * the indices to execute. Throws in `results` mode for a missing or duplicated run.
   */
  plan(moduleUrl: string, exportName: string, backend: string, configs: readonly unknown[]): StorePlan {
    const call = this.calls++;
    const first = this.nextRun;
    this.nextRun += configs.length;
    const entries = this.entries();
    const keys = configs.map((c) => runKey(moduleUrl, exportName, backend, c));
    const labels = configs.map((c) => runLabel(exportName, c));
    const dup = keys.map((k, i) => ((entries.get(k)?.length ?? 0) > 1 ? `${labels[i]} (${entries.get(k)!.join(', ')})` : null)).filter((x) => x !== null);
    if (dup.length) throw new Error(`run store: ${dup.length} run(s) are stored more than once (shards of different counts?): ${dup.join('; ')}`);
    const results: unknown[] = new Array(configs.length).fill(null);
    const todo: number[] = [];
    const waiting: string[] = [];
    keys.forEach((k, i) => {
      const path = entries.get(k)?.[0];
      if (path !== undefined) {
        results[i] = this.read(path, k);
        this.used.add(k);
      } else if (this.mode === 'shard' && (first + i) % this.shard!.count === this.shard!.index) todo.push(i);
      else waiting.push(labels[i]!);
    });
    if (this.usedLog !== undefined) appendFileSync(this.usedLog, keys.map((k) => `${k}\n`).join(''));
    if (this.mode === 'results' && waiting.length) {
      throw new Error(`run store: ${waiting.length} run(s) of phase ${call + 1} are missing from ${this.dir}: ${waiting.join('; ')}. Run (or re-run) their shards first.`);
    }
    return { results, todo, keys, pending: waiting.length ? new ShardPhaseDone(call, todo.length, waiting) : null };
  }

  /** Records that this shard stopped at `p` (see `pendingMarker`). */
  markPending(p: ShardPhaseDone): void {
    if (this.mode !== 'shard') return;
    const path = pendingMarker(this.dir, this.shard!.index, this.shard!.count);
    mkdirSync(join(this.dir, '.logs'), { recursive: true });
    writeAtomic(path, `${JSON.stringify({ phase: p.call + 1, ran: p.ran, waiting: p.waiting.length })}\n`);
  }

  /** Stores one finished run of this shard. */
  save(key: string, moduleUrl: string, exportName: string, backend: string, config: unknown, result: unknown): void {
    if (this.mode !== 'shard') return;
    const stored: StoredRun = {
      format: FORMAT,
      key,
      label: runLabel(exportName, config),
      run: runName(moduleUrl, exportName),
      backend,
      config: keyConfig(config),
      result: serialize(result).toString('base64'),
    };
    writeAtomic(join(this.ownDir(), `${key}.json`), `${JSON.stringify(stored)}\n`);
    this.used.add(key);
  }

  /** Stored runs no call of this process asked for (in `results` mode: results of another config). */
  unusedEntries(): { key: string; label: string; path: string }[] {
    const out: { key: string; label: string; path: string }[] = [];
    for (const [key, paths] of this.entries()) {
      if (this.used.has(key)) continue;
      let label = '?';
      try {
        label = (JSON.parse(readFileSync(paths[0]!, 'utf8')) as StoredRun).label;
      } catch {
        label = '(unreadable file)';
      }
      out.push({ key, label, path: paths[0]! });
    }
    return out;
  }
}

let active: RunStore | null = null;

/** The store `runParallel` consults: the one activated here, else the one named by the environment, else none. */
export function activeRunStore(): RunStore | null {
  if (active === null) active = runStoreFromEnv(process.env);
  return active;
}

/** Activates a store for this process (null: none). Returns it. */
export function useRunStore(opts: RunStoreOptions | null): RunStore | null {
  active = opts === null ? null : new RunStore(opts);
  return active;
}

/**
 * The store described by `RLREPRO_RUN_STORE` (folder), `RLREPRO_RUN_STORE_MODE` (shard | results) and, for shards,
 * `RLREPRO_SHARD_INDEX` / `RLREPRO_SHARD_COUNT` (how the runner passes a shard to a notebook's kernel).
 */
export function runStoreFromEnv(env: NodeJS.ProcessEnv): RunStore | null {
  const dir = env['RLREPRO_RUN_STORE'];
  if (dir === undefined || dir === '') return null;
  const mode = (env['RLREPRO_RUN_STORE_MODE'] ?? 'results') as RunStoreMode;
  const usedLog = env['RLREPRO_RUN_STORE_USED'] || undefined;
  if (mode !== 'shard') return new RunStore({ dir, mode, ...(usedLog ? { usedLog } : {}) });
  const index = Number(env['RLREPRO_SHARD_INDEX']);
  const count = Number(env['RLREPRO_SHARD_COUNT']);
  return new RunStore({ dir, mode, shard: { index, count } });
}
