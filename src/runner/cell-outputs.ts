/**
 * Turns iopub messages into nbformat outputs for one notebook run: merges consecutive stream chunks, applies
 * update_display_data to the output with the same display id (progress bars), handles clear_output, and records
 * the timing metadata nbformat defines (`metadata.execution`).
 */
import type { JupyterMessage } from './wire.js';
import type { CodeCell, ErrorOutput, MimeBundle, Output } from './nbformat.js';

export class OutputCollector {
  /** display_id -> outputs showing it (an id can be displayed more than once). */
  private readonly displays = new Map<string, { data: MimeBundle; metadata: Record<string, unknown> }[]>();
  private clearPending = false;
  /** stderr text of the current cell: tslab's only error report. */
  stderr = '';
  /** text/plain of the latest display update, for terminal progress. */
  lastDisplayText = '';

  constructor(private cell: CodeCell) {}

  /** Starts collecting for the next cell (display ids stay known across cells). */
  startCell(cell: CodeCell): void {
    this.cell = cell;
    this.clearPending = false;
    this.stderr = '';
    this.lastDisplayText = '';
  }

  private push(output: Output): void {
    if (this.clearPending) {
      this.cell.outputs = [];
      this.clearPending = false;
    }
    this.cell.outputs.push(output);
  }

  handle(msg: JupyterMessage): void {
    const c = msg.content as Record<string, unknown>;
    const exec = (this.cell.metadata.execution ??= {});
    switch (msg.header.msg_type) {
      case 'status':
        if (c['execution_state'] === 'busy') exec['iopub.status.busy'] = msg.header.date;
        if (c['execution_state'] === 'idle') exec['iopub.status.idle'] = msg.header.date;
        break;
      case 'execute_input':
        exec['iopub.execute_input'] = msg.header.date;
        break;
      case 'stream': {
        const name = c['name'] === 'stderr' ? 'stderr' : 'stdout';
        const text = String(c['text'] ?? '');
        if (name === 'stderr') this.stderr += text;
        const last = this.cell.outputs[this.cell.outputs.length - 1];
        if (!this.clearPending && last?.output_type === 'stream' && last.name === name) last.text = String(last.text) + text;
        else this.push({ output_type: 'stream', name, text });
        break;
      }
      case 'display_data':
      case 'execute_result': {
        const data = (c['data'] ?? {}) as MimeBundle;
        const metadata = (c['metadata'] ?? {}) as Record<string, unknown>;
        const out: Output =
          msg.header.msg_type === 'execute_result'
            ? { output_type: 'execute_result', data, metadata, execution_count: (c['execution_count'] as number | null) ?? null }
            : { output_type: 'display_data', data, metadata };
        this.push(out);
        const id = (c['transient'] as { display_id?: string } | undefined)?.display_id;
        if (id) {
          const list = this.displays.get(id) ?? [];
          list.push(out);
          this.displays.set(id, list);
        }
        break;
      }
      case 'update_display_data': {
        const id = (c['transient'] as { display_id?: string } | undefined)?.display_id;
        for (const out of (id && this.displays.get(id)) || []) {
          out.data = (c['data'] ?? {}) as MimeBundle;
          out.metadata = (c['metadata'] ?? {}) as Record<string, unknown>;
        }
        const text = (c['data'] as MimeBundle | undefined)?.['text/plain'];
        if (typeof text === 'string') this.lastDisplayText = text;
        break;
      }
      case 'clear_output':
        if (c['wait']) this.clearPending = true;
        else this.cell.outputs = [];
        break;
      case 'error':
        this.push({
          output_type: 'error',
          ename: String(c['ename'] ?? 'Error'),
          evalue: String(c['evalue'] ?? ''),
          traceback: Array.isArray(c['traceback']) ? (c['traceback'] as unknown[]).map(String) : [],
        });
        break;
      default:
        break;
    }
  }
}

/**
 * An error output from what tslab wrote to stderr (it sends no ename/evalue/traceback). Two shapes occur:
 * TypeScript diagnostics (`3:7 - Cannot find name 'x'.`) and a Node error print (`evalmachine.<anonymous>:2`,
 * the code line, a caret, `TypeError: boom`, stack). tslab's own frames are dropped from the traceback.
 */
export function errorFromStderr(stderr: string): ErrorOutput {
  const lines = stderr.replace(/\s+$/, '').split('\n');
  const diagnostics = lines.filter((l) => /^\d+:\d+ - /.test(l));
  if (diagnostics.length > 0) {
    return { output_type: 'error', ename: 'TypeScriptError', evalue: diagnostics.join('\n'), traceback: diagnostics };
  }
  // "TypeError: boom", "Error [ERR_REQUIRE_ASYNC_MODULE]: require() cannot ...", "AbortError"
  const at = lines.findIndex((l) => /^([A-Za-z_$][\w$.]*(Error|Exception)|Error)( \[[A-Z0-9_]+\])?(: |$)/.test(l) || /^Uncaught /.test(l));
  const internal = /node_modules[\\/]tslab[\\/]|\(node:|^\s+at node:|^\s+at (async )?(sigintHandlersWrap|Script\.|Object\.runInThisContext)/;
  const traceback = lines.filter((l) => !internal.test(l));
  if (at >= 0) {
    const line = lines[at]!;
    const colon = line.indexOf(': ');
    return {
      output_type: 'error',
      ename: colon > 0 ? line.slice(0, colon) : line.trim(),
      evalue: colon > 0 ? line.slice(colon + 2) : '',
      traceback,
    };
  }
  if (stderr.trim() === '') {
    return {
      output_type: 'error',
      ename: 'Error',
      evalue: 'the cell failed but the kernel wrote no error message (tslab reports errors only on stderr)',
      traceback: [],
    };
  }
  return { output_type: 'error', ename: 'Error', evalue: traceback[traceback.length - 1] ?? '', traceback };
}
