/** Messages between `runParallel` and its workers. Everything here is structured-clonable. */
import type { SerializedError } from './run-error.js';

/** `workerData` of each worker. */
export interface WorkerInit {
  moduleUrl: string;
  exportName: string;
  /** Backend name passed to `initBackend` (undefined: the worker picks as the parent would, from the env). */
  backend: string | undefined;
}

/** Per-isolate memory, sampled in the worker after each run and with each progress message. */
export interface MemorySample {
  /** V8 heap in use plus memory V8 accounts as external (Buffers, ArrayBuffers) for this thread. */
  heapBytes: number;
  /** `tf.memory().numBytes` of this thread's engine. */
  tensorBytes: number;
}

export type ToWorker = { type: 'run'; index: number; config: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'progress'; index: number; data: unknown; memory: MemorySample }
  | { type: 'result'; index: number; value: unknown; ms: number; memory: MemorySample }
  | { type: 'run-error'; index: number; error: SerializedError };
