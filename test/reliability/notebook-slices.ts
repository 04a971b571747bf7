/**
 * Slices of the real notebooks for tests that need a notebook's own parameter handling but not its training: the
 * parameters cell and every code cell up to and including the one that calls `presetConfig`, plus a cell that
 * prints the seeds the resolved config holds. `from 'rlrepro'` points at this build (as fixtureCopy does), so the
 * slices run from a temp folder.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRoot, repoRoot } from '../runner/harness.js';

interface Cell {
  cell_type: string;
  metadata: { tags?: string[] };
  source: string | string[];
  outputs?: unknown[];
}

const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

/** The variable each notebook's config cell resolves into. */
const CONFIG_VAR: Record<string, string> = { '00-tour': 'tour' };

/** Writes slices of `names` (e.g. '04-negative-reinforcement') into one new temp folder; returns their paths. */
export function configSlices(names: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-slices-'));
  const index = join(buildRoot, 'src', 'index.js').replaceAll('\\', '/');
  return names.map((name) => {
    const nb = JSON.parse(readFileSync(join(repoRoot, 'notebooks', `${name}.ipynb`), 'utf8')) as { cells: Cell[] };
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    const start = code.findIndex((c) => c.metadata.tags?.includes('parameters'));
    const end = code.findIndex((c) => text(c.source).includes('presetConfig('));
    if (start < 0 || end < start) throw new Error(`${name}: no parameters cell followed by a presetConfig call`);
    const cells = code.slice(start, end + 1).map((c) => ({ ...c, source: text(c.source).replaceAll("from 'rlrepro'", `from '${index}'`) }));
    const v = CONFIG_VAR[name] ?? 'config';
    cells.push({ cell_type: 'code', metadata: {}, source: `console.log('resolved seeds ' + JSON.stringify(${v}.seeds));`, outputs: [] });
    const path = join(dir, `${name}.ipynb`);
    writeFileSync(path, JSON.stringify({ ...nb, cells: cells.map((c, i) => ({ ...c, id: `s${i}`, outputs: [], execution_count: null })) }));
    return path;
  });
}
