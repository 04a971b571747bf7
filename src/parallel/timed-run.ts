/** A run function that also reports its thread's CPU time, for benchmarks on machines other processes share. */
import { readFileSync } from 'node:fs';
import { referenceRun, type ReferenceRunConfig, type ReferenceRunResult } from './reference-run.js';

/**
 * CPU time of the calling thread in ms (Linux: /proc/thread-self/stat utime + stime, 10 ms ticks), NaN elsewhere.
 * On a busy machine wall time says little; per-thread CPU time still tells what the sweep would take on idle cores.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

export interface TimedResult {
  result: ReferenceRunResult;
  /** CPU time of this run (ms). */
  cpuMs: number;
  /** CPU time of the thread from its start to the end of this run (ms): in a worker, start-up included. */
  threadCpuMs: number;
}

/** `referenceRun` plus the CPU time its thread spent (the benchmark's run function). */
export async function timedReferenceRun(config: ReferenceRunConfig): Promise<TimedResult> {
  const c0 = threadCpuMs();
  const result = await referenceRun(config);
  const c1 = threadCpuMs();
  return { result, cpuMs: c1 - c0, threadCpuMs: c1 };
}

