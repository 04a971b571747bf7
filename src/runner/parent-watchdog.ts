/**
 * Preloaded into the kernel process (`node --import <this> tslab kernel ...`): exits the kernel when the runner
 * that started it is gone (reparented), e.g. after a SIGKILL that left the runner no chance to shut it down.
 * Signals and normal exits are handled by the runner itself (kernel.ts).
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
export {};
