/**
 * An experiment's runs in named phases (e.g. pretrain the models, then the RL runs): one `runParallel` per phase on
 * the same run function, with the experiment's worker count and its progress events tagged by phase.
 */
import { runParallel, type RunEvent } from './run-parallel.js';

export interface PhaseRunnerOptions<P extends string> {
  /** Module and export of the run function (as for `runParallel`). */
  module: string | URL;
  exportName: string;
  workers?: number;
  onProgress?: (event: RunEvent & { phase: P }) => void;
}

/** Returns `(phase, configs, workers?) => results`; `workers` overrides the experiment's count for one phase. */
export function phaseRunner<C, R, P extends string>(opts: PhaseRunnerOptions<P>) {
  return (phase: P, configs: readonly C[], workers: number | undefined = opts.workers): Promise<R[]> =>
    runParallel<C, R>({
      module: opts.module,
      exportName: opts.exportName,
      configs,
      ...(workers !== undefined ? { workers } : {}),
      ...(opts.onProgress ? { onProgress: (e: RunEvent) => opts.onProgress!({ ...e, phase }) } : {}),
    });
}
