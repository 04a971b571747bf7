import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runParallel } from '../../src/parallel/index.js';
import { ShardPhaseDone, pendingMarker, runKey, useRunStore } from '../../src/parallel/run-store.js';

const FIXTURES = new URL('./fixtures/runs.js', import.meta.url).href;
const configs = (xs: number[]) => xs.map((value) => ({ value, delayMs: 1 }));
const call = (xs: number[], workers = 1) => runParallel<{ value: number; delayMs: number }, { doubled: number }>({ module: FIXTURES, exportName: 'doubleAfterDelay', configs: configs(xs), workers });

/** A two-phase "experiment": phase 2's configs depend on phase 1's results (as claim 1's tau does). */
async function twoPhases(workers = 1): Promise<number[]> {
  const a = await call([1, 2, 3, 4, 5], workers);
  const sum = a.reduce((s, r) => s + r.doubled, 0);
  const b = await call([sum, sum + 1, sum + 2], workers);
  return [...a, ...b].map((r) => r.doubled);
}

function files(dir: string): string[] {
  return readdirSync(dir).filter((d) => d.startsWith('shard-')).flatMap((d) => readdirSync(join(dir, d)).map((f) => join(d, f)));
}

test('shards in waves, then a results-only merge, give the serial results; a rerun is a no-op', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-store-'));
  t.after(() => {
    useRunStore(null);
    rmSync(dir, { recursive: true, force: true });
  });
  useRunStore(null);
  const serial = await twoPhases();
  const wave = async (index: number) => {
    useRunStore({ dir, mode: 'shard', shard: { index, count: 3 } });
    try {
      await twoPhases();
      return 'complete';
    } catch (e) {
      if (e instanceof ShardPhaseDone) return `phase ${e.call + 1}`;
      throw e;
    }
  };
  // Wave 1: each shard runs its share of phase 1 (runs 0..4 round-robin) and stops there.
  assert.deepEqual(await Promise.all([0, 1, 2].map(wave)), ['phase 1', 'phase 1', 'phase 1']);
  assert.equal(files(dir).length, 5);
  // Each stopped shard left a marker naming the phase (what `rlrepro shard` reads instead of the kernel's printout).
  assert.deepEqual([0, 1, 2].map((i) => JSON.parse(readFileSync(pendingMarker(dir, i, 3), 'utf8')).phase), [1, 1, 1]);
  // Wave 2: phase 1 is loaded, phase 2's three runs (numbers 5, 6, 7) go to shards 2, 0, 1; each shard then has
  // everything it needs only once all have saved, so the first to finish still waits.
  const w2 = [];
  for (const i of [0, 1, 2]) w2.push(await wave(i));
  assert.deepEqual(w2, ['phase 2', 'phase 2', 'complete']);
  assert.equal(files(dir).length, 8);
  const before = files(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
  assert.equal(await wave(1), 'complete', 'a rerun of a finished shard completes without running anything');
  assert.deepEqual(files(dir).map((f) => readFileSync(join(dir, f), 'utf8')), before);
  useRunStore({ dir, mode: 'results' });
  assert.deepEqual(await twoPhases(2), serial);
});

test('results mode names missing, duplicated and foreign runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-store-'));
  t.after(() => {
    useRunStore(null);
    rmSync(dir, { recursive: true, force: true });
  });
  useRunStore({ dir, mode: 'shard', shard: { index: 0, count: 1 } });
  await call([1, 2, 3]);
  const own = join(dir, 'shard-0-of-1');
  const stored = readdirSync(own);
  assert.equal(stored.length, 3);
  // A run missing from the store is an error that names it, and nothing trains.
  const missing = stored[1]!;
  const kept = readFileSync(join(own, missing));
  rmSync(join(own, missing));
  useRunStore({ dir, mode: 'results' });
  await assert.rejects(call([1, 2, 3]), /1 run\(s\) of phase 1 are missing .*doubleAfterDelay/);
  writeFileSync(join(own, missing), kept);
  // The same run stored by two shards (shards of different counts) is an error naming the files.
  const other = join(dir, 'shard-1-of-2');
  rmSync(other, { recursive: true, force: true });
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, missing), kept);
  useRunStore({ dir, mode: 'results' });
  await assert.rejects(call([1, 2, 3]), /stored more than once.*shard-1-of-2/);
  rmSync(other, { recursive: true });
  // Results of another config are reported as unused.
  const store = useRunStore({ dir, mode: 'results' })!;
  assert.deepEqual((await call([1, 2])).map((r) => r.doubled), [2, 4]);
  assert.equal(store.unusedEntries().length, 1);
  assert.match(store.unusedEntries()[0]!.label, /doubleAfterDelay/);
});

test('the key ignores where the cache lives and changes with the config, the function and the backend', () => {
  const k = (c: object, fn = 'f', be = 'wasm') => runKey('file:///x/dist/src/a.js', fn, be, c);
  assert.equal(k({ a: 1, cacheDir: '/one' }), k({ a: 1, cacheDir: '/two' }));
  assert.notEqual(k({ a: 1 }), k({ a: 2 }));
  assert.notEqual(k({ a: 1 }), k({ a: 1 }, 'g'));
  assert.notEqual(k({ a: 1 }), k({ a: 1 }, 'f', 'blas'));
});

test('bad store options are clear errors', () => {
  assert.throws(() => useRunStore({ dir: '', mode: 'results' }), /dir must be a non-empty path/);
  assert.throws(() => useRunStore({ dir: tmpdir(), mode: 'shard', shard: { index: 3, count: 3 } }), /0 <= index < count/);
  assert.throws(() => useRunStore({ dir: join(tmpdir(), 'no-such-rlrepro-dir'), mode: 'results' }), /no results folder/);
  assert.throws(() => useRunStore({ dir: tmpdir(), mode: 'bogus' as never }), /mode must be 'shard' or 'results'/);
  useRunStore(null);
});
