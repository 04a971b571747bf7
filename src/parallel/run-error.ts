/** A failed sweep: names the config index (or the worker start-up) and carries the original error as `cause`. */

/** An error as it crosses a thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e), stack: undefined };
}

/** Rebuilds an Error with the worker's name, message and stack (so `cause.stack` points into the run function). */
export function deserializeError(s: SerializedError): Error {
  const e = new Error(s.message);
  e.name = s.name;
  e.stack = s.stack ?? `${s.name}: ${s.message}`;
  return e;
}

export class ParallelRunError extends Error {
  override name = 'ParallelRunError';
  /** Index into `configs` of the run that failed; undefined when a worker failed before running anything. */
  readonly index: number | undefined;
  /** The worker's stack trace of the original error (also in `cause.stack`). */
  readonly workerStack: string | undefined;

  constructor(message: string, index: number | undefined, cause: Error) {
    super(message, { cause });
    this.index = index;
    this.workerStack = cause.stack;
  }
}

export function runFailed(index: number, cause: Error): ParallelRunError {
  return new ParallelRunError(`runParallel: config #${index} failed: ${cause.message}`, index, cause);
}
