/**
 * A self-contained HTML report of an executed notebook: works offline (no CDN). The plotly.js bundle (11 MB) is
 * inlined ONCE per page, and only when the notebook has a figure; each figure is drawn from its
 * `application/vnd.plotly.v1+json` data. A failed run is marked at the top and at the failing cell.
 */
import { claimsTableHtml, type ClaimResult } from '../notebook/claims.js';
import { escapeHtml, jsonForScript } from '../notebook/html-escape.js';
import { CLAIM_MIME, PLOTLY_MIME } from '../notebook/mime.js';
import { plotlySource } from '../notebook/plotly-source.js';
import type { NotebookRun } from './execute.js';
import { markdownToHtml } from './markdown.js';
import { joinSource, type MimeBundle, type Output } from './nbformat.js';

export const REPORT_CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1f2937; line-height: 1.45; }
header.run { border: 1px solid #d1d5db; border-radius: 6px; padding: .8em 1em; margin-bottom: 1.5em; background: #f9fafb; }
.status-ok { color: #166534; font-weight: bold; } .status-failed { color: #991b1b; font-weight: bold; }
.cell { margin: .6em 0; } .cell.code > pre.source { background: #f3f4f6; border-left: 3px solid #9ca3af; padding: .5em .8em; overflow-x: auto; margin: 0; }
.cell.failed { outline: 3px solid #dc2626; outline-offset: 4px; border-radius: 2px; }
.cell.not-run > pre.source { opacity: .55; }
.prompt { color: #6b7280; font: 12px monospace; }
.output { padding: .3em .8em; overflow-x: auto; } .output pre { margin: .2em 0; white-space: pre-wrap; }
.output pre.stderr { background: #fff7ed; } .output pre.error { background: #fef2f2; color: #7f1d1d; }
table { border-collapse: collapse; margin: .4em 0; font-size: 14px; } th, td { border: 1px solid #d1d5db; padding: 3px 8px; vertical-align: top; } th { background: #f3f4f6; }
.plotly-figure { width: 100%; min-height: 380px; }
code { background: #f3f4f6; padding: 0 .2em; border-radius: 3px; } pre code { background: none; padding: 0; }
`;

function renderOutput(o: Output, figures: { id: string; figure: unknown }[]): string {
  switch (o.output_type) {
    case 'stream':
      return `<pre class="${o.name}">${escapeHtml(joinSource(o.text))}</pre>`;
    case 'error':
      return `<pre class="error">${escapeHtml(`${o.ename}: ${o.evalue}`)}${o.traceback.length ? '\n\n' + escapeHtml(o.traceback.join('\n')) : ''}</pre>`;
    case 'display_data':
    case 'execute_result':
      return renderBundle(o.data, figures);
  }
}

function text(v: unknown): string {
  return Array.isArray(v) ? v.join('') : String(v);
}

function renderBundle(data: MimeBundle, figures: { id: string; figure: unknown }[]): string {
  if (data[PLOTLY_MIME] !== undefined) {
    const id = `figure-${figures.length}`;
    figures.push({ id, figure: data[PLOTLY_MIME] });
    return `<div class="plotly-figure" id="${id}"></div>`;
  }
  // Claim outputs carry their table as text/html next to CLAIM_MIME.
  if (data['text/html'] !== undefined) return `<div class="html">${text(data['text/html'])}</div>`;
  if (data['image/svg+xml'] !== undefined) return `<div class="svg">${text(data['image/svg+xml'])}</div>`;
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (data[mime] !== undefined) return `<img alt="output" src="data:${mime};base64,${text(data[mime]).replace(/\s/g, '')}">`;
  }
  if (data['text/markdown'] !== undefined) return `<div class="markdown">${markdownToHtml(text(data['text/markdown']))}</div>`;
  if (data['text/plain'] !== undefined) return `<pre>${escapeHtml(text(data['text/plain']))}</pre>`;
  const mimes = Object.keys(data).filter((m) => m !== CLAIM_MIME);
  return `<pre>(output of type ${escapeHtml(mimes.join(', ') || 'none')} not shown)</pre>`;
}

export interface ReportOptions {
  /** Link back to the index page, when there is one. */
  indexHref?: string;
}

/** The report page of one run. */
export function renderReport(run: NotebookRun, options: ReportOptions = {}): string {
  const figures: { id: string; figure: unknown }[] = [];
  const failedAt = run.failure?.cellIndex ?? -1;
  const body = run.notebook.cells
    .map((cell, i) => {
      const src = joinSource(cell.source);
      if (cell.cell_type === 'markdown') return `<section class="cell markdown" id="cell-${i}">${markdownToHtml(src)}</section>`;
      if (cell.cell_type === 'raw') return `<section class="cell raw" id="cell-${i}"><pre>${escapeHtml(src)}</pre></section>`;
      const notRun = cell.execution_count === null && src.trim() !== '' && i !== failedAt;
      const cls = ['cell', 'code', i === failedAt ? 'failed' : '', notRun ? 'not-run' : ''].filter(Boolean).join(' ');
      const tags = Array.isArray(cell.metadata.tags) && cell.metadata.tags.length ? ` · tags: ${escapeHtml(cell.metadata.tags.join(', '))}` : '';
      const marker = i === failedAt ? ' · <b style="color:#991b1b">this cell failed</b>' : notRun ? ' · not run' : '';
      const outputs = cell.outputs.map((o) => `<div class="output">${renderOutput(o, figures)}</div>`).join('\n');
      return (
        `<section class="${cls}" id="cell-${i}"><div class="prompt">[${cell.execution_count ?? ' '}] cell ${i}${tags}${marker}</div>` +
        `<pre class="source"><code>${escapeHtml(src)}</code></pre>${outputs}</section>`
      );
    })
    .join('\n');

  const status = run.failure
    ? `<span class="status-failed">failed</span> at <a href="#cell-${run.failure.cellIndex}">cell ${run.failure.cellIndex}</a>: ${escapeHtml(`${run.failure.error.ename}: ${run.failure.error.evalue}`)}`
    : '<span class="status-ok">ran to the end</span>';
  const params = Object.keys(run.ranParams).length ? escapeHtml(JSON.stringify(run.ranParams)) : 'defaults';
  const requested = Object.keys(run.params).length ? escapeHtml(JSON.stringify(run.params)) : 'none';
  const claims: ClaimResult[] = run.claims;
  const claimsBlock = claims.length
    ? `<h3>Claims: ${claims.filter((c) => c.holds).length} of ${claims.length} reproduced</h3>${claimsTableHtml(claims)}`
    : '';
  const figureScript = figures.length
    ? `<script>${plotlySource()}</script>\n<script>(function () {\n  var figs = ${jsonForScript(figures)};\n` +
      `  figs.forEach(function (f) { var el = document.getElementById(f.id); var fig = f.figure || {};\n` +
      `    Plotly.newPlot(el, fig.data || [], fig.layout || {}, Object.assign({ responsive: true }, fig.config || {})); });\n})();</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(run.name)} — rlrepro report</title>
<style>${REPORT_CSS}</style>
</head><body>
<header class="run">
${options.indexHref ? `<div><a href="${escapeHtml(options.indexHref)}">← all notebooks</a></div>` : ''}
<h1>${escapeHtml(run.name)}</h1>
<div>Status: ${status}</div>
<div>Parameters that ran: <code>${params}</code> (overrides given: <code>${requested}</code>) · executed ${escapeHtml(run.startedAt)} · ${(run.durationMs / 1000).toFixed(1)} s (kernel start ${(run.kernelStartMs / 1000).toFixed(1)} s)</div>
${claimsBlock}
</header>
<main>
${body}
</main>
${figureScript}
</body></html>
`;
}
