/**
 * Backend names, apart from the backends themselves so the command line can check `RLREPRO_BACKEND` before it
 * starts a kernel without loading tfjs.
 */

/** Names a user may ask for (in `RLREPRO_BACKEND` or `initBackend({backend})`). */
export const BACKEND_NAMES = ['node', 'blas', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_NAMES)[number];

/** Parses a backend name; an unknown one is an error that lists the valid names. */
export function parseBackendName(name: string, source = 'backend'): BackendChoice {
  const n = name.trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(n)) return n as BackendChoice;
  throw new Error(`${source}: unknown backend "${name}"; valid names are ${BACKEND_NAMES.join(', ')}`);
}
