/**
 * Every notebook in notebooks/ runs with its quick preset (the notebooks are integration tests, as in d2l), via
 * `rlrepro reproduce --quick`, and the tour's report draws its Plotly figure in a real browser.
 * Needs `npm run build` (notebooks import the compiled package by name); `npm test` builds first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSkip, checkReportInBrowser } from './browser-check.js';
import { kernelPids, processAlive, repoRoot, runCli } from './harness.js';
import { nbformatErrors } from './schema.js';

const notebooks = readdirSync(join(repoRoot, 'notebooks')).filter((n) => n.endsWith('.ipynb')).sort();
const out = mkdtempSync(join(tmpdir(), 'rlrepro-reproduce-'));

test('rlrepro reproduce --quick runs every notebook and writes the index', { timeout: 600_000 }, async () => {
  assert.ok(notebooks.includes('00-tour.ipynb'), `notebooks/ should hold the tour, has: ${notebooks.join(', ')}`);
  const r = await runCli(['reproduce', '--quick', '--out', out, '--timeout', '300']);
  assert.equal(r.code, 0, r.stderr);
  for (const nb of notebooks) {
    const name = nb.replace(/\.ipynb$/, '');
    for (const ext of ['ipynb', 'html', 'claims.json']) assert.ok(existsSync(join(out, `${name}.${ext}`)), `${name}.${ext} written`);
    assert.deepEqual(nbformatErrors(JSON.parse(readFileSync(join(out, `${name}.ipynb`), 'utf8'))), [], `${name}.ipynb is valid nbformat 4.5`);
  }
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const nb of notebooks) assert.ok(index.includes(`href="${nb.replace(/\.ipynb$/, '')}.html"`), `index links ${nb}`);
  const tourClaims = JSON.parse(readFileSync(join(out, '00-tour.claims.json'), 'utf8')) as { claims: unknown[]; status: string };
  assert.equal(tourClaims.status, 'ok');
  assert.ok(tourClaims.claims.length >= 1, 'the tour checks a claim');
  for (const pid of kernelPids(r.stderr)) assert.equal(processAlive(pid), false, `kernel ${pid} left running`);
});

test('the tour report draws its Plotly curve offline in headless Chromium', { skip: browserSkip, timeout: 120_000 }, async () => {
  const html = join(out, '00-tour.html');
  assert.ok(existsSync(html), 'the reproduce test wrote the tour report');
  const page = await checkReportInBrowser(html, 'tour-report.png', 1);
  assert.equal(page.h1, '00-tour');
  assert.ok(page.verdicts >= 1);
});
