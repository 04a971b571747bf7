/** The runner's pure parts: parameters, notebook parsing and serialisation, stderr -> error, markdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputCollector, errorFromStderr } from '../../src/runner/cell-outputs.js';
import { markdownToHtml } from '../../src/runner/markdown.js';
import { parseNotebook, serializeNotebook, type CodeCell } from '../../src/runner/nbformat.js';
import { declaredParameters, injectParameters, parseParamArgs } from '../../src/runner/parameters.js';
import { nbformatErrors } from './schema.js';

const nbText = (cells: unknown[]) => JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells });
const paramsCell = { cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'let lr = 0.1;\nlet name: string = "a";\nconst fixed = 1;\n', outputs: [], execution_count: null };

test('parseParamArgs takes JSON values and rejects the rest with the fix', () => {
  assert.deepEqual(parseParamArgs(['lr=0.5', 'seeds=[1,2]', 'name="x=y"', 'on=true']), { lr: 0.5, seeds: [1, 2], name: 'x=y', on: true });
  assert.throws(() => parseParamArgs(['lr']), /expected name=value/);
  assert.throws(() => parseParamArgs(['1x=2']), /not a valid identifier/);
  assert.throws(() => parseParamArgs(['name=abc']), /must be JSON.*--param 'name="abc"'/);
});

test('declaredParameters finds top-level let/const/var', () => {
  assert.deepEqual(declaredParameters(String(paramsCell.source)).map((d) => `${d.keyword} ${d.name}`), ['let lr', 'let name', 'const fixed']);
});

test('injectParameters writes assignments (no object shorthand) right after the parameters cell', () => {
  const nb = parseNotebook(nbText([{ cell_type: 'markdown', metadata: {}, source: '# t' }, paramsCell, { cell_type: 'code', metadata: {}, source: 'lr', outputs: [], execution_count: null }]), 'x.ipynb');
  injectParameters(nb, { lr: 0.5, name: 'a "b"' }, 'x.ipynb');
  const cell = nb.cells[2] as CodeCell;
  assert.deepEqual(cell.metadata.tags, ['injected-parameters']);
  assert.equal((cell.source as string[]).join(''), '// Injected by rlrepro run\nlr = 0.5;\nname = "a \\"b\\"";\nvoid 0; // so tslab does not echo the last value');
  // Re-injecting replaces the cell instead of adding a second one.
  injectParameters(nb, { lr: 1 }, 'x.ipynb');
  assert.equal(nb.cells.filter((c) => c.metadata.tags?.includes('injected-parameters')).length, 1);
  assert.throws(() => injectParameters(nb, { lrr: 1 }, 'x.ipynb'), /x\.ipynb: unknown parameter "lrr"; known parameters: lr, name, fixed/);
  assert.throws(() => injectParameters(nb, { fixed: 2 }, 'x.ipynb'), /declared with const/);
  assert.throws(() => injectParameters(nb, { quick: true }, 'x.ipynb'), /--quick needs the notebook to declare `let quick = false;`/);
});

test('parseNotebook upgrades to 4.5 with cell ids; errors name the problem', () => {
  const nb = parseNotebook(nbText([paramsCell, { cell_type: 'markdown', metadata: {}, source: ['a\n', 'b'] }]), 'y.ipynb');
  assert.equal(nb.nbformat_minor, 5);
  assert.ok(nb.cells.every((c) => /^[0-9a-f]{8}$/.test(c.id)));
  const round = JSON.parse(serializeNotebook(nb)) as { cells: { source: string[] }[] };
  assert.deepEqual(round.cells[1]!.source, ['a\n', 'b']);
  assert.deepEqual(nbformatErrors(round), []);
  assert.throws(() => parseNotebook('{"nbformat": 3, "cells": []}', 'old.ipynb'), /old\.ipynb: nbformat must be 4/);
  assert.throws(() => parseNotebook('{"nbformat": 4}', 'z.ipynb'), /"cells" must be an array/);
  assert.throws(() => parseNotebook(nbText([{ cell_type: 'python', source: '' }]), 'z.ipynb'), /cells\[0\]\.cell_type must be code, markdown or raw/);
});

test('the schema check itself rejects an invalid notebook', () => {
  assert.notDeepEqual(nbformatErrors({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', source: '', metadata: {} }] }), []);
});

test('errorFromStderr: TypeScript diagnostics and Node error prints', () => {
  const ts = errorFromStderr("1:1 - Cannot find name 'x'.\n3:2 - Type 'string' is not assignable to type 'number'.\n");
  assert.equal(ts.ename, 'TypeScriptError');
  assert.equal(ts.traceback.length, 2);
  const rt = errorFromStderr(
    'evalmachine.<anonymous>:2\nthrow new TypeError("boom");\n^\n\nTypeError: boom\n    at evalmachine.<anonymous>:2:7\n    at sigintHandlersWrap (node:vm:280:12)\n    at Object.execute (/x/node_modules/tslab/dist/executor.js:160:38)\n',
  );
  assert.equal(rt.ename, 'TypeError');
  assert.equal(rt.evalue, 'boom');
  assert.ok(rt.traceback.includes('    at evalmachine.<anonymous>:2:7'));
  assert.ok(!rt.traceback.some((l) => l.includes('node_modules/tslab')), 'tslab frames dropped');
  assert.match(errorFromStderr('').evalue, /wrote no error message/);
  const coded = errorFromStderr('Error [ERR_REQUIRE_ASYNC_MODULE]: require() cannot be used on an ESM graph with top-level await.\n  From /x/src.js\n}\n');
  assert.equal(coded.ename, 'Error [ERR_REQUIRE_ASYNC_MODULE]');
  assert.match(coded.evalue, /^require\(\) cannot be used/);
});

test('OutputCollector merges streams and applies display updates in place', () => {
  const cell: CodeCell = { id: 'a', cell_type: 'code', metadata: {}, source: '', outputs: [], execution_count: null };
  const col = new OutputCollector(cell);
  const msg = (msg_type: string, content: Record<string, unknown>) => ({ header: { msg_id: 'm', msg_type, session: 's', username: 'u', date: '2026-01-01T00:00:00Z', version: '5.3' }, parent_header: {}, metadata: {}, content });
  col.handle(msg('stream', { name: 'stdout', text: 'a' }));
  col.handle(msg('stream', { name: 'stdout', text: 'b\n' }));
  col.handle(msg('display_data', { data: { 'text/plain': '10%' }, metadata: {}, transient: { display_id: 'p' } }));
  col.handle(msg('update_display_data', { data: { 'text/plain': '90%' }, metadata: {}, transient: { display_id: 'p' } }));
  col.handle(msg('status', { execution_state: 'idle' }));
  assert.equal(cell.outputs.length, 2);
  assert.deepEqual(cell.outputs[0], { output_type: 'stream', name: 'stdout', text: 'ab\n' });
  assert.deepEqual(cell.outputs[1], { output_type: 'display_data', data: { 'text/plain': '90%' }, metadata: {} });
  assert.equal(cell.metadata.execution?.['iopub.status.idle'], '2026-01-01T00:00:00Z');
});

test('markdown: escaped, with headings, lists, code and links', () => {
  const html = markdownToHtml('# Title *x*\n\nSome `a<b` and **bold** [doc](https://e.org).\n\n- one\n- two\n\n```ts\nlet a = 1 < 2;\n```');
  assert.match(html, /<h1>Title <em>x<\/em><\/h1>/);
  assert.match(html, /<code>a&#60;b<\/code>/);
  assert.match(html, /<strong>bold<\/strong> <a href="https:\/\/e\.org">doc<\/a>/);
  assert.match(html, /<ul><li>one<\/li><li>two<\/li><\/ul>/);
  assert.match(html, /<pre><code>let a = 1 &#60; 2;<\/code><\/pre>/);
});

test('index page: a row per claim with the CI, notebook status, and a note for the quick preset', async () => {
  const { renderIndex } = await import('../../src/runner/index-report.js');
  const { evaluateClaim } = await import('../../src/notebook/claims.js');
  const claim = evaluateClaim({ id: 'x-up', statement: 'X goes up.', paper: { value: 0.1, source: 'P, Table 1' }, ours: [0.1, 0.2, 0.15], test: { kind: 'greater', than: 0 } });
  const html = renderIndex([
    { name: '01-a', source: 'notebooks/01-a.ipynb', report: '01-a.html', executedNotebook: '01-a.ipynb', status: 'ok', ok: true, durationMs: 1200, params: { quick: true }, claims: [claim] },
    { name: '02-b', source: 'notebooks/02-b.ipynb', report: '02-b.html', executedNotebook: '02-b.ipynb', status: 'failed at cell 4: TypeError: boom', ok: false, durationMs: 300, params: {}, claims: [] },
  ]);
  assert.match(html, /1 of 1 claims reproduced · 1 of 2 notebooks ran to the end/);
  assert.match(html, /<b>Quick preset:<\/b>/);
  assert.match(html, /<td><a href="01-a\.html">01-a<\/a><\/td><td><code>x-up<\/code><\/td>/);
  assert.match(html, /0\.15 \[0\.0258, 0\.274\] \(n=3\)/);
  assert.match(html, /class="status-failed">failed at cell 4: TypeError: boom/);
});

test('ensureSelfLink: needs a build, then links node_modules/rlrepro to the package root once', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, readlinkSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureSelfLink } = await import('../../src/runner/self-link.js');
  const root = mkdtempSync(join(tmpdir(), 'rlrepro-link-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'rlrepro' }));
  mkdirSync(join(root, 'notebooks'));
  assert.throws(() => ensureSelfLink(join(root, 'notebooks')), /dist[\\/]src[\\/]index\.js is missing: run `npm run build` first/);
  mkdirSync(join(root, 'dist', 'src'), { recursive: true });
  writeFileSync(join(root, 'dist', 'src', 'index.js'), '');
  mkdirSync(join(root, 'node_modules'));
  assert.match(ensureSelfLink(join(root, 'notebooks')) ?? '', /linked .*node_modules[\\/]rlrepro -> \.\./);
  assert.equal(readlinkSync(join(root, 'node_modules', 'rlrepro')), '..');
  assert.ok(existsSync(join(root, 'node_modules', 'rlrepro', 'package.json')));
  assert.equal(ensureSelfLink(join(root, 'notebooks')), null, 'second call: nothing to do');
  assert.equal(ensureSelfLink(tmpdir()), null, 'outside the package: nothing to do');
});
