/**
 * Defect group 7 (issue 20): in a plain JupyterLab (no jupyterlab-plotly) figures render from their text/html
 * view: the first figure a kernel shows carries the bundled plotly.js, once per notebook, and every figure draws,
 * also when a later one is rendered before the first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLOTLY_MIME, lineChart, plotlyBundle } from '../../src/notebook/index.js';
import { browserSkip, checkReportInBrowser } from '../runner/browser-check.js';
import { buildRoot, runCli } from '../runner/harness.js';
import { scratchNotebook } from './scratch-notebook.js';

const BUNDLE_BANNER = '* plotly.js v';
const count = (text: string, part: string) => text.split(part).length - 1;

test('plotlyBundle puts plotly.js into the HTML view only when asked, with a loader that draws queued figures', () => {
  const fig = lineChart([{ name: 'a', y: [1, 2] }], { title: 't', xTitle: 'x', yTitle: 'y' });
  const plain = String(plotlyBundle(fig)['text/html']);
  assert.equal(count(plain, BUNDLE_BANNER), 0);
  assert.match(plain, /if \(window\.Plotly\) draw\(\); else \(window\.rlreproPlotQueue = window\.rlreproPlotQueue \|\| \[\]\)\.push\(draw\)/);
  const first = String(plotlyBundle(fig, { includePlotly: true })['text/html']);
  assert.equal(count(first, BUNDLE_BANNER), 1);
  assert.match(first, /\(window\.rlreproPlotQueue \|\| \[\]\)\.splice\(0\)\.forEach/);
  assert.ok(first.indexOf(BUNDLE_BANNER) < first.indexOf('function draw()'), 'the bundle loads before the figure draws');
});

interface OutputJson {
  output_type: string;
  data?: Record<string, unknown>;
}

test('a kernel sends plotly.js with its first figure only, and a page of the HTML views draws every figure', { skip: browserSkip, timeout: 180_000 }, async () => {
  const notebook = join(buildRoot, 'src', 'notebook', 'index.js').replaceAll('\\', '/');
  const path = scratchNotebook('figures', [
    `import { showPlot, lineChart } from '${notebook}';`,
    "showPlot(lineChart([{ name: 'first', y: [3, 1, 2] }], { title: 'first', xTitle: 'x', yTitle: 'y' }));",
    "showPlot(lineChart([{ name: 'second', y: [1, 3, 2, 4] }], { title: 'second', xTitle: 'x', yTitle: 'y' }));",
  ]);
  const out = mkdtempSync(join(tmpdir(), 'rlrepro-jupyter-'));
  const r = await runCli(['run', path, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const nb = JSON.parse(readFileSync(join(out, 'figures.ipynb'), 'utf8')) as { cells: { outputs: OutputJson[] }[] };
  const figures = nb.cells.flatMap((c) => c.outputs).filter((o) => o.data?.[PLOTLY_MIME]);
  assert.equal(figures.length, 2);
  const html = figures.map((o) => (o.data!['text/html'] as string[]).join(''));
  assert.deepEqual(html.map((h) => count(h, BUNDLE_BANNER)), [1, 0], 'plotly.js once, with the first figure');
  // Rendered in reverse, as a windowed notebook may: the second figure waits for the first one's plotly.js.
  const page = join(out, 'jupyter-like.html');
  writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"></head><body>${[...html].reverse().join('\n')}</body></html>`);
  const drawn = await checkReportInBrowser(page, 'jupyter-html-fallback.png', 2, '.rlrepro-plot');
  assert.equal(drawn.traces, 2, 'both figures drew');
});
