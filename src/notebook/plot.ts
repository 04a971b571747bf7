/**
 * Plotly figures as notebook outputs. One output carries three views of the same figure:
 * - `application/vnd.plotly.v1+json` — rendered natively by VS Code, by JupyterLab with jupyterlab-plotly, and by
 *   rlrepro's HTML reports (which include the plotly.js bundle once per page, not once per figure);
 * - `text/html` — for a plain JupyterLab or Notebook: a div and a script that draws with `window.Plotly`. The
 *   first figure a kernel shows also carries the bundled plotly.js (plotly.js-dist, offline, once per notebook);
 *   a figure drawn before it loads (a notebook rendered out of order) waits in a queue the loader drains. Where
 *   scripts do not run (an untrusted notebook) a note says how to see the figure;
 * - `text/plain` — a one-line summary for terminals.
 */
import { displayBundle, inKernel, newDisplayId, type MimeBundle } from './display.js';
import { escapeHtml, jsonForScript } from './html-escape.js';
import { PLOTLY_MIME } from './mime.js';
import { plotlySource } from './plotly-source.js';

/** A Plotly trace (`{ type: 'scatter', x, y, name, mode }` ...); typed arrays are accepted. */
export type PlotlyTrace = Record<string, unknown>;

export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Typed arrays -> arrays and non-finite numbers -> null, so the figure survives JSON (Plotly draws gaps for null). */
function toPlainJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => toPlainJson(Number(v)));
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlainJson(v);
    return out;
  }
  return value;
}

/**
 * Every `title: 'text'` (the layout's, each axis's, a legend's or colorbar's) as `{ text: 'text' }`: plotly.js 3
 * drops the string form silently, leaving a figure without its title and axis labels. Works on the plain JSON
 * copy, in place; trace data (`x`, `y`, `customdata`, `meta`) is not searched.
 */
function normalizeTitles(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) if (v && typeof v === 'object') normalizeTitles(v);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'title' && (typeof v === 'string' || typeof v === 'number')) obj[key] = { text: String(v) };
    else if (v && typeof v === 'object' && !['x', 'y', 'z', 'customdata', 'meta', 'text'].includes(key)) normalizeTitles(v);
  }
}

function figureTitle(fig: PlotlyFigure): string {
  const t = fig.layout?.['title'];
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') return (t as { text: string }).text;
  return 'untitled';
}

export interface PlotlyBundleOptions {
  /** Put the plotly.js bundle into the text/html view (showPlot does for the first figure of a kernel). */
  includePlotly?: boolean;
}

/** Functions waiting for plotly.js in the page; the loader runs them once `window.Plotly` exists. */
const QUEUE = 'rlreproPlotQueue';

/** The mime bundle for a figure (pure: used by `showPlot` and by tests). */
export function plotlyBundle(fig: PlotlyFigure, options: PlotlyBundleOptions = {}): MimeBundle {
  if (!fig || !Array.isArray(fig.data)) throw new Error('plot: figure.data must be an array of traces');
  fig.data.forEach((t, i) => {
    if (!t || typeof t !== 'object') throw new Error(`plot: figure.data[${i}] must be a trace object`);
  });
  const json = toPlainJson({ data: fig.data, layout: fig.layout ?? {}, config: fig.config ?? {} }) as Required<PlotlyFigure>;
  normalizeTitles(json.layout);
  normalizeTitles(json.data);
  const id = `rlrepro-plot-${newDisplayId()}`;
  const title = figureTitle(fig);
  // The note shows where scripts do not run (an untrusted notebook in JupyterLab); the script replaces it.
  const note =
    `Plotly figure "${escapeHtml(title)}": this view ran no scripts (trust the notebook, or run its first figure's ` +
    `cell, which loads plotly.js), or open the HTML report written by rlrepro run, or use VS Code.`;
  const loader = options.includePlotly
    ? `<script>${plotlySource()}</script>\n<script>(window.${QUEUE} || []).splice(0).forEach(function (draw) { draw(); });</script>\n`
    : '';
  const html =
    `<div id="${id}" class="rlrepro-plot"><p class="rlrepro-plot-note">${note}</p></div>\n` +
    loader +
    `<script>(function () {\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    `  var fig = ${jsonForScript(json)};\n` +
    `  function draw() { if (el) { el.innerHTML = ''; window.Plotly.newPlot(el, fig.data, fig.layout, fig.config); } }\n` +
    `  if (window.Plotly) draw(); else (window.${QUEUE} = window.${QUEUE} || []).push(draw);\n` +
    `})();</script>`;
  return {
    [PLOTLY_MIME]: json,
    'text/html': html,
    'text/plain': `Plotly figure "${title}" (${fig.data.length} trace${fig.data.length === 1 ? '' : 's'})`,
  };
}

let plotlySent = false;

/**
 * Shows a Plotly figure in the current cell (prints a summary line outside a kernel). The first figure of a kernel
 * carries plotly.js in its HTML view, so a plain Jupyter page can draw every figure.
 */
export function showPlot(fig: PlotlyFigure): void {
  const first = !plotlySent && inKernel();
  if (displayBundle(plotlyBundle(fig, { includePlotly: first })) && first) plotlySent = true;
}

export interface LineSeries {
  name: string;
  y: ArrayLike<number>;
  /** Defaults to 0..n-1. */
  x?: ArrayLike<number>;
}

export interface LineChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
}

/** A figure of one line per series: the common training-curve plot. */
export function lineChart(series: LineSeries[], options: LineChartOptions = {}): PlotlyFigure {
  if (series.length === 0) throw new Error('lineChart: series must contain at least one series');
  const data = series.map((s, i) => {
    if (s.x && s.x.length !== s.y.length) {
      throw new Error(`lineChart: series[${i}] ("${s.name}") has ${s.x.length} x values but ${s.y.length} y values`);
    }
    return {
      type: 'scatter',
      mode: 'lines',
      name: s.name,
      x: s.x ? Array.from(s.x) : Array.from({ length: s.y.length }, (_, j) => j),
      y: Array.from(s.y),
    };
  });
  const axis = (title: string | undefined, log: boolean | undefined) => ({
    ...(title ? { title: { text: title } } : {}),
    ...(log ? { type: 'log' } : {}),
  });
  return {
    data,
    layout: {
      ...(options.title ? { title: { text: options.title } } : {}),
      xaxis: axis(options.xTitle, options.logX),
      yaxis: axis(options.yTitle, options.logY),
      margin: { t: options.title ? 48 : 16, r: 16, b: 48, l: 56 },
      height: 360,
    },
  };
}
