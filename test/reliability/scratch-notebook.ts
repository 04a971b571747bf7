/** Small notebooks written by a test: one code cell per source string, in a fresh temp folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchNotebook(name: string, sources: readonly string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rlrepro-scratch-')), `${name}.ipynb`);
  const cells = sources.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null }));
  writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }));
  return path;
}
