/**
 * Defect group 2 (issue 20): figures keep their titles. plotly.js 3 drops `title: 'text'`; plotlyBundle turns every
 * such title into `{ text }`. The band traces notebooks 02-04 each built are one library function. And a claim
 * notebook's report, drawn in headless Chromium, has a title and axis titles on every figure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLOTLY_MIME, bandTraces, plotlyBundle, type PlotlyFigure } from '../../src/notebook/index.js';
import { browserSkip } from '../runner/browser-check.js';
import { repoRoot, runCli } from '../runner/harness.js';
import { drawnFigures } from './figure-check.js';

test('plotlyBundle gives every string title the { text } form plotly.js 3 reads, without touching the input or data', () => {
  const fig: PlotlyFigure = {
    data: [{ type: 'heatmap', z: [[1]], colorbar: { title: 'nats' }, customdata: [{ title: 'kept' }], meta: { title: 'kept' } }],
    layout: { title: 'Loss', xaxis: { title: 'step' }, yaxis: { title: { text: 'already' } }, yaxis2: { title: 'entropy', overlaying: 'y' }, legend: { title: 'arm' } },
  };
  const json = plotlyBundle(fig)[PLOTLY_MIME] as { data: Record<string, unknown>[]; layout: Record<string, Record<string, unknown>> };
  assert.deepEqual(json.layout['title'], { text: 'Loss' });
  assert.deepEqual(json.layout['xaxis']!['title'], { text: 'step' });
  assert.deepEqual(json.layout['yaxis']!['title'], { text: 'already' });
  assert.deepEqual(json.layout['yaxis2']!['title'], { text: 'entropy' });
  assert.deepEqual(json.layout['legend']!['title'], { text: 'arm' });
  assert.deepEqual(json.data[0]!['colorbar'], { title: { text: 'nats' } });
  assert.deepEqual(json.data[0]!['customdata'], [{ title: 'kept' }], 'data is not rewritten');
  assert.deepEqual(json.data[0]!['meta'], { title: 'kept' });
  assert.equal(fig.layout!['title'], 'Loss', 'the caller\'s figure is not changed');
  assert.equal(plotlyBundle(fig)['text/plain'], 'Plotly figure "Loss" (1 trace)');
});

test('bandTraces: upper edge, filled lower edge and mean; non-finite values dropped; one value has no band', () => {
  const [hi, lo, mean] = bandTraces({ name: 'PSR', x: [0, 1, 2], ys: [[1, 3], [2, NaN], [NaN]], color: '#1f77b4', dash: 'dot' }) as Record<string, unknown>[];
  assert.deepEqual(mean!['y'], [2, 2, NaN]);
  assert.equal(mean!['name'], 'PSR');
  assert.deepEqual(mean!['line'], { color: '#1f77b4', dash: 'dot' });
  // mean 2, sd sqrt(2), t(0.975, 1) = 12.706: half-width 12.706 * sqrt(2) / sqrt(2) = 12.706
  assert.ok(Math.abs((hi!['y'] as number[])[0]! - (2 + 12.7062)) < 1e-3);
  assert.ok(Math.abs((lo!['y'] as number[])[0]! - (2 - 12.7062)) < 1e-3);
  assert.equal((hi!['y'] as number[])[1], 2, 'a single value: the band edge sits on the mean');
  assert.equal(lo!['fill'], 'tonexty');
  assert.equal(lo!['fillcolor'], '#1f77b433');
  assert.deepEqual([hi!['showlegend'], lo!['showlegend'], mean!['showlegend']], [false, false, undefined]);
  assert.ok([hi, lo, mean].every((t) => t!['legendgroup'] === 'PSR'));
  assert.throws(() => bandTraces({ name: 'a', x: [0, 1], ys: [[1]], color: '#000000' }), /"a" has 2 x values but 1 ys entries/);
  assert.throws(() => bandTraces({ name: 'a', x: [0], ys: [[1]], color: 'red' }), /color must be #rrggbb/);
});

test('a claim notebook\'s report draws a title and axis titles on every figure (headless Chromium)', { skip: browserSkip, timeout: 600_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'rlrepro-figures-'));
  const r = await runCli(['run', join(repoRoot, 'notebooks', '02-rlif-collapse.ipynb'), '--quick', '--out', out, '--timeout', '300']);
  assert.equal(r.code, 0, r.stderr);
  const figures = await drawnFigures(join(out, '02-rlif-collapse.html'), 'rlif-collapse-figures.png');
  assert.ok(figures.length >= 10, `02 draws its figures (found ${figures.length})`);
  const untitled = figures.filter((f) => f.title === '' || Object.keys(f.axes).length < 2 || Object.values(f.axes).some((t) => t === ''));
  assert.deepEqual(untitled, [], 'figures missing a title or an axis title');
  assert.ok(figures.some((f) => f.axes['y2']), 'the figure with a second y axis labels it');
});
