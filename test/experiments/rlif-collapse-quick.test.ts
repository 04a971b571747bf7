/**
 * The quick preset of the RLIF-collapse experiment, run from a cold training cache, gives exactly the claims its
 * notebook's claims.json listed before the experiment was restructured (the fixture, one list per backend: blas and
 * wasm round differently, so each trains different models). Any change to seeds, presets, the data stream, the
 * training or the evaluation shows up here as a changed number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { claimToJson, evaluateClaim } from '../../src/notebook/claims.js';
import { RLIF_PRESETS } from '../../src/experiments/rlif-collapse/config.js';
import { runRlifCollapse } from '../../src/experiments/rlif-collapse/run.js';
import { rlifClaimSpecs } from '../../src/experiments/rlif-collapse/claims.js';
import { fixturesDir } from '../runner/harness.js';

const backend = await initBackend({ quiet: true });
const fixture = JSON.parse(readFileSync(join(fixturesDir, 'rlif-collapse-quick.claims.json'), 'utf8')) as {
  preset: string;
  claims: Record<string, Record<string, unknown>[]>;
};
const expected = fixture.claims[backend.name];

test('the quick preset reproduces the recorded claims.json exactly', { skip: expected ? false : `no recorded claims for backend ${backend.name}` }, async () => {
  assert.equal(fixture.preset, 'quick');
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlif-quick-'));
  try {
    const result = await runRlifCollapse(structuredClone(RLIF_PRESETS.quick), undefined, { cacheDir });
    // Through JSON, as the runner writes claims.json (infinite bounds become null).
    const claims = JSON.parse(JSON.stringify(rlifClaimSpecs(result).map((s) => claimToJson(evaluateClaim(s))))) as unknown;
    assert.deepEqual(claims, expected);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
