/**
 * The runner end to end through the CLI: parameters, nbformat validity, failing cells, bad input, timeouts and
 * signals — and, after each, that no kernel process is left in the process table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureCopy, fixturesDir, kernelPids, processAlive, runCli } from './harness.js';
import { nbformatErrors } from './schema.js';

interface NbJson {
  cells: { cell_type: string; metadata: { tags?: string[]; execution?: Record<string, string> }; source: string[]; outputs?: { output_type: string; text?: string[]; ename?: string; evalue?: string }[]; execution_count?: number | null }[];
}

const outDir = () => mkdtempSync(join(tmpdir(), 'rlrepro-out-'));
const readNb = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as NbJson;
const streamText = (cell: NbJson['cells'][number]) => (cell.outputs ?? []).map((o) => (o.text ?? []).join('')).join('');

function assertNoKernelLeft(stderr: string): void {
  const pids = kernelPids(stderr);
  assert.ok(pids.length > 0, `the CLI should report its kernel pid:\n${stderr}`);
  for (const pid of pids) assert.equal(processAlive(pid), false, `kernel pid ${pid} is still running`);
}

test('run injects parameters after the parameters cell and writes a valid nbformat 4.5 notebook', async () => {
  const { path } = fixtureCopy('params.ipynb');
  const out = outDir();
  const r = await runCli(['run', path, '--param', 'seeds=7', '--param', 'label="x y"', '--param', 'sizes=[4,5]', '--quick', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[params\] cell 1\/5 ok/);
  const nb = readNb(join(out, 'params.ipynb'));
  assert.deepEqual(nbformatErrors(nb), []);
  const pIdx = nb.cells.findIndex((c) => c.metadata.tags?.includes('parameters'));
  const injected = nb.cells[pIdx + 1]!;
  assert.deepEqual(injected.metadata.tags, ['injected-parameters']);
  assert.match(injected.source.join(''), /^seeds = 7;$/m);
  assert.match(injected.source.join(''), /^sizes = \[4,5\];$/m);
  assert.equal(streamText(injected), '', 'the injected cell should not echo a value');
  assert.equal(streamText(nb.cells[pIdx + 2]!), 'seeds=7 label=x y quick=true sizes=[4,5]\n');
  const code = nb.cells.filter((c) => c.cell_type === 'code' && c.source.join('').trim() !== '');
  assert.deepEqual(code.map((c) => c.execution_count), [1, 2, 3, 4, 5]);
  for (const c of code) assert.ok(c.metadata.execution?.['shell.execute_reply'] && c.metadata.execution['iopub.status.idle']);
  assert.equal(streamText(code[code.length - 1]!), '14\n');
  assert.ok(existsSync(join(out, 'params.html')) && existsSync(join(out, 'params.claims.json')));
  assertNoKernelLeft(r.stderr);
});

test('a failing cell stops the notebook, keeps earlier outputs, names the cell, and exits 1', async () => {
  const { path } = fixtureCopy('failing.ipynb');
  const out = outDir();
  const r = await runCli(['run', path, '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /failing\.ipynb: cell 2 \(code cell 2, id c3\) failed: RangeError: deliberate failure in the third cell/);
  const nb = readNb(join(out, 'failing.ipynb'));
  assert.deepEqual(nbformatErrors(nb), []);
  assert.equal(streamText(nb.cells[1]!), 'before the failure\n');
  const error = nb.cells[2]!.outputs!.find((o) => o.output_type === 'error');
  assert.equal(error?.ename, 'RangeError');
  assert.equal(error?.evalue, 'deliberate failure in the third cell');
  assert.equal(nb.cells[3]!.execution_count, null);
  assert.deepEqual(nb.cells[3]!.outputs, []);
  const html = readFileSync(join(out, 'failing.html'), 'utf8');
  assert.match(html, /class="cell code failed" id="cell-2"/);
  assert.match(html, /<span class="status-failed">failed<\/span> at <a href="#cell-2">/);
  assertNoKernelLeft(r.stderr);
});

test('bad input: unknown parameter, missing file, malformed JSON, non-JSON value, --quick without a quick preset', async () => {
  const params = join(fixturesDir, 'params.ipynb');
  const unknown = await runCli(['run', params, '--param', 'nope=1', '--out', outDir()]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown parameter "nope"; known parameters: seeds, label, quick, sizes/);

  const missing = await runCli(['run', join(fixturesDir, 'does-not-exist.ipynb')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does-not-exist\.ipynb: no such notebook file/);

  const malformed = await runCli(['run', join(fixturesDir, 'malformed.ipynb')]);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /malformed\.ipynb: not valid JSON/);

  const notJson = await runCli(['run', params, '--param', 'label=hello']);
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /--param label=hello: the value must be JSON/);

  const quick = await runCli(['run', join(fixturesDir, 'failing.ipynb'), '--quick']);
  assert.equal(quick.code, 2);
  assert.match(quick.stderr, /has no code cell tagged "parameters"/);
  for (const r of [unknown, missing, malformed, notJson, quick]) assert.equal(kernelPids(r.stderr).length, 0, 'bad input must be caught before a kernel starts');
});

test('a cell over the per-cell timeout is interrupted and reported; the kernel is shut down', async () => {
  const { path } = fixtureCopy('slow.ipynb');
  const out = outDir();
  const r = await runCli(['run', path, '--timeout', '2', '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cell 1 \(code cell 2, id c2\) failed: CellTimeout: the cell ran longer than the per-cell timeout \(2 s\)/);
  const nb = readNb(join(out, 'slow.ipynb'));
  assert.equal(streamText(nb.cells[0]!), 'started\n');
  assertNoKernelLeft(r.stderr);
});

test('SIGTERM during a cell shuts the kernel down before the command exits', async () => {
  const { path } = fixtureCopy('slow.ipynb');
  let signalled = false;
  const r = await runCli(['run', path, '--out', outDir()], {
    onStderr: (all, pid) => {
      if (!signalled && /cell 1\/2 ok/.test(all)) {
        signalled = true;
        // Let the long cell start first.
        setTimeout(() => process.kill(pid, 'SIGTERM'), 300);
      }
    },
  });
  assert.ok(signalled, r.stderr);
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /SIGTERM, shutting down 1 kernel/);
  assertNoKernelLeft(r.stderr);
});
