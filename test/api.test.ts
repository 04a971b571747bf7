/**
 * The package's public surface: the root lists the library by name and leaves the notebook runner and the
 * benchmarks to their subpaths, which resolve through package.json `exports` like any consumer's import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './runner/harness.js';

test('the root exports the library and the claims, not the runner or the bench', async () => {
  const root = (await import('rlrepro')) as Record<string, unknown>;
  for (const name of ['GPT', 'trainRL', 'evaluatePolicy', 'defineExperiment', 'seedDeltas', 'negativeReinforcement', 'spuriousRewards', 'checkClaim'])
    assert.equal(typeof root[name] === 'function' || typeof root[name] === 'object', true, `rlrepro exports ${name}`);
  for (const name of ['runNotebooks', 'startKernel', 'renderReport', 'measureModelSpeed', 'benchmarkSweep', 'runExperimentJob'])
    assert.equal(root[name], undefined, `rlrepro does not export ${name}`);
  const runner = (await import('rlrepro/runner')) as Record<string, unknown>;
  assert.equal(typeof runner['runNotebooks'], 'function');
  const bench = (await import('rlrepro/bench')) as Record<string, unknown>;
  assert.equal(typeof bench['measureModelSpeed'], 'function');
  assert.equal(typeof bench['benchmarkSweep'], 'function');
});

test('src/index.ts re-exports by name only', () => {
  const text = readFileSync(join(repoRoot, 'src', 'index.ts'), 'utf8');
  assert.doesNotMatch(text, /export \*/);
  assert.doesNotMatch(text, /from '\.\/(runner|bench)\//);
});
