/**
 * Notebook documents (nbformat 4.5): the types we read and write, loading with errors that name the problem, and
 * saving in the layout Jupyter itself writes (1-space indent, sources as line arrays, trailing newline).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export type MultilineString = string | string[];
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  data: MimeBundle;
  metadata: Record<string, unknown>;
  execution_count: number | null;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  execution?: Record<string, string>;
  [key: string]: unknown;
}
export interface CodeCell {
  id: string;
  cell_type: 'code';
  metadata: CellMetadata;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface MarkdownCell {
  id: string;
  cell_type: 'markdown';
  metadata: CellMetadata;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell {
  id: string;
  cell_type: 'raw';
  metadata: CellMetadata;
  source: MultilineString;
}
export type Cell = CodeCell | MarkdownCell | RawCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** Source as one string, whichever of the two layouts the file used. */
export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/** "a\nb" -> ["a\n", "b"], the layout Jupyter writes. */
export function splitLines(text: string): string[] {
  const parts = text.split(/(?<=\n)/);
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}

export function newCellId(): string {
  return randomBytes(4).toString('hex');
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes(tag);
}

const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * Parses a notebook and upgrades it to nbformat 4.5 in memory (fills missing cell ids, as nbformat's own
 * validator does for 4.0-4.4 files). Structural problems are errors naming the file and the field.
 */
export function parseNotebook(text: string, path: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const nb = raw as Partial<Notebook> | null;
  if (!nb || typeof nb !== 'object' || Array.isArray(nb)) throw new Error(`${path}: a notebook must be a JSON object`);
  if (nb.nbformat !== 4) {
    throw new Error(`${path}: nbformat must be 4 (got ${JSON.stringify(nb.nbformat)}); convert older notebooks first`);
  }
  if (!Array.isArray(nb.cells)) throw new Error(`${path}: "cells" must be an array`);
  const seen = new Set<string>();
  nb.cells.forEach((cell, i) => {
    if (!cell || typeof cell !== 'object') throw new Error(`${path}: cells[${i}] must be an object`);
    if (!['code', 'markdown', 'raw'].includes(cell.cell_type)) {
      throw new Error(`${path}: cells[${i}].cell_type must be code, markdown or raw (got ${JSON.stringify(cell.cell_type)})`);
    }
    if (typeof cell.source !== 'string' && !Array.isArray(cell.source)) {
      throw new Error(`${path}: cells[${i}].source must be a string or an array of strings`);
    }
    cell.metadata ??= {};
    if (typeof cell.id !== 'string' || !CELL_ID.test(cell.id) || seen.has(cell.id)) cell.id = newCellId();
    seen.add(cell.id);
    if (cell.cell_type === 'code') {
      cell.outputs ??= [];
      cell.execution_count ??= null;
    }
  });
  return {
    nbformat: 4,
    nbformat_minor: Math.max(5, typeof nb.nbformat_minor === 'number' ? nb.nbformat_minor : 5),
    metadata: nb.metadata && typeof nb.metadata === 'object' ? nb.metadata : {},
    cells: nb.cells,
  };
}

export function readNotebook(path: string): Notebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such notebook file` : `${path}: cannot read (${code})`);
  }
  return parseNotebook(text, path);
}

/** Serialises like Jupyter: sources and text outputs as line arrays, 1-space indent, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  const lines = (s: MultilineString) => splitLines(joinSource(s));
  const cells = nb.cells.map((cell) => {
    const out: Record<string, unknown> = { ...cell, source: lines(cell.source) };
    if (cell.cell_type === 'code') {
      out['outputs'] = cell.outputs.map((o) => {
        if (o.output_type === 'stream') return { ...o, text: lines(o.text) };
        if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
          const data: MimeBundle = {};
          // JSON mime types stay objects; text ones become line arrays.
          for (const [mime, v] of Object.entries(o.data)) data[mime] = typeof v === 'string' ? lines(v) : v;
          return { ...o, data };
        }
        return o;
      });
    }
    return out;
  });
  return JSON.stringify({ ...nb, cells }, null, 1) + '\n';
}
