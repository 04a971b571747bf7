/**
 * Defect groups 3 and 4 (issue 20): what can be checked before a kernel starts is checked then, with exit 2 and a
 * message naming the input: the backend, the output folder, notebooks whose outputs would collide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixturesDir, kernelPids } from '../runner/harness.js';
import { runCliWith } from './cli.js';

const params = join(fixturesDir, 'params.ipynb');

test('RLREPRO_BACKEND=bogus exits 2 before a kernel starts, naming the variable and the valid names', async () => {
  const r = await runCliWith(['run', params], { RLREPRO_BACKEND: 'bogus' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /RLREPRO_BACKEND: unknown backend "bogus"; valid names are node, blas, wasm, cpu/);
  assert.equal(kernelPids(r.stderr).length, 0);
});
