/**
 * The quick presets of claims 3 and 4 give the numbers the code gave before the experiment contract (issue 14):
 * every result number (timings aside) and every claim check, for the same seeds and backend. The "before" files
 * were computed by the earlier code path (test/fixtures/README.md); a backend without a fixture skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, initBackend } from '../../src/backend/index.js';
import { NEG_PRESETS, negativeReinforcementClaims, runNegativeReinforcement } from '../../src/experiments/negative-reinforcement.js';
import { runSpuriousRewards, SPURIOUS_PRESETS } from '../../src/experiments/spurious-rewards.js';
import { evaluateClaim, type ClaimSpec } from '../../src/notebook/claims.js';
import { fixturesDir } from '../runner/harness.js';

await initBackend({ quiet: true });

interface Fixture {
  backend: string;
  backendDetail?: string;
  result: Record<string, unknown>;
  claims?: ClaimSpec[];
}

const TIMINGS = /^(seconds|cpuSeconds|pretrainSeconds|cacheHit|baseCacheHit|msSampling|msScoring|msUpdate|workers)$/;

/** A result as JSON would hold it (NaN -> null), without wall-clock or cache fields. */
function numbersOf(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (TIMINGS.test(k) ? undefined : v)));
}

/** The fixture of this backend, or the reason there is none. */
function fixture(claim: string): Fixture | string {
  const b = backendInfo();
  const path = join(fixturesDir, 'contract', `${claim}-quick.${b.name}.json`);
  if (!existsSync(path)) return `no fixture for backend ${b.name}`;
  const f = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  if (f.backendDetail !== undefined && f.backendDetail !== b.detail) return `fixture made with ${f.backendDetail}, this is ${b.detail}`;
  return f;
}

/** The notebook's claims.json of the earlier run (blas only): id, samples and verdict per claim. */
function notebookClaims(claim: string): { id: string; samples: number[]; verdict: string }[] | null {
  const path = join(fixturesDir, 'contract', `${claim}-quick.${backendInfo().name}.claims.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { claims: { id: string; samples: number[]; verdict: string }[] }).claims : null;
}

function sameClaims(specs: ClaimSpec[], before: { id: string; samples: number[]; verdict: string }[]): void {
  assert.deepEqual(
    specs.map((s) => ({ id: s.id, samples: s.ours, verdict: evaluateClaim(s).verdict })),
    before.map((c) => ({ id: c.id, samples: c.samples, verdict: c.verdict })),
  );
}

const f4 = fixture('04');
test('claim 4 quick: the same numbers and claim checks as before the contract', { skip: typeof f4 === 'string' ? f4 : false }, async () => {
  const before = f4 as Fixture;
  const result = await runNegativeReinforcement(structuredClone(NEG_PRESETS.quick));
  assert.deepEqual(numbersOf(result), before.result);
  const specs = negativeReinforcementClaims(result);
  assert.deepEqual(numbersOf(specs), before.claims);
  const nb = notebookClaims('04');
  if (nb) sameClaims(specs, nb);
});

const f3 = fixture('03');
test('claim 3 quick: the same numbers as before the contract', { skip: typeof f3 === 'string' ? f3 : false }, async () => {
  const before = f3 as Fixture;
  const result = await runSpuriousRewards(structuredClone(SPURIOUS_PRESETS.quick));
  assert.deepEqual(numbersOf(result), before.result);
});
