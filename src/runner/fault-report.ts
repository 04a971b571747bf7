/**
 * Preloaded into the kernel process (`node --import <this> tslab kernel ...`). tslab catches an exception thrown
 * from a timer or callback, and a promise rejection nobody handles, prints it, and carries on, so the cell that
 * was running still replies "ok". This reports each one as an output (FAULT_MIME) of the cell whose output is
 * current, which the runner turns into that cell's failure (src/runner/execute.ts).
 */
import { displayBundle } from '../notebook/display.js';
import { FAULT_MIME } from '../notebook/mime.js';

export interface Fault {
  kind: 'uncaughtException' | 'unhandledRejection';
  name: string;
  message: string;
  stack: string[];
}

function report(kind: Fault['kind'], error: unknown): void {
  const e = error instanceof Error ? error : null;
  const fault: Fault = {
    kind,
    name: e?.name ?? typeof error,
    message: e ? e.message : String(error),
    stack: (e?.stack ?? '').split('\n').slice(1).map((l) => l.trim()).filter(Boolean),
  };
  const what = kind === 'uncaughtException' ? 'an exception thrown from a callback' : 'a promise rejection nobody handled';
  // Before any cell ran there is no cell to report to: the runner sees the kernel's own stderr instead.
  if (!displayBundle({ [FAULT_MIME]: fault, 'text/plain': `${what}: ${fault.name}: ${fault.message}` })) {
    process.stderr.write(`rlrepro kernel: ${what}: ${fault.name}: ${fault.message}\n`);
  }
}

process.on('uncaughtException', (e) => report('uncaughtException', e));
process.on('unhandledRejection', (reason) => report('unhandledRejection', reason));
