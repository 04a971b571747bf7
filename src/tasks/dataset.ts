/**
 * Seeded problem sets: a training stream and fixed held-out evaluation sets that never overlap it.
 *
 * Hold-out rule: a problem is held out when sha256("heldout:" + task.key(p)), read as a number in [0, 1), is below
 * `heldOutFraction` (default 0.1). The rule depends on the problem only (not on a seed, a set's size or the task's
 * rendering), so the training stream rejects every problem that any held-out set could contain, whatever sets
 * exist, and all formats of one problem (plain or scratchpad, CHECK prompts about it) fall on the same side.
 * Train and evaluate with the same fraction; a held-out set records the one it was drawn with.
 *
 * Files: `datasets/<name>.jsonl`, one problem per line as {"prompt", "problem"} (the prompt is there for readers and
 * is re-checked on load), and `datasets/manifest.json` with an entry per set:
 * {task, generatorVersion, seed, size, heldOutFraction, sha256}. Loading checks the task name, generator version,
 * sha256 of the file bytes, size, prompts and the hold-out rule, and throws naming the file on any mismatch.
 * A held-out set holds distinct problems (by key), in the order drawn from `new Rng(seed)`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../random.js';
import type { Example } from './batch.js';
import type { AnyTask } from './task.js';

export const DEFAULT_HELD_OUT_FRACTION = 0.1;
const MAX_DRAWS_PER_PROBLEM = 10_000; // rejection-sampling budget before declaring the split too small

export interface ManifestEntry {
  task: string;
  generatorVersion: number;
  seed: number;
  size: number;
  heldOutFraction: number;
  sha256: string;
}

export type Manifest = Record<string, ManifestEntry>;

export interface HeldOutSpec {
  /** File stem: `datasets/<name>.jsonl`, and the manifest key. */
  name: string;
  seed: number;
  size: number;
  heldOutFraction?: number;
}

export interface HeldOutSet<P> {
  name: string;
  problems: P[];
  entry: ManifestEntry;
}

function checkFraction(f: number, where: string): void {
  if (!(typeof f === 'number' && f >= 0 && f < 1)) throw new Error(`${where}: heldOutFraction must be in [0, 1), got ${f}`);
}

/** The problem's position in [0, 1) under the hold-out hash (depends on `task.key(p)` only). */
export function heldOutScore<P>(task: { key(p: P): string }, p: P): number {
  const h = createHash('sha256').update(`heldout:${task.key(p)}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

export function isHeldOut<P>(task: { key(p: P): string }, p: P, heldOutFraction = DEFAULT_HELD_OUT_FRACTION): boolean {
  return heldOutScore(task, p) < heldOutFraction;
}

/** One training problem: draws from `task.sample(rng)` until one is not held out. */
export function sampleTrainProblem<P>(
  task: { name: string; sample(rng: Rng): P; key(p: P): string },
  rng: Rng,
  heldOutFraction = DEFAULT_HELD_OUT_FRACTION,
): P {
  checkFraction(heldOutFraction, 'sampleTrainProblem');
  for (let i = 0; i < MAX_DRAWS_PER_PROBLEM; i++) {
    const p = task.sample(rng);
    if (!isHeldOut(task, p, heldOutFraction)) return p;
  }
  throw new Error(`sampleTrainProblem: ${MAX_DRAWS_PER_PROBLEM} draws of ${task.name} were all held out`);
}

/** `n` training examples (prompt, drawn target), deterministic given the rng's state. */
export function trainExamples<P>(
  task: { name: string; sample(rng: Rng): P; key(p: P): string; prompt(p: P): string; target(p: P, rng: Rng): string },
  rng: Rng,
  n: number,
  heldOutFraction = DEFAULT_HELD_OUT_FRACTION,
): Example[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`trainExamples: n must be a non-negative integer, got ${n}`);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const p = sampleTrainProblem(task, rng, heldOutFraction);
    out.push({ prompt: task.prompt(p), completion: task.target(p, rng) });
  }
  return out;
}

/** `size` distinct held-out problems drawn from `new Rng(seed)`. */
export function generateHeldOutSet<P>(
  task: { name: string; sample(rng: Rng): P; key(p: P): string },
  seed: number,
  size: number,
  heldOutFraction = DEFAULT_HELD_OUT_FRACTION,
): P[] {
  checkFraction(heldOutFraction, 'generateHeldOutSet');
  if (!(heldOutFraction > 0)) throw new Error('generateHeldOutSet: heldOutFraction must be > 0 to hold anything out');
  if (!Number.isInteger(size) || size < 1) throw new Error(`generateHeldOutSet: size must be a positive integer, got ${size}`);
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const out: P[] = [];
  const budget = size * MAX_DRAWS_PER_PROBLEM;
  for (let i = 0; i < budget && out.length < size; i++) {
    const p = task.sample(rng);
    const k = task.key(p);
    if (seen.has(k) || !isHeldOut(task, p, heldOutFraction)) continue;
    seen.add(k);
    out.push(p);
  }
  if (out.length < size) {
    throw new Error(
      `generateHeldOutSet: found only ${out.length} distinct held-out ${task.name} problems in ${budget} draws, ` +
        `size ${size} asked; lower size or raise heldOutFraction (${heldOutFraction})`,
    );
  }
  return out;
}

/** The JSONL text of a held-out set (what is hashed). */
export function serializeHeldOutSet<P>(task: { prompt(p: P): string; toJSON(p: P): unknown }, problems: readonly P[]): string {
  return problems.map((p) => JSON.stringify({ prompt: task.prompt(p), problem: task.toJSON(p) }) + '\n').join('');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `datasets/` at the package root (found by walking up to rlrepro's package.json). */
export function defaultDatasetDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rlrepro') {
      return join(dir, 'datasets');
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('defaultDatasetDir: no rlrepro package.json above this module; pass dir explicitly');
    dir = up;
  }
}

export function readManifest(dir: string = defaultDatasetDir()): Manifest {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** Generates a held-out set, writes `<dir>/<name>.jsonl` and updates `<dir>/manifest.json`. */
export function writeHeldOutSet(task: AnyTask, spec: HeldOutSpec, dir: string = defaultDatasetDir()): ManifestEntry {
  if (!/^[A-Za-z0-9._-]+$/.test(spec.name)) throw new Error(`writeHeldOutSet: name must match [A-Za-z0-9._-]+, got ${spec.name}`);
  const heldOutFraction = spec.heldOutFraction ?? DEFAULT_HELD_OUT_FRACTION;
  const problems = generateHeldOutSet(task, spec.seed, spec.size, heldOutFraction);
  const text = serializeHeldOutSet(task, problems);
  const entry: ManifestEntry = {
    task: task.name,
    generatorVersion: task.generatorVersion,
    seed: spec.seed,
    size: spec.size,
    heldOutFraction,
    sha256: sha256Hex(text),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${spec.name}.jsonl`), text);
  const manifest = readManifest(dir);
  manifest[spec.name] = entry;
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(sorted, null, 2) + '\n');
  return entry;
}

/** Loads and verifies a held-out set (see the file comment for every check). */
export function loadHeldOutSet<P>(
  task: {
    name: string;
    generatorVersion: number;
    key(p: P): string;
    prompt(p: P): string;
    fromJSON(json: unknown): P;
  },
  name: string,
  dir: string = defaultDatasetDir(),
): HeldOutSet<P> {
  const file = join(dir, `${name}.jsonl`);
  const entry = readManifest(dir)[name];
  if (entry === undefined) throw new Error(`loadHeldOutSet: no entry ${name} in ${join(dir, 'manifest.json')}`);
  if (entry.task !== task.name) {
    throw new Error(`loadHeldOutSet: ${file} was generated for task ${entry.task}, not ${task.name}`);
  }
  if (entry.generatorVersion !== task.generatorVersion) {
    throw new Error(
      `loadHeldOutSet: ${file} has generatorVersion ${entry.generatorVersion} but ${task.name} is at ` +
        `${task.generatorVersion}; regenerate it (node dist/src/tasks/heldout-sets.js)`,
    );
  }
  if (!existsSync(file)) throw new Error(`loadHeldOutSet: ${file} is listed in the manifest but missing`);
  const bytes = readFileSync(file);
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new Error(
      `loadHeldOutSet: ${file} has sha256 ${actual} but the manifest says ${entry.sha256}: the file was modified ` +
        `or the manifest is stale; regenerate it (node dist/src/tasks/heldout-sets.js)`,
    );
  }
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== entry.size) throw new Error(`loadHeldOutSet: ${file} has ${lines.length} lines, manifest size ${entry.size}`);
  const problems = lines.map((line, i) => {
    const row = JSON.parse(line) as { prompt?: unknown; problem?: unknown };
    const p = task.fromJSON(row.problem);
    if (row.prompt !== task.prompt(p)) {
      throw new Error(`loadHeldOutSet: ${file} line ${i + 1}: prompt ${JSON.stringify(row.prompt)} != rendered ${JSON.stringify(task.prompt(p))}`);
    }
    if (!isHeldOut(task, p, entry.heldOutFraction)) {
      throw new Error(`loadHeldOutSet: ${file} line ${i + 1}: problem ${task.key(p)} is not in the held-out split`);
    }
    return p;
  });
  return { name, problems, entry };
}
