/**
 * The quick preset of the RLIF-collapse experiment with seeds pinned to [0, 1], run from a cold training cache, gives
 * exactly the numbers recorded before the experiment was restructured (the fixture, one record per backend: blas and
 * wasm round differently, so each trains different models): every run's held-out evaluations, temperature check and
 * training history, and the per-seed values each claim reads. Any change to seeds, presets, the data stream, the
 * training or the evaluation shows up here as a changed number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { RLIF_PRESETS } from '../../src/experiments/rlif-collapse/config.js';
import { runRlifCollapse, type RlifRunResult } from '../../src/experiments/rlif-collapse/run.js';
import { rlifClaimSpecs } from '../../src/experiments/rlif-collapse/claims.js';
import { fixturesDir } from '../runner/harness.js';

interface Recorded {
  models: unknown[];
  runs: unknown[];
  claimValues: { id: string; ours: number[] }[];
}

const backend = await initBackend({ quiet: true });
const fixture = JSON.parse(readFileSync(join(fixturesDir, 'rlif-collapse-quick-seeds01.json'), 'utf8')) as {
  preset: 'quick';
  seeds: number[];
  byBackend: Record<string, Recorded>;
};
const expected = fixture.byBackend[backend.name];

/** The deterministic part of a run: what it measured, without its timings (wall-clock, cache hits). */
function measured(r: RlifRunResult): unknown {
  const timing = new Set(['msSampling', 'msScoring', 'msUpdate']);
  const history = { step: r.history.step, metrics: Object.fromEntries(Object.entries(r.history.metrics).filter(([k]) => !timing.has(k))) };
  return { mix: r.mix, arm: r.arm, seed: r.seed, evals: r.evals, history, ...(r.temperatureSweep ? { temperatureSweep: r.temperatureSweep } : {}) };
}

test('the quick preset (seeds 0, 1) reproduces the recorded experiment exactly', { skip: expected ? false : `nothing recorded for backend ${backend.name}` }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlif-quick-'));
  try {
    const result = await runRlifCollapse({ ...structuredClone(RLIF_PRESETS[fixture.preset]), seeds: fixture.seeds }, undefined, { cacheDir });
    // Through JSON, as the fixture was written (NaN becomes null).
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
    assert.deepEqual(plain(result.models.map(measured)), expected!.models);
    assert.deepEqual(plain(result.runs.map(measured)), expected!.runs);
    assert.deepEqual(plain(rlifClaimSpecs(result).map((s) => ({ id: s.id, ours: s.ours }))), expected!.claimValues);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
