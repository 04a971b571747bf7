/**
 * `rlrepro run` and `rlrepro reproduce`: execute notebooks, write `<name>.ipynb` (executed), `<name>.html` (report)
 * and `<name>.claims.json` into the output folder, and (reproduce) `index.html` over all of them.
 *
 * Exit codes: 0 all notebooks ran (and, with failOnClaims, every claim was reproduced); 1 a notebook failed;
 * 2 bad input (missing file, malformed notebook, unknown parameter or one of the wrong type, before any kernel
 * starts; or a value the notebook itself rejected with a ParameterError); 3 claims not reproduced with failOnClaims.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseBackendName } from '../backend/names.js';
import { claimToJson } from '../notebook/claims.js';
import { describeFailure, executeNotebook, type NotebookRun, type ProgressEvent } from './execute.js';
import { renderIndex, type RunSummary } from './index-report.js';
import { joinSource, readNotebook, serializeNotebook } from './nbformat.js';
import { InputError } from './input-error.js';
import { prepareOutDir, writeFilesAtomic } from './output-files.js';
import { injectParameters, requestedParameters, type ParameterValues } from './parameters.js';
import { renderReport } from './report-html.js';
import { ensureSelfLink } from './self-link.js';

export interface RunOptions {
  params?: ParameterValues;
  quick?: boolean;
  /** Output folder. Default "reports". */
  outDir?: string;
  /** Per-cell timeout in seconds. Default 3600. */
  timeoutS?: number;
  failOnClaims?: boolean;
  /** Write index.html over all runs. */
  writeIndex?: boolean;
  log?: (line: string) => void;
  onProgress?: (e: ProgressEvent) => void;
}

export interface RunResult {
  exitCode: number;
  summaries: RunSummary[];
  /** One line per problem: failed notebooks (naming the cell and error) and unreproduced claims. */
  problems: string[];
}

export { InputError };

/**
 * Checks everything before running anything: the backend name, that every notebook exists, parses and accepts
 * the parameters, that no two notebooks' outputs would overwrite each other, and that the output folder can be
 * written.
 */
function preflight(paths: readonly string[], options: RunOptions, outDir: string): void {
  if (paths.length === 0) throw new InputError('no notebooks given: rlrepro run <notebook.ipynb...>');
  // Every kernel inherits the environment; a backend name initBackend would reject fails here, not in a cell.
  const backend = process.env['RLREPRO_BACKEND'];
  if (backend !== undefined && backend !== '') {
    try {
      parseBackendName(backend, 'RLREPRO_BACKEND');
    } catch (e) {
      throw new InputError((e as Error).message);
    }
  }
  for (const p of paths) {
    if (!p.toLowerCase().endsWith('.ipynb')) throw new InputError(`${p}: expected a .ipynb notebook file`);
    let nb;
    try {
      nb = readNotebook(p);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    try {
      injectParameters(nb, requestedParameters(options.params ?? {}, options.quick ?? false), p);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (resolve(outDir, basename(p)) === resolve(p)) {
      throw new InputError(`--out ${outDir}: is the folder of ${p}; the executed notebook would overwrite it`);
    }
  }
  // Outputs are named after the notebook's file name; compared without case for case-insensitive file systems.
  const byName = new Map<string, string>();
  for (const p of paths) {
    const name = basename(p).replace(/\.ipynb$/i, '').toLowerCase();
    const other = byName.get(name);
    if (other !== undefined) {
      throw new InputError(`${other} and ${p} have the same file name, so their outputs in --out would overwrite each other; run them with different --out folders`);
    }
    if (options.writeIndex && name === 'index') throw new InputError(`${p}: its report index.html would overwrite the index page; rename the notebook`);
    byName.set(name, p);
  }
  prepareOutDir(outDir);
}

function claimsJson(run: NotebookRun, status: string): string {
  const record = {
    notebook: run.name,
    source: relative(process.cwd(), resolve(run.path)),
    executedAt: run.startedAt,
    // What ran (the notebook's resolved parameters over the overrides), and the overrides as given.
    parameters: run.ranParams,
    requested: run.params,
    status,
    allReproduced: run.claims.every((c) => c.holds),
    claims: run.claims.map((c) => claimToJson(c)),
  };
  return JSON.stringify(record, null, 2) + '\n';
}

function summarize(run: NotebookRun): RunSummary {
  return {
    name: run.name,
    source: run.path,
    report: `${run.name}.html`,
    executedNotebook: `${run.name}.ipynb`,
    status: run.failure ? `failed at cell ${run.failure.cellIndex}: ${run.failure.error.ename}: ${run.failure.error.evalue.split('\n')[0]}` : 'ok',
    ok: run.failure === null,
    durationMs: run.durationMs,
    params: run.ranParams,
    claims: run.claims,
  };
}

export async function runNotebooks(paths: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const outDir = options.outDir ?? 'reports';
  preflight(paths, options, outDir);
  // Only notebooks that import the package need it linked and built.
  const importing = paths.filter((p) =>
    readNotebook(p).cells.some((c) => c.cell_type === 'code' && /from\s+['"]rlrepro['"]/.test(joinSource(c.source))),
  );
  for (const dir of new Set(importing.map((p) => dirname(resolve(p))))) {
    let note: string | null;
    try {
      note = ensureSelfLink(dir);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    if (note) log(note);
  }

  const summaries: RunSummary[] = [];
  const problems: string[] = [];
  const runs: NotebookRun[] = [];
  for (const path of paths) {
    const name = basename(path).replace(/\.ipynb$/i, '');
    let run: NotebookRun;
    try {
      run = await executeNotebook(path, {
        params: options.params ?? {},
        quick: options.quick ?? false,
        cellTimeoutMs: (options.timeoutS ?? 3600) * 1000,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (e) {
      // The kernel did not start: no executed notebook to write, but the index still lists the notebook.
      const msg = `${path}: could not run: ${(e as Error).message}`;
      problems.push(msg);
      log(msg);
      summaries.push({ name, source: path, report: `${name}.html`, executedNotebook: `${name}.ipynb`, status: `not run: ${(e as Error).message.split('\n')[0]}`, ok: false, durationMs: 0, params: requestedParameters(options.params ?? {}, options.quick ?? false), claims: [] });
      continue;
    }
    const summary = summarize(run);
    summaries.push(summary);
    runs.push(run);
    try {
      writeFilesAtomic([
        { path: join(outDir, `${name}.ipynb`), data: serializeNotebook(run.notebook) },
        { path: join(outDir, `${name}.html`), data: renderReport(run, options.writeIndex ? { indexHref: 'index.html' } : {}) },
        { path: join(outDir, `${name}.claims.json`), data: claimsJson(run, summary.status) },
      ]);
    } catch (e) {
      // The run happened but left no record: a failure of the command, and the previous outputs stay as they were.
      summary.ok = false;
      summary.status = `ran (${summary.status}), but its outputs could not be written: ${(e as Error).message}`;
      const msg = `${path}: could not write its outputs to ${outDir}: ${(e as Error).message}`;
      problems.push(msg);
      log(msg);
      continue;
    }
    if (run.failure) {
      const msg = describeFailure(run);
      problems.push(msg);
      log(msg);
    }
    for (const c of run.claims.filter((c) => !c.holds)) problems.push(`${path}: claim ${c.id} not reproduced (${c.testText})`);
    const held = run.claims.filter((c) => c.holds).length;
    log(`[${name}] ${run.failure ? 'FAILED' : 'done'} in ${(run.durationMs / 1000).toFixed(1)} s; claims reproduced ${held}/${run.claims.length}; wrote ${join(outDir, name)}.{ipynb,html,claims.json}`);
  }
  let indexFailed = false;
  if (options.writeIndex) {
    try {
      writeFilesAtomic([{ path: join(outDir, 'index.html'), data: renderIndex(summaries) }]);
      log(`wrote ${join(outDir, 'index.html')}`);
    } catch (e) {
      indexFailed = true;
      problems.push(`could not write ${join(outDir, 'index.html')}: ${(e as Error).message}`);
    }
  }
  const unreproduced = summaries.some((s) => s.claims.some((c) => !c.holds));
  const exitCode = indexFailed ? 1 : exitCodeOf(runs, summaries, unreproduced && (options.failOnClaims ?? false));
  return { exitCode, summaries, problems };
}

/**
 * 1 when a notebook failed (or did not start); else 2 when a notebook rejected a parameter value (bad input the
 * runner could not see before the kernel started); else 3 for unreproduced claims under --fail-on-claims; else 0.
 */
function exitCodeOf(runs: readonly NotebookRun[], summaries: readonly RunSummary[], claimsFail: boolean): number {
  const badParameter = runs.filter((r) => r.failure?.kind === 'parameter').length;
  const failed = summaries.filter((s) => !s.ok).length;
  if (failed > badParameter) return 1;
  if (badParameter > 0) return 2;
  return claimsFail ? 3 : 0;
}

/** The notebooks `reproduce` runs: every `.ipynb` in the folder, in name order (00-, 01-, ...). */
export function notebooksIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new InputError(`${dir}: no such folder (run \`rlrepro reproduce\` from the repository root)`);
  }
  return names.filter((n) => n.endsWith('.ipynb')).sort().map((n) => join(dir, n));
}
