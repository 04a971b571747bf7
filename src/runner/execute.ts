/**
 * Executes one notebook in a fresh tslab kernel: inject parameters, run code cells in order, stop at the first
 * failing cell (keeping the outputs so far), always shut the kernel down.
 */
import { basename, dirname, resolve } from 'node:path';
import type { ClaimResult } from '../notebook/claims.js';
import { CLAIM_MIME, FAULT_MIME, PARAMETERS_MIME } from '../notebook/mime.js';
import { OutputCollector, errorFromStderr } from './cell-outputs.js';
import { startKernel, type TslabKernel } from './kernel.js';
import { joinSource, readNotebook, type CodeCell, type ErrorOutput, type Notebook } from './nbformat.js';
import { injectParameters, requestedParameters, type ParameterValues } from './parameters.js';

export interface ExecuteNotebookOptions {
  /** Parameter overrides (JSON values). */
  params?: ParameterValues;
  /** Inject `quick = true` (the notebook's quick preset). */
  quick?: boolean;
  /** Per-cell timeout in ms. Default 1 hour. */
  cellTimeoutMs?: number;
  /** Kernel start timeout in ms. Default 60 s. */
  startTimeoutMs?: number;
  /** Progress callback (the CLI prints these). */
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { type: 'kernel-started'; notebook: string; ms: number; pid: number }
  | { type: 'cell-start'; notebook: string; cell: number; of: number; cellIndex: number; elapsedMs: number }
  | { type: 'cell-progress'; notebook: string; cell: number; of: number; text: string; elapsedMs: number }
  | { type: 'cell-end'; notebook: string; cell: number; of: number; cellIndex: number; ok: boolean; cellMs: number; elapsedMs: number };

export interface CellFailure {
  /** 0-based index in the executed notebook's `cells` (markdown cells count). */
  cellIndex: number;
  /** 1-based number among the code cells that run, as progress lines show it. */
  codeCell: number;
  cellId: string;
  /** 'parameter': the notebook rejected a parameter value (a ParameterError), i.e. bad input. */
  kind: 'error' | 'parameter' | 'timeout' | 'kernel-died';
  error: ErrorOutput;
}

export interface NotebookRun {
  /** Notebook name without extension, e.g. "00-tour". */
  name: string;
  path: string;
  notebook: Notebook;
  /** The overrides injected (`--param` values, and quick for `--quick`). */
  params: ParameterValues;
  /**
   * What ran: the overrides, overlaid with the parameters the notebook resolved and showed (`presetConfig`: the
   * preset's values for parameters left at null, and the preset's name).
   */
  ranParams: ParameterValues;
  failure: CellFailure | null;
  claims: ClaimResult[];
  startedAt: string;
  durationMs: number;
  kernelStartMs: number;
  /** ms per executed code cell, in order. */
  cellMs: number[];
}

/** Cells the runner executes: code cells with some code in them. */
function runnable(nb: Notebook): number[] {
  return nb.cells.flatMap((c, i) => (c.cell_type === 'code' && joinSource(c.source).trim() !== '' ? [i] : []));
}

/** One line naming notebook, cell and error: what the command prints when a cell fails. */
export function describeFailure(run: NotebookRun): string {
  const f = run.failure;
  if (!f) return `${run.name}: ok`;
  const cell = run.notebook.cells[f.cellIndex];
  const first = cell ? joinSource(cell.source).split('\n').find((l) => l.trim() !== '') ?? '' : '';
  return (
    `${run.path}: cell ${f.cellIndex} (code cell ${f.codeCell}, id ${f.cellId}) failed: ${f.error.ename}: ${f.error.evalue}\n` +
    `  first line of the cell: ${first.trim()}`
  );
}

/**
 * The error output for a fault the kernel reported (fault-report.ts): an exception thrown from a timer or callback,
 * or an unhandled rejection, which tslab would otherwise let pass with the cell's "ok".
 */
function faultError(fault: Record<string, unknown>, whileRunning: boolean): ErrorOutput {
  const ename = fault['kind'] === 'unhandledRejection' ? 'UnhandledRejection' : 'UncaughtException';
  const when = whileRunning ? 'while this cell ran' : 'after this cell finished';
  return {
    output_type: 'error',
    ename,
    evalue: `${String(fault['name'])}: ${String(fault['message'])} (raised ${when}, outside the cell's own code: a timer, callback or promise nobody awaited)`,
    traceback: Array.isArray(fault['stack']) ? fault['stack'].map(String) : [],
  };
}

/** Claim results recorded as outputs (the CLAIM_MIME part of a claim check's output). */
export function claimsOf(nb: Notebook): ClaimResult[] {
  const out: ClaimResult[] = [];
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    for (const o of cell.outputs) {
      if ((o.output_type === 'display_data' || o.output_type === 'execute_result') && o.data[CLAIM_MIME]) {
        out.push(o.data[CLAIM_MIME] as ClaimResult);
      }
    }
  }
  return out;
}

/** The last resolved-parameters output of the notebook (PARAMETERS_MIME), if it showed one. */
export function resolvedParametersOf(nb: Notebook): ParameterValues | null {
  let found: ParameterValues | null = null;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    for (const o of cell.outputs) {
      if ((o.output_type === 'display_data' || o.output_type === 'execute_result') && o.data[PARAMETERS_MIME]) {
        found = o.data[PARAMETERS_MIME] as ParameterValues;
      }
    }
  }
  return found;
}

export async function executeNotebook(path: string, options: ExecuteNotebookOptions = {}): Promise<NotebookRun> {
  const name = basename(path).replace(/\.ipynb$/i, '');
  const nb = readNotebook(path);
  const params = requestedParameters(options.params ?? {}, options.quick ?? false);
  injectParameters(nb, params, path);

  // A fresh run: no stale outputs from an earlier execution survive into the report.
  for (const cell of nb.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
      delete cell.metadata.execution;
    }
  }

  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const emit = options.onProgress ?? (() => undefined);
  const cells = runnable(nb);
  const cellMs: number[] = [];
  let failure: CellFailure | null = null;
  let kernel: TslabKernel | null = null;
  let kernelStartMs = 0;
  try {
    kernel = await startKernel({ cwd: dirname(resolve(path)), startTimeoutMs: options.startTimeoutMs ?? 60_000 });
    kernelStartMs = Date.now() - t0;
    emit({ type: 'kernel-started', notebook: name, ms: kernelStartMs, pid: kernel.pid });
    const first = nb.cells[cells[0] ?? 0] as CodeCell;
    const collector = new OutputCollector(first);
    // execute_request id -> [index among the cells run, cell index], to place faults that arrive late.
    const cellOfRequest = new Map<string, [number, number]>();
    const lateFailure = (): CellFailure | null => {
      const late = kernel!.takeLateFaults().find((f) => cellOfRequest.has(f.requestId));
      if (!late) return null;
      const [k, cellIndex] = cellOfRequest.get(late.requestId)!;
      const cell = nb.cells[cellIndex] as CodeCell;
      const error = faultError(late.fault, false);
      cell.outputs.push(error);
      return { cellIndex, codeCell: k + 1, cellId: cell.id, kind: 'error', error };
    };
    for (const [k, cellIndex] of cells.entries()) {
      failure = lateFailure();
      if (failure) break;
      const cell = nb.cells[cellIndex] as CodeCell;
      collector.startCell(cell);
      let fault: Record<string, unknown> | null = null;
      const tc = Date.now();
      emit({ type: 'cell-start', notebook: name, cell: k + 1, of: cells.length, cellIndex, elapsedMs: tc - t0 });
      const outcome = await kernel.execute(joinSource(cell.source), {
        timeoutMs: options.cellTimeoutMs ?? 3_600_000,
        onMessage: (msg) => {
          collector.handle(msg);
          const reported = msg.header.msg_type === 'display_data' ? (msg.content['data'] as Record<string, unknown> | undefined)?.[FAULT_MIME] : undefined;
          if (reported && typeof reported === 'object') fault ??= reported as Record<string, unknown>;
          if (msg.header.msg_type === 'update_display_data' && collector.lastDisplayText) {
            emit({ type: 'cell-progress', notebook: name, cell: k + 1, of: cells.length, text: collector.lastDisplayText, elapsedMs: Date.now() - t0 });
          }
        },
      });
      cellOfRequest.set(outcome.requestId, [k, cellIndex]);
      cell.execution_count = outcome.executionCount;
      if (outcome.replyDate) (cell.metadata.execution ??= {})['shell.execute_reply'] = outcome.replyDate;
      cellMs.push(Date.now() - tc);
      const ok = outcome.status === 'ok' && fault === null;
      emit({ type: 'cell-end', notebook: name, cell: k + 1, of: cells.length, cellIndex, ok, cellMs: Date.now() - tc, elapsedMs: Date.now() - t0 });
      if (ok) continue;

      let error: ErrorOutput;
      let kind: CellFailure['kind'] = 'error';
      if (outcome.status === 'timeout') {
        kind = 'timeout';
        const secs = Math.round((options.cellTimeoutMs ?? 3_600_000) / 1000);
        error = { output_type: 'error', ename: 'CellTimeout', evalue: `the cell ran longer than the per-cell timeout (${secs} s) and was interrupted`, traceback: [] };
      } else if (outcome.status === 'died') {
        kind = 'kernel-died';
        error = { output_type: 'error', ename: 'KernelDied', evalue: `the kernel process ended while running this cell (${outcome.detail ?? 'no detail'})`, traceback: [] };
      } else if (outcome.status === 'ok' && fault) {
        error = faultError(fault, true);
      } else {
        error = errorFromStderr(collector.stderr);
        if (error.ename === 'ParameterError') kind = 'parameter';
      }
      cell.outputs.push(error);
      failure = { cellIndex, codeCell: k + 1, cellId: cell.id, kind, error };
      break;
    }
    if (!failure) {
      // A callback the last cell left due (a zero-delay timer) runs now; its fault must still fail the run.
      await kernel.settle();
      failure = lateFailure();
    }
  } finally {
    await kernel?.shutdown();
  }

  nb.metadata['kernelspec'] = { name: 'tslab', display_name: 'TypeScript', language: 'typescript' };
  nb.metadata['language_info'] = { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript', codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true } };
  const ranParams = { ...params, ...(resolvedParametersOf(nb) ?? {}) };
  nb.metadata['rlrepro'] = {
    parameters: ranParams,
    requested_parameters: params,
    executed_at: startedAt,
    duration_s: (Date.now() - t0) / 1000,
    status: failure ? `failed at cell ${failure.cellIndex}` : 'ok',
  };
  return {
    name,
    path,
    notebook: nb,
    params,
    ranParams,
    failure,
    claims: claimsOf(nb),
    startedAt,
    durationMs: Date.now() - t0,
    kernelStartMs,
    cellMs,
  };
}
