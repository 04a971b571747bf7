/**
 * Claim 2's quick preset gives the numbers computed before the experiment was split into config/run/claims and put
 * on the experiment contract (test/fixtures/README.md), run here from a cold training cache:
 * - on every backend with a fixture: for seeds 0 and 1, every run's held-out evaluations, temperature check and
 *   training history, and the per-seed values each claim reads;
 * - on blas: the claims.json the notebook wrote (seeds 0-2): each claim's id, per-seed samples and verdict.
 * Any change to seeds, presets, the data stream, the training or the evaluation shows up as a changed number.
 * Other backends, or other OpenBLAS kernels, round differently: without a matching fixture the test skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { rlifCollapse, type RlifCollapseResult, type RlifRunResult } from '../../src/experiments/rlif-collapse/run.js';
import { rlifClaimSpecs } from '../../src/experiments/rlif-collapse/claims.js';
import { evaluateClaim } from '../../src/notebook/claims.js';
import { fixturesDir } from '../runner/harness.js';

interface Fixture {
  backend: string;
  backendDetail?: string;
  preset: 'quick';
  seeds: number[];
  result: { models: unknown[]; runs: unknown[] };
  claimValues: { id: string; ours: number[] }[];
}
type NotebookClaims = { claims: { id: string; samples: number[]; verdict: string }[] };

const backend = await initBackend({ quiet: true });
const contractDir = join(fixturesDir, 'contract');

/** This backend's fixture, or why there is none. */
function fixture(): Fixture | string {
  const path = join(contractDir, `02-quick.${backend.name}.json`);
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

/** As JSON holds it (NaN -> null), as the fixtures were written. */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

const f = fixture();
test('claim 2 quick: the same numbers and claim checks as before the contract', { skip: typeof f === 'string' ? f : false }, async () => {
  const before = f as Fixture;
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlif-quick-'));
  try {
    const config = rlifCollapse.preset(before.preset);
    assert.ok(before.seeds.every((s) => config.seeds.includes(s)), `the preset's seeds ${config.seeds} hold the fixture's ${before.seeds}`);
    const result = await rlifCollapse.execute(config, { cacheDir });
    // Runs are independent per seed, so the fixture's seeds are a subset of this result.
    const subset: RlifCollapseResult = { config: { ...config, seeds: before.seeds }, models: result.models, runs: result.runs.filter((r) => before.seeds.includes(r.seed)) };
    assert.deepEqual(plain(subset.models.map(measured)), before.result.models);
    assert.deepEqual(plain(subset.runs.map(measured)), before.result.runs);
    assert.deepEqual(plain(rlifClaimSpecs(subset).map((s) => ({ id: s.id, ours: s.ours }))), before.claimValues);
    const notebook = join(contractDir, `02-quick.${backend.name}.claims.json`);
    if (existsSync(notebook)) {
      const claims = (JSON.parse(readFileSync(notebook, 'utf8')) as NotebookClaims).claims;
      assert.deepEqual(
        rlifClaimSpecs(result).map((s) => ({ id: s.id, samples: s.ours, verdict: evaluateClaim(s).verdict })),
        claims.map((c) => ({ id: c.id, samples: c.samples, verdict: c.verdict })),
      );
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
