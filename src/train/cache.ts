/**
 * A cache of trained models keyed by the hash of the full configuration (model, data, training, seed and a code
 * version), so re-running a notebook reuses a trained model instead of training again, and changing any field
 * trains a new one. Entries are checkpoints in `<cacheDir>/<hash>/`.
 *
 * Cache directory: the `cacheDir` option, else `RLREPRO_CACHE_DIR`, else `.cache/rlrepro` under the project root
 * (git-ignored).
 *
 * Entries appear whole (written to a temp folder, then renamed). A damaged one (a corrupt or truncated file, a
 * folder left without its manifest) is moved aside and retrained, with a warning; an entry whose model config
 * differs from the caller's stays an error, since the key should have covered it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assignWeights, configDiff, loadCheckpoint, writeCheckpointFiles, type LoadedCheckpoint } from './checkpoint.js';
import { configHash, stableStringify } from './config-hash.js';
import type { Trainable } from './step.js';
import { backendInfo } from '../backend/index.js';

/**
 * Bump when a change in the code makes old cached models wrong (model maths, initialisation, batch layout,
 * optimizer), so every key hashes differently.
 */
export const TRAIN_CODE_VERSION = 1;

export interface CachedOptions<M extends Trainable> {
  /** Everything that determines the trained weights: model config, data config, train config, seed. */
  key: object;
  /** A fresh model (its weights are overwritten on a cache hit). */
  build: () => M;
  /** Trains the model in place; the returned object (e.g. a `TrainResult`) is stored as the entry's metadata (JSON). */
  train: (model: M) => Promise<object | void> | object | void;
  /** Stored beside the weights and checked on a hit. */
  modelConfig: object;
  tokenizer?: unknown;
  /** Overrides RLREPRO_CACHE_DIR and the default. */
  cacheDir?: string;
}

export interface CachedResult<M> {
  model: M;
  /** True when the weights came from the cache. */
  hit: boolean;
  /** The entry's directory. */
  dir: string;
  /** Metadata from `train` (as stored in the entry). */
  meta: Record<string, unknown>;
}

/** The cache directory in effect for `cacheDir` (see the module comment). */
export function cacheDirectory(cacheDir?: string): string {
  if (cacheDir !== undefined && cacheDir !== '') return resolve(cacheDir);
  const env = process.env['RLREPRO_CACHE_DIR'];
  if (env !== undefined && env !== '') return resolve(env);
  return join(projectRoot(), '.cache', 'rlrepro');
}

/** The entry name for a key: 16 hex digits of sha256 over {code version, key, backend} in stable JSON. */
export function cacheKeyHash(key: object): string {
  return configHash(fullKey(key)).slice(0, 16);
}

/**
 * What an entry's hash covers. The backend is part of it because backends round differently (the same key
 * trained on `blas` is another model than on `wasm`, and a warm cache must not mix them). Entries written before
 * backends were told apart were all trained on wasm, so wasm (or no backend chosen yet) keeps the old form.
 */
function fullKey(key: object): object {
  let backend: string | undefined;
  try {
    backend = backendInfo().name;
  } catch {
    backend = undefined;
  }
  return backend === undefined || backend === 'wasm' ? { codeVersion: TRAIN_CODE_VERSION, key } : { codeVersion: TRAIN_CODE_VERSION, key, backend };
}

/** Returns the cached model for `key`, or builds, trains and stores one. */
export async function cached<M extends Trainable>(opts: CachedOptions<M>): Promise<CachedResult<M>> {
  const hash = cacheKeyHash(opts.key);
  const dir = join(cacheDirectory(opts.cacheDir), hash);
  const model = opts.build();
  if (existsSync(join(dir, 'manifest.json'))) {
    let ck: LoadedCheckpoint | null = null;
    try {
      ck = loadCheckpoint(dir);
    } catch (e) {
      console.warn(`rlrepro: cache entry ${dir} is damaged (${(e as Error).message}); retraining it`);
    }
    if (ck) {
      const diffs = configDiff(opts.modelConfig, ck.modelConfig);
      if (diffs.length > 0) {
        disposeModel(model);
        throw new Error(`cache entry ${dir} is unusable (its model config differs: ${diffs.join('; ')}); the cache key must cover the model config`);
      }
      try {
        // Checks every shape before assigning anything, so a failure leaves the fresh model as built.
        assignWeights(model.params, ck.weights);
        return { model, hit: true, dir, meta: ck.meta };
      } catch (e) {
        console.warn(`rlrepro: cache entry ${dir} does not fit the model (${(e as Error).message}); retraining it`);
      }
    }
    discard(dir);
  }
  let meta: Record<string, unknown>;
  try {
    meta = ((await opts.train(model)) ?? {}) as Record<string, unknown>;
  } catch (e) {
    disposeModel(model);
    throw e;
  }
  store(dir, model, opts, meta);
  return { model, hit: false, dir, meta };
}

function store<M extends Trainable>(dir: string, model: M, opts: CachedOptions<M>, meta: Record<string, unknown>): void {
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp);
  try {
    writeCheckpointFiles(tmp, { params: model.params, modelConfig: opts.modelConfig, tokenizer: opts.tokenizer, meta });
    // The full key, so a person (or a test) can see what an entry holds.
    writeFileSync(join(tmp, 'key.json'), stableStringify(fullKey(opts.key)) + '\n');
    // A folder without a manifest is no entry (something interrupted outside this code): rename cannot replace
    // a non-empty folder, so it goes first.
    if (existsSync(dir) && !existsSync(join(dir, 'manifest.json'))) discard(dir);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process stored the same key first: its entry is equivalent, keep it.
    if (existsSync(join(dir, 'manifest.json'))) return;
    throw e;
  }
}

/** Moves an entry aside (atomic, so two processes never both remove it) and deletes it. */
function discard(dir: string): void {
  const aside = `${dir}.discarded-${process.pid}-${Date.now()}`;
  try {
    renameSync(dir, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // another process moved it first
    throw e;
  }
  rmSync(aside, { recursive: true, force: true });
}

function disposeModel(model: Trainable): void {
  const d = (model as { dispose?: () => void }).dispose;
  if (typeof d === 'function') d.call(model);
}

/** The nearest ancestor of this module holding rlrepro's package.json (works from src/ and dist/src/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rlrepro') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
