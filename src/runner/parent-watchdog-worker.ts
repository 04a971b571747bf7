/**
 * The kernel's watchdog thread (see parent-watchdog.ts): polls the parent pid; when it changed, removes the
 * connection-file folder and SIGKILLs its own process, which ends every thread at once (process.exit here would
 * end only this worker).
 */
import { rmSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { parent, connectionDir } = workerData as { parent: number; connectionDir: string | null };
// Only a folder this runner made (rlrepro-kernel-*): never remove anything else.
const removable = connectionDir !== null && /[\\/]rlrepro-kernel-[^\\/]+$/.test(connectionDir) ? connectionDir : null;

setInterval(() => {
  if (process.ppid === parent) return;
  if (removable) rmSync(removable, { recursive: true, force: true });
  process.kill(process.pid, 'SIGKILL');
}, 200);
