/**
 * Defect groups 3 and 4 (issue 20): what can be checked before a kernel starts is checked then, with exit 2 and a
 * message naming the input: the backend, the output folder, notebooks whose outputs would collide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomic } from '../../src/runner/output-files.js';
import { fixturesDir, kernelPids, runCli } from '../runner/harness.js';
import { runCliWith } from './cli.js';

const tmp = (label: string) => mkdtempSync(join(tmpdir(), `rlrepro-${label}-`));
const isRoot = process.getuid?.() === 0;

const params = join(fixturesDir, 'params.ipynb');

test('RLREPRO_BACKEND=bogus exits 2 before a kernel starts, naming the variable and the valid names', async () => {
  const r = await runCliWith(['run', params], { RLREPRO_BACKEND: 'bogus' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /RLREPRO_BACKEND: unknown backend "bogus"; valid names are node, blas, wasm, cpu/);
  assert.equal(kernelPids(r.stderr).length, 0);
});

test('--out that cannot hold outputs exits 2 before a kernel starts: empty, under a file, not writable', async () => {
  const empty = await runCli(['run', params, '--out', '']);
  assert.equal(empty.code, 2, empty.stderr);
  assert.match(empty.stderr, /--out is empty; name an output folder/);

  const file = join(tmp('outfile'), 'a-file');
  writeFileSync(file, 'x');
  const under = await runCli(['run', params, '--out', join(file, 'reports')]);
  assert.equal(under.code, 2, under.stderr);
  assert.match(under.stderr, new RegExp(`--out .*: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a file, not a folder`));
  const results = [empty, under];

  if (existsSync('/proc/self')) {
    // A folder no one can create files in, even root.
    const proc = await runCli(['run', params, '--out', '/proc']);
    assert.equal(proc.code, 2, proc.stderr);
    assert.match(proc.stderr, /--out \/proc: cannot write files there \(E[A-Z]+\)/);
    results.push(proc);
  }
  if (!isRoot) {
    const locked = tmp('locked');
    chmodSync(locked, 0o555);
    const eacces = await runCli(['run', params, '--out', join(locked, 'reports')]);
    assert.equal(eacces.code, 2, eacces.stderr);
    assert.match(eacces.stderr, /cannot create .*reports \(EACCES\)/);
    results.push(eacces);
  }
  for (const r of results) assert.equal(kernelPids(r.stderr).length, 0, 'no kernel may start');
});

test('two notebooks with the same file name in one run are an error up front', async () => {
  const a = join(tmp('same-a'), 'params.ipynb');
  const b = join(tmp('same-b'), 'params.ipynb');
  copyFileSync(params, a);
  copyFileSync(params, b);
  const r = await runCli(['run', a, b, '--out', tmp('same-out')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /params\.ipynb and .*params\.ipynb have the same file name, so their outputs in --out would overwrite each other/);
  assert.equal(kernelPids(r.stderr).length, 0);
});

test('outputs are written all or nothing: a failed write leaves the previous files whole and no temp file', () => {
  const dir = tmp('atomic');
  const html = join(dir, 'nb.html');
  const claims = join(dir, 'nb.claims.json');
  writeFileSync(html, 'old html');
  writeFileSync(claims, 'old claims');
  // The third target's folder does not exist: its temp file cannot be created (as a full disk would fail a write).
  assert.throws(() => writeFilesAtomic([
    { path: html, data: 'new html' },
    { path: claims, data: 'new claims' },
    { path: join(dir, 'missing', 'nb.ipynb'), data: '{}' },
  ]), /ENOENT/);
  assert.equal(readFileSync(html, 'utf8'), 'old html');
  assert.equal(readFileSync(claims, 'utf8'), 'old claims');
  assert.deepEqual(readdirSync(dir).sort(), ['nb.claims.json', 'nb.html']);
  writeFilesAtomic([{ path: html, data: 'new html' }, { path: claims, data: 'new claims' }]);
  assert.equal(readFileSync(html, 'utf8'), 'new html');
  assert.deepEqual(readdirSync(dir).sort(), ['nb.claims.json', 'nb.html']);
});
