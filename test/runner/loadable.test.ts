/**
 * tslab compiles notebook cells to CommonJS, so `import ... from 'rlrepro'` becomes `require('rlrepro')`, which
 * Node (>= 20.19) allows for an ES module only when nothing in its import graph uses top-level await. One `await`
 * at the top level of any module reachable from src/index.ts breaks every notebook; this test names the module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildRoot } from './harness.js';

test('the package entry and src/notebook load through require() (no top-level await in their graph)', () => {
  for (const entry of [join(buildRoot, 'src', 'index.js'), join(buildRoot, 'src', 'notebook', 'index.js')]) {
    const r = spawnSync(process.execPath, ['--experimental-print-required-tla', '-e', `require(${JSON.stringify(entry)})`], {
      encoding: 'utf8',
      env: { ...process.env, RLREPRO_QUIET: '1' },
    });
    const where = /unexpected top-level await at (\S+)/.exec(r.stderr)?.[1];
    assert.equal(r.status, 0, `require(${entry}) failed${where ? `: top-level await in ${where}` : ''}:\n${r.stderr.slice(0, 2000)}`);
  }
});
