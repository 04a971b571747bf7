/**
 * The HTML report in a real browser: headless Chromium, network blocked, must draw the Plotly figure from the
 * bundle inlined once in the page. Screenshot: test-artifacts/runner-report-plot.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserSkip, checkReportInBrowser } from './browser-check.js';
import { lineChart, plotlyBundle } from '../../src/notebook/index.js';
import { fixtureCopy, runCli } from './harness.js';

test('the report renders its Plotly figure offline in headless Chromium', { skip: browserSkip, timeout: 120_000 }, async () => {
  const { path } = fixtureCopy('rich.ipynb');
  const out = mkdtempSync(join(tmpdir(), 'rlrepro-report-'));
  const r = await runCli(['run', path, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(join(out, 'rich.html'), 'utf8');
  assert.equal(html.split('* plotly.js v').length - 1, 1, 'the plotly.js bundle is inlined exactly once');
  assert.equal((html.match(/<script>/g) ?? []).length, 2, 'one plotly bundle script and one drawing script');
  // The progress bar was updated in place: one output, in its final state, after 30 ticks.
  const nb = JSON.parse(readFileSync(join(out, 'rich.ipynb'), 'utf8')) as { cells: { source: string[]; outputs?: { data?: Record<string, string[]> }[] }[] };
  const barCell = nb.cells.find((c) => c.source.join('').includes('progress({'))!;
  assert.equal(barCell.outputs!.length, 1);
  assert.match(barCell.outputs![0]!.data!['text/plain']!.join(''), /^train \[#{20}\] 100% 30\/30 /);
  const page = await checkReportInBrowser(join(out, 'rich.html'), 'runner-report-plot.png', 2);
  assert.equal(page.traces, 2);
  assert.equal(page.h1, 'rich');
  assert.ok(page.verdicts >= 2, 'claim verdicts are shown');
});

test('the text/html fallback of a figure draws when the page has plotly.js (an nbconvert-style export)', { skip: browserSkip, timeout: 120_000 }, async () => {
  const bundle = plotlyBundle(lineChart([{ name: 'a', y: [3, 1, 2] }], { title: 'fallback' }));
  const plotly = readFileSync(createRequire(import.meta.url).resolve('plotly.js-dist'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-fallback-'));
  const page = join(dir, 'fallback.html');
  writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"><script>${plotly}</script></head><body>${String(bundle['text/html'])}</body></html>`);
  const r = await checkReportInBrowser(page, 'runner-html-fallback.png', 1, '.rlrepro-plot');
  assert.equal(r.traces, 1);
});
