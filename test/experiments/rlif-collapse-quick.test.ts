/**
 * The quick preset of the RLIF-collapse experiment with seeds pinned to [0, 1], run from a cold training cache, gives
 * exactly the numbers computed before the experiment was split into config/run/claims (test/fixtures/README.md):
 * every run's held-out evaluations, temperature check and training history, and the per-seed values each claim
 * reads. Any change to seeds, presets, the data stream, the training or the evaluation shows up as a changed number.
 * Other backends, or other OpenBLAS kernels, round differently: without a matching fixture the test skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { RLIF_PRESETS } from '../../src/experiments/rlif-collapse/config.js';
import { runRlifCollapse, type RlifRunResult } from '../../src/experiments/rlif-collapse/run.js';
import { rlifClaimSpecs } from '../../src/experiments/rlif-collapse/claims.js';
import { fixturesDir } from '../runner/harness.js';

interface Fixture {
  backend: string;
  backendDetail?: string;
  preset: 'quick';
  seeds: number[];
  result: { models: unknown[]; runs: unknown[] };
  claimValues: { id: string; ours: number[] }[];
}

const backend = await initBackend({ quiet: true });

/** This backend's fixture, or why there is none. */
function fixture(): Fixture | string {
  const path = join(fixturesDir, 'contract', `02-quick.${backend.name}.json`);
  if (!existsSync(path)) return `no fixture for backend ${backend.name}`;
  const f = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  if (f.backendDetail !== undefined && f.backendDetail !== backend.detail) return `fixture made with ${f.backendDetail}, this is ${backend.detail}`;
  return f;
}

/** The deterministic part of a run: what it measured, without its timings (wall-clock, cache hits). */
function measured(r: RlifRunResult): unknown {
  const timing = new Set(['msSampling', 'msScoring', 'msUpdate']);
  const history = { step: r.history.step, metrics: Object.fromEntries(Object.entries(r.history.metrics).filter(([k]) => !timing.has(k))) };
  return { mix: r.mix, arm: r.arm, seed: r.seed, evals: r.evals, history, ...(r.temperatureSweep ? { temperatureSweep: r.temperatureSweep } : {}) };
}

/** As JSON holds it (NaN -> null), as the fixture was written. */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

const f = fixture();
test('claim 2 quick (seeds 0, 1): the same numbers as before the split', { skip: typeof f === 'string' ? f : false }, async () => {
  const before = f as Fixture;
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlif-quick-'));
  try {
    const result = await runRlifCollapse({ ...structuredClone(RLIF_PRESETS[before.preset]), seeds: before.seeds }, undefined, { cacheDir });
    assert.deepEqual(plain(result.models.map(measured)), before.result.models);
    assert.deepEqual(plain(result.runs.map(measured)), before.result.runs);
    assert.deepEqual(plain(rlifClaimSpecs(result).map((s) => ({ id: s.id, ours: s.ours }))), before.claimValues);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
