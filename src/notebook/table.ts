/**
 * Tables as notebook outputs: danfojs DataFrames (or plain rows) to an HTML table plus a text fallback.
 *
 * We read a DataFrame through its public `columns` and `values` rather than importing danfojs: loading danfojs-node
 * takes seconds, so only `toDataFrame` (for readers who want danfo's API) imports it, lazily.
 */
import { displayBundle, type MimeBundle } from './display.js';
import { escapeHtml } from './html-escape.js';

/** What we need from a danfojs DataFrame (structural, so any version works). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index?: (string | number)[];
}

export type Row = Record<string, unknown>;

export interface TableOptions {
  /** Rows shown before eliding the rest (>= 1). Default 50. */
  maxRows?: number;
  /** Significant digits for non-integer numbers (1..17). Default 4. */
  digits?: number;
  caption?: string;
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  return !!x && typeof x === 'object' && Array.isArray((x as DataFrameLike).columns) && Array.isArray((x as DataFrameLike).values);
}

function formatCell(v: unknown, digits: number): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    return Number(v.toPrecision(digits)).toString();
  }
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

interface Grid {
  columns: string[];
  rows: unknown[][];
}

function toGrid(input: DataFrameLike | Row[]): Grid {
  if (isDataFrameLike(input)) {
    // A one-column frame has `values` as a flat array.
    const rows = (input.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
    return { columns: input.columns.map(String), rows };
  }
  if (!Array.isArray(input)) throw new Error('table: expected a danfojs DataFrame or an array of row objects');
  const columns: string[] = [];
  for (const [i, row] of input.entries()) {
    if (!row || typeof row !== 'object') throw new Error(`table: rows[${i}] must be an object`);
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  }
  return { columns, rows: input.map((r) => columns.map((c) => r[c])) };
}

/** The mime bundle (HTML table + aligned text) for a DataFrame or rows. */
export function tableBundle(input: DataFrameLike | Row[], options: TableOptions = {}): MimeBundle {
  const maxRows = options.maxRows ?? 50;
  const digits = options.digits ?? 4;
  if (!(Number.isInteger(maxRows) && maxRows >= 1)) throw new Error(`table: maxRows must be an integer >= 1, got ${maxRows}`);
  if (!(Number.isInteger(digits) && digits >= 1 && digits <= 17)) throw new Error(`table: digits must be in 1..17, got ${digits}`);
  const { columns, rows } = toGrid(input);
  const shown = rows.slice(0, maxRows).map((r) => r.map((v) => formatCell(v, digits)));
  const elided = rows.length - shown.length;
  const numeric = columns.map((_, j) => rows.every((r) => typeof r[j] === 'number' || r[j] == null));

  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = shown
    .map((r) => `<tr>${r.map((v, j) => `<td${numeric[j] ? ' style="text-align:right"' : ''}>${escapeHtml(v)}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  const more = elided > 0 ? `<tr><td colspan="${columns.length}">… ${elided} more rows</td></tr>` : '';
  const html = `<table class="rlrepro-table">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}${more}</tbody></table>`;

  const widths = columns.map((c, j) => Math.max(c.length, ...shown.map((r) => r[j]!.length)));
  const line = (cells: string[]) => cells.map((v, j) => (numeric[j] ? v.padStart(widths[j]!) : v.padEnd(widths[j]!))).join('  ');
  const text = [
    ...(options.caption ? [options.caption] : []),
    line(columns),
    ...shown.map(line),
    ...(elided > 0 ? [`… ${elided} more rows`] : []),
  ].join('\n');
  return { 'text/html': html, 'text/plain': text };
}

/** Shows a danfojs DataFrame (or an array of row objects) as a table in the current cell. */
export function showTable(input: DataFrameLike | Row[], options: TableOptions = {}): void {
  displayBundle(tableBundle(input, options));
}

/** Builds a danfojs DataFrame from rows; imports danfojs-node on first use (it is slow to load). */
export async function toDataFrame(rows: Row[]): Promise<DataFrameLike> {
  const danfo = (await import('danfojs-node')) as unknown as { DataFrame: new (rows: Row[]) => DataFrameLike };
  return new danfo.DataFrame(rows);
}
