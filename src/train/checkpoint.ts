/**
 * Checkpoints: a directory holding everything needed to rebuild and continue a model.
 *
 *   manifest.json              format, version and which optional parts exist
 *   config.json                the model config (compared field by field on load)
 *   weights.bin / weights.json float32 weights + index (names, shapes, offsets, sha256)
 *   tokenizer.json             the tokenizer, opaque JSON from the tasks area (optional)
 *   meta.json                  training metadata: step, train config, Rng state, history (optional)
 *   optimizer.bin / .json      optimizer moment buffers, and optimizer-state.json with kind and step (optional)
 *
 * A save writes a sibling temporary directory and renames it into place, so a crash never leaves half a checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NamedArray, OptimizerState } from './optimizer.js';
import { readTensors, writeTensors } from './tensor-file.js';

const FORMAT = 'rlrepro-checkpoint';
const VERSION = 1;

export interface CheckpointData {
  /** Weights by parameter name: live variables (read once here) or arrays already read. */
  params: Record<string, tf.Variable> | Record<string, NamedArray>;
  /** The model config, JSON-serialisable. */
  modelConfig: object;
  /** Tokenizer JSON (opaque here). */
  tokenizer?: unknown;
  /** Training metadata, JSON-serialisable. */
  meta?: Record<string, unknown>;
  optimizer?: OptimizerState;
}

export interface LoadedCheckpoint {
  dir: string;
  weights: Record<string, NamedArray>;
  modelConfig: Record<string, unknown>;
  tokenizer?: unknown;
  meta: Record<string, unknown>;
  optimizer?: OptimizerState;
}

interface Manifest {
  format: typeof FORMAT;
  version: number;
  hasTokenizer: boolean;
  hasOptimizer: boolean;
}

/** Writes a checkpoint to `dir`, replacing any checkpoint already there. */
export function saveCheckpoint(dir: string, data: CheckpointData): void {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp);
  try {
    writeCheckpointFiles(tmp, data);
    if (existsSync(target)) {
      const old = `${target}.old-${process.pid}-${Date.now()}`;
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Writes the checkpoint files into an existing empty directory (no atomic rename); `saveCheckpoint` and the
 * cache use it on a temporary directory.
 */
export function writeCheckpointFiles(dir: string, data: CheckpointData): void {
  const manifest: Manifest = {
    format: FORMAT,
    version: VERSION,
    hasTokenizer: data.tokenizer !== undefined,
    hasOptimizer: data.optimizer !== undefined,
  };
  writeJson(join(dir, 'manifest.json'), manifest);
  writeJson(join(dir, 'config.json'), data.modelConfig);
  writeTensors(dir, 'weights', readParams(data.params));
  if (data.tokenizer !== undefined) writeJson(join(dir, 'tokenizer.json'), data.tokenizer);
  writeJson(join(dir, 'meta.json'), data.meta ?? {});
  if (data.optimizer) {
    const flat: Record<string, NamedArray> = {};
    for (const [slot, arrays] of Object.entries(data.optimizer.slots))
      for (const [name, a] of Object.entries(arrays)) flat[`${slot}/${name}`] = a;
    writeTensors(dir, 'optimizer', flat);
    writeJson(join(dir, 'optimizer-state.json'), { kind: data.optimizer.kind, step: data.optimizer.step });
  }
}

/**
 * Reads a checkpoint. With `expectedConfig`, a model config that differs is an error naming every differing field.
 * A missing directory, a missing file or a corrupt weights file is an error naming the path.
 */
export function loadCheckpoint(dir: string, opts: { expectedConfig?: object } = {}): LoadedCheckpoint {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`checkpoint directory not found: ${root}`);
  const manifest = readJson(join(root, 'manifest.json')) as Manifest;
  if (manifest.format !== FORMAT || manifest.version !== VERSION)
    throw new Error(`${join(root, 'manifest.json')}: not an ${FORMAT} v${VERSION} manifest`);
  const modelConfig = readJson(join(root, 'config.json')) as Record<string, unknown>;
  if (opts.expectedConfig !== undefined) {
    const diffs = configDiff(opts.expectedConfig, modelConfig);
    if (diffs.length > 0)
      throw new Error(`checkpoint ${root}: model config does not match the expected one: ${diffs.join('; ')}`);
  }
  const out: LoadedCheckpoint = {
    dir: root,
    weights: readTensors(root, 'weights'),
    modelConfig,
    meta: readJson(join(root, 'meta.json')) as Record<string, unknown>,
  };
  if (manifest.hasTokenizer) out.tokenizer = readJson(join(root, 'tokenizer.json'));
  if (manifest.hasOptimizer) {
    const head = readJson(join(root, 'optimizer-state.json')) as { kind: string; step: number };
    const slots: OptimizerState['slots'] = {};
    for (const [key, a] of Object.entries(readTensors(root, 'optimizer'))) {
      const cut = key.indexOf('/');
      const slot = key.slice(0, cut);
      (slots[slot] ??= {})[key.slice(cut + 1)] = a;
    }
    out.optimizer = { kind: head.kind, step: head.step, slots };
  }
  return out;
}

/**
 * Copies checkpoint weights into a model's variables. The names must match exactly (both directions) and every
 * shape must agree; otherwise an error lists what is missing, extra or mis-shaped.
 */
export function assignWeights(params: Record<string, tf.Variable>, weights: Record<string, NamedArray>): void {
  const problems: string[] = [];
  for (const name of Object.keys(params)) if (!(name in weights)) problems.push(`missing "${name}"`);
  for (const name of Object.keys(weights)) if (!(name in params)) problems.push(`unexpected "${name}"`);
  for (const [name, v] of Object.entries(params)) {
    const w = weights[name];
    if (w && (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i])))
      problems.push(`"${name}" has shape [${w.shape}] in the checkpoint but [${v.shape}] in the model`);
  }
  if (problems.length > 0) throw new Error(`assignWeights: checkpoint does not fit the model: ${problems.join('; ')}`);
  for (const [name, v] of Object.entries(params)) {
    const w = weights[name]!;
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
  }
}

/** Dotted paths where two JSON-like values differ, e.g. `nLayer: expected 2, found 4`. */
export function configDiff(expected: unknown, actual: unknown, path = ''): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(expected) && isObj(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => configDiff(expected[k], actual[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  return [`${path || '(root)'}: expected ${JSON.stringify(expected) ?? 'nothing'}, found ${JSON.stringify(actual) ?? 'nothing'}`];
}

function readParams(params: CheckpointData['params']): Record<string, NamedArray> {
  const out: Record<string, NamedArray> = {};
  for (const [name, p] of Object.entries(params))
    out[name] =
      'dataSync' in p ? { shape: [...p.shape], data: (p.dataSync() as Float32Array).slice() } : (p as NamedArray);
  return out;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 1) + '\n');
}

function readJson(path: string): unknown {
  if (!existsSync(path)) throw new Error(`checkpoint file missing: ${path}`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}
