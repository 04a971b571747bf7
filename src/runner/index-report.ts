/** reports/index.html: every notebook's status and one row per claim, linking to each notebook's report. */
import { CLAIM_CELLS_HEAD, claimCellsHtml } from '../notebook/claims.js';
import { escapeHtml } from '../notebook/html-escape.js';
import { REPORT_CSS } from './report-html.js';

/** What the index needs of one notebook's run (also what `<name>.claims.json` holds). */
export interface RunSummary {
  name: string;
  source: string;
  report: string;
  executedNotebook: string;
  /** "ok", or "failed at cell N: ename: evalue", or the error that kept the notebook from starting. */
  status: string;
  ok: boolean;
  durationMs: number;
  /** Parameters that ran: the overrides and what the notebook resolved ({} = defaults; quick: true or preset "quick" = the quick preset). */
  params: Record<string, unknown>;
  claims: import('../notebook/claims.js').ClaimResult[];
}

export function renderIndex(runs: readonly RunSummary[], generatedAt = new Date().toISOString()): string {
  const claimRows = runs.flatMap((run) =>
    run.claims.map(
      (c) =>
        `<tr><td><a href="${escapeHtml(run.report)}">${escapeHtml(run.name)}</a></td><td><code>${escapeHtml(c.id)}</code></td>` +
        `<td>${escapeHtml(c.statement)}</td><td>${escapeHtml(String(c.paper.value))}<br><small>${escapeHtml(c.paper.source)}</small></td>` +
        `${claimCellsHtml(c)}</tr>`,
    ),
  );
  const nbRows = runs.map(
    (r) =>
      `<tr><td><a href="${escapeHtml(r.report)}">${escapeHtml(r.name)}</a></td><td class="${r.ok ? 'status-ok' : 'status-failed'}">${escapeHtml(r.status)}</td>` +
      `<td>${(r.durationMs / 1000).toFixed(1)} s</td><td>${Object.keys(r.params).length ? `<code>${escapeHtml(JSON.stringify(r.params))}</code>` : 'defaults'}</td>` +
      `<td>${r.claims.filter((c) => c.holds).length} / ${r.claims.length}</td>` +
      `<td><a href="${escapeHtml(r.executedNotebook)}">.ipynb</a></td></tr>`,
  );
  const held = runs.reduce((s, r) => s + r.claims.filter((c) => c.holds).length, 0);
  const total = runs.reduce((s, r) => s + r.claims.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rlrepro — reproduction report</title><style>${REPORT_CSS}</style></head><body>
<h1>rlrepro reproduction report</h1>
${runs.some((r) => r.params['quick'] === true || r.params['preset'] === 'quick') ? '<p><b>Quick preset:</b> small sizes for a smoke test; these numbers are not the reproduction.</p>\n' : ''}<p>${held} of ${total} claims reproduced · ${runs.filter((r) => r.ok).length} of ${runs.length} notebooks ran to the end · generated ${escapeHtml(generatedAt)}</p>
<h2>Claims</h2>
${claimRows.length ? `<table><thead><tr><th>notebook</th><th>claim</th><th>statement</th><th>paper</th>${CLAIM_CELLS_HEAD}</tr></thead><tbody>\n${claimRows.join('\n')}</tbody></table>` : '<p>No claims were checked.</p>'}
<h2>Notebooks</h2>
<table><thead><tr><th>notebook</th><th>status</th><th>time</th><th>parameters</th><th>claims reproduced</th><th>executed</th></tr></thead><tbody>
${nbRows.join('\n')}</tbody></table>
</body></html>
`;
}
