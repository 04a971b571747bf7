/**
 * Preloaded into the kernel process (`node --import <this> tslab kernel ...`): ends the kernel when the runner
 * that started it is gone (it was reparented), e.g. after a SIGKILL that left the runner no chance to shut it
 * down. The check runs on a worker thread, so a cell that blocks the main thread (a long synchronous loop) cannot
 * hold it off; the worker also removes the kernel's connection-file folder, which the runner would have removed.
 * Signals and normal exits are handled by the runner itself (kernel.ts).
 */
import { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';

// The runner passes its pid: if it died before this preload ran, process.ppid is already the reaper's.
const expected = Number(process.env['RLREPRO_KERNEL_PARENT']);
const parent = Number.isInteger(expected) && expected > 0 ? expected : process.ppid;
delete process.env['RLREPRO_KERNEL_PARENT']; // for this kernel only, not for processes a notebook starts
const at = process.argv.indexOf('--config-path');
const connectionDir = at >= 0 && process.argv[at + 1] ? dirname(process.argv[at + 1]!) : null;
const worker = new Worker(new URL('./parent-watchdog-worker.js', import.meta.url), {
  workerData: { parent, connectionDir },
  // The watchdog must not keep the kernel alive, nor share the kernel's stdio with the notebook's output.
  stdout: true,
  stderr: true,
});
worker.unref();
export {};
