/**
 * The parallel-sweep measurement (issue 9: a 10-run sweep on 2 workers vs serial), as a command:
 *   node dist/src/bench/sweep.js [runs] [workers]
 * Kept out of the package's exports: a module with top-level await cannot be require()d, and tslab loads the
 * package with require().
 */
import { argv } from 'node:process';
import { benchmarkSweep } from '../parallel/sweep-benchmark.js';

{
  const runs = argv[2] !== undefined ? Number(argv[2]) : undefined;
  const workers = argv[3] !== undefined ? Number(argv[3]) : undefined;
  const r = await benchmarkSweep({ ...(runs !== undefined ? { runs } : {}), ...(workers !== undefined ? { workers } : {}) });
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  console.log(
    `sweep of ${r.runs} runs: serial ${(r.serialMs / 1000).toFixed(2)} s, ${r.workers} workers ` +
      `${(r.parallelMs / 1000).toFixed(2)} s, ratio ${r.ratio.toFixed(3)} (target <= 0.6 on 2 cores); ` +
      `by thread CPU time (idle-core projection): serial ${(r.serialCpuMs / 1000).toFixed(2)} s, parallel ` +
      `${(r.projectedParallelMs / 1000).toFixed(2)} s, ratio ${r.projectedRatio.toFixed(3)}; ` +
      `per-run wall slowdown in workers ${r.perRunSlowdown.toFixed(2)}x, CPU ${r.perRunCpuRatio.toFixed(2)}x; worker start-up ` +
      `${r.workerStartupMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}; peak heap per worker ` +
      `${r.peakHeapBytesPerWorker.map(mb).join(', ')}; peak RSS ${mb(r.peakRssBytes)}; results identical`,
  );
}
