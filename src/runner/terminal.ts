/**
 * Progress lines for the terminal: which notebook, which cell of how many, elapsed time, and the latest progress
 * bar text of a long cell. On a TTY one status line is redrawn; in logs (CI) a line per finished cell, plus a
 * heartbeat every 30 s during a long cell.
 */
import type { ProgressEvent } from './execute.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): (e: ProgressEvent) => void {
  const tty = stream.isTTY === true;
  let lastHeartbeat = 0;
  let status = '';
  let cellStart = 0;
  let ticker: NodeJS.Timeout | undefined;
  const draw = (line: string) => {
    const width = (stream.columns ?? 100) - 1;
    stream.write(`\r\u001b[2K${line.slice(0, width)}`);
  };
  return (e) => {
    switch (e.type) {
      case 'kernel-started':
        stream.write(`[${e.notebook}] kernel started in ${secs(e.ms)} (pid ${e.pid})\n`);
        break;
      case 'cell-start':
        status = `[${e.notebook}] cell ${e.cell}/${e.of}`;
        cellStart = Date.now();
        lastHeartbeat = Date.now();
        if (tty) {
          const t0 = Date.now() - e.elapsedMs;
          draw(`${status} running… total ${secs(e.elapsedMs)}`);
          clearInterval(ticker);
          ticker = setInterval(() => draw(`${status} running ${secs(Date.now() - cellStart)} · total ${secs(Date.now() - t0)}`), 1000);
          ticker.unref();
        }
        break;
      case 'cell-progress':
        if (tty) {
          status = `[${e.notebook}] cell ${e.cell}/${e.of} ${e.text}`;
        } else if (Date.now() - lastHeartbeat > 30_000) {
          lastHeartbeat = Date.now();
          stream.write(`[${e.notebook}] cell ${e.cell}/${e.of} … ${e.text} (total ${secs(e.elapsedMs)})\n`);
        }
        break;
      case 'cell-end':
        clearInterval(ticker);
        if (tty) stream.write('\r\u001b[2K');
        stream.write(`[${e.notebook}] cell ${e.cell}/${e.of} ${e.ok ? 'ok' : 'FAILED'} ${secs(e.cellMs)} (total ${secs(e.elapsedMs)})\n`);
        break;
    }
  };
}
