import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PLOTLY_MIME, inKernel, lineChart, plotlyBundle, progress, tableBundle, toDataFrame } from '../../src/notebook/index.js';

function captureLog(fn: () => void): string[] {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (s: string) => lines.push(String(s));
  try {
    fn();
  } finally {
    console.log = orig;
  }
  return lines;
}

test('outside a kernel the helpers load without tslab and say so', () => {
  assert.equal(inKernel(), false);
});

test('plotly bundle: plotly JSON with typed arrays made plain, an HTML fallback, and text', () => {
  const fig = lineChart([{ name: 'loss', y: new Float32Array([1, 0.5, Number.NaN]) }], { title: 'Loss', xTitle: 'step' });
  const b = plotlyBundle(fig);
  const json = b[PLOTLY_MIME] as { data: { x: number[]; y: (number | null)[] }[]; layout: Record<string, unknown> };
  assert.deepEqual(json.data[0]!.y, [1, 0.5, null]);
  assert.deepEqual(json.data[0]!.x, [0, 1, 2]);
  assert.ok(!JSON.stringify(json).includes('"0":'), 'no typed array serialised as an object');
  assert.match(String(b['text/html']), /window\.Plotly\.newPlot/);
  assert.ok(!String(b['text/html']).includes('</script><'), 'one script element');
  assert.equal(b['text/plain'], 'Plotly figure "Loss" (1 trace)');
  assert.throws(() => lineChart([{ name: 'a', x: [1], y: [1, 2] }]), /series\[0\] \("a"\) has 1 x values but 2 y values/);
  assert.throws(() => plotlyBundle({ data: 'x' as never }), /figure.data must be an array/);
});

test('table bundle from rows and from a real danfojs DataFrame', async () => {
  const rows = [
    { seed: 1, acc: 0.123456, note: '<b>' },
    { seed: 2, acc: 0.5, note: 'ok' },
  ];
  const b = tableBundle(rows, { digits: 3 });
  assert.match(String(b['text/html']), /<th>seed<\/th><th>acc<\/th><th>note<\/th>/);
  assert.match(String(b['text/html']), /0\.123/);
  assert.match(String(b['text/html']), /&#60;b&#62;/);
  const df = await toDataFrame(rows);
  const fromDf = tableBundle(df, { digits: 3 });
  assert.equal(fromDf['text/html'], b['text/html']);
  assert.match(String(tableBundle(rows, { maxRows: 1 })['text/plain']), /… 1 more rows/);
  assert.throws(() => tableBundle(rows, { maxRows: 0 }), /maxRows must be an integer >= 1/);
});

test('progress outside a kernel prints a few lines, never one per step', () => {
  const lines = captureLog(() => {
    const bar = progress({ total: 1000, label: 'train' });
    for (let i = 0; i < 1000; i++) bar.tick({ loss: 1 / (i + 1) });
    bar.done();
    bar.done();
  });
  assert.ok(lines.length >= 2 && lines.length <= 5, `printed ${lines.length} lines`);
  assert.match(lines[lines.length - 1]!, /^train \[#{20}\] 100% 1000\/1000 [\d.]+s loss=0\.001$/);
  assert.throws(() => progress({ total: 0 }), /total must be an integer >= 1/);
  assert.throws(() => progress({ total: 3 }).update(4), /done must be in \[0, 3\]/);
});
