/**
 * Entry point of a `runParallel` worker thread: initialises its own tfjs engine with the parent's backend, loads
 * the run function, then runs the configs the parent sends, one at a time, until it is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/index.js';
import { assertPlainData } from './plain-data.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import { serializeError } from './run-error.js';
import { loadRunFunction, type RunFunction } from './run-function.js';
import { sampleMemory } from './memory.js';

const port = parentPort;
if (port === null) throw new Error('src/parallel/worker.js runs only as a worker thread started by runParallel');
const post = (m: FromWorker): void => port.postMessage(m);

const init = workerData as WorkerInit;
let fn: RunFunction<unknown, unknown> | undefined;
try {
  await initBackend({ ...(init.backend !== undefined ? { backend: init.backend } : {}), quiet: true });
  fn = await loadRunFunction(init.moduleUrl, init.exportName);
} catch (e) {
  post({ type: 'init-error', error: serializeError(e) });
}

if (fn !== undefined) {
  const run = fn;
  port.on('message', (msg: ToWorker) => {
    const { index, config } = msg;
    const t0 = performance.now();
    const context = {
      index,
      progress: (data: unknown): void => {
        assertPlainData(data, `progress of config #${index}`);
        post({ type: 'progress', index, data, memory: sampleMemory() });
      },
    };
    void (async () => {
      try {
        const value = await run(config, context);
        assertPlainData(value, `result of config #${index}`);
        post({ type: 'result', index, value, ms: performance.now() - t0, memory: sampleMemory() });
      } catch (e) {
        post({ type: 'run-error', index, error: serializeError(e) });
      }
    })();
  });
  post({ type: 'ready' });
}
