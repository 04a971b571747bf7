/**
 * The one place that decides which tfjs backend runs. Everything else imports `@tensorflow/tfjs-core` and calls
 * `initBackend()` once; nothing else knows (or should care) whether native TensorFlow, WebAssembly or pure JS
 * executes the kernels.
 *
 * Order of preference: `tensorflow` (the native binding from `@tensorflow/tfjs-node`, when it is installed and its
 * binary loads) > `blas` (the wasm backend with its matmuls on a native OpenBLAS, ./native-kernels.ts; ~3.7x wasm on
 * training) > `wasm` (`@tensorflow/tfjs-backend-wasm`, XNNPACK with SIMD) > `cpu` (pure JS, ~35x slower).
 * `RLREPRO_BACKEND=node|blas|wasm|cpu` forces one. The backends round differently, so the same seed gives the
 * same numbers on the same backend, not across backends.
 *
 * Threads: tfjs-backend-wasm 4.22 turns multithreading off in Node (flag WASM_HAS_MULTITHREAD_SUPPORT returns false
 * when IS_NODE; tfjs issue #3830). Forcing it on was tried: it runs only after five workarounds of the bundle's
 * browser assumptions (Blob-URL worker scripts, bundle-scope names in the pthread main script, a thread cap of
 * cores/2, ref'd pthread workers), giving 2x on a 512^2 matmul on an idle 2-core machine and nothing under load.
 * Too fragile to ship (it keys on 4.22's bundle text), so one engine uses one thread, and experiments use the cores
 * by running seeds and arms in parallel worker threads (`src/parallel`), each with its own engine.
 */
import * as tf from '@tensorflow/tfjs-core';
// The union package registers every gradient (tfjs-core's Node bundle registers none) and the cpu backend.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { registerWasmKernels } from './wasm-kernels.js';
import { openBlas, setBlasKernels } from './native-kernels.js';
import { parseBackendName, type BackendChoice } from './names.js';

export { BACKEND_NAMES, parseBackendName, type BackendChoice } from './names.js';

export interface BackendInfo {
  /** The name the user sees: node | blas | wasm | cpu. */
  name: BackendChoice;
  /** tfjs's own name for it (`tensorflow` for node, `wasm` for blas). */
  tfName: string;
  /** Threads one engine uses for its kernels. */
  threads: number;
  /** blas: the library and OpenBLAS's kernel family; wasm chosen by default: why blas was not used. */
  detail?: string;
}

const TF_NAME: Record<BackendChoice, string> = { node: 'tensorflow', blas: 'wasm', wasm: 'wasm', cpu: 'cpu' };

let current: BackendInfo | undefined;
let reported = false;

/**
 * True when the real `@tensorflow/tfjs-node` is installed. The package name can also be taken by the pure-JS
 * `@tensorflow/tfjs` (npm `overrides` alias it there for danfojs-node, whose own dependency cannot install
 * offline), so the package.json name is checked before importing anything.
 */
function nativeInstalled(): boolean {
  try {
    const req = createRequire(import.meta.url);
    const pkgPath = req.resolve('@tensorflow/tfjs-node/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: string };
    return pkg.name === '@tensorflow/tfjs-node';
  } catch {
    return false; // not installed at all
  }
}

async function tryNative(): Promise<boolean> {
  if (!nativeInstalled()) return false;
  try {
    await import('@tensorflow/tfjs-node' as string);
    return tf.findBackendFactory('tensorflow') != null && (await tf.setBackend('tensorflow'));
  } catch {
    return false; // installed, but its binary is missing (install script could not download libtensorflow)
  }
}

async function trySet(name: 'wasm' | 'cpu'): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

function threadsOf(name: BackendChoice): number {
  if (name === 'node') return Number(process.env['TF_NUM_INTRAOP_THREADS'] ?? 0) || navigatorCores();
  if (name === 'blas') {
    const lib = openBlas();
    return typeof lib === 'string' ? 1 : lib.threads;
  }
  return 1; // wasm: single-threaded in Node (see the module comment); cpu: JS is single-threaded
}

function navigatorCores(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/**
 * Selects and initialises the backend, once per process (later calls return the same info unless a different
 * backend is asked for explicitly). Reports the choice on stderr the first time unless `quiet`.
 */
export async function initBackend(opts: { backend?: string; quiet?: boolean } = {}): Promise<BackendInfo> {
  const fromEnv = process.env['RLREPRO_BACKEND'];
  const wanted =
    opts.backend !== undefined
      ? parseBackendName(opts.backend, 'initBackend({backend})')
      : fromEnv !== undefined && fromEnv !== ''
        ? parseBackendName(fromEnv, 'RLREPRO_BACKEND')
        : undefined;
  if (current && (wanted === undefined || wanted === current.name)) return current;

  tf.env().set('PROD', true); // skips per-op NaN checks and debug bookkeeping
  let chosen: BackendChoice | undefined;
  let detail: string | undefined;
  if (wanted === 'node') {
    if (!(await tryNative()))
      throw new Error(
        'backend "node" was requested but @tensorflow/tfjs-node is not usable here (not installed, or its native ' +
          'binary could not be downloaded); install it with `npm install --no-save @tensorflow/tfjs-node` on a ' +
          'machine with internet, or choose blas, wasm or cpu',
      );
    chosen = 'node';
  } else if (wanted !== undefined) {
    if (!(await trySet(wanted === 'blas' ? 'wasm' : wanted))) throw new Error(`backend "${wanted}" failed to initialise`);
    chosen = wanted;
  } else {
    if (await tryNative()) chosen = 'node';
    else if (await trySet('wasm')) {
      const lib = openBlas();
      chosen = typeof lib === 'string' ? 'wasm' : 'blas';
      if (typeof lib === 'string') detail = `native BLAS not used: ${lib}`;
    } else if (await trySet('cpu')) chosen = 'cpu';
    else throw new Error('no tfjs backend could be initialised (tried node, blas, wasm, cpu)');
  }
  await tf.ready();
  if (chosen === 'wasm' || chosen === 'blas') {
    registerWasmKernels();
    try {
      setBlasKernels(chosen === 'blas');
    } catch (e) {
      if (wanted === 'blas') throw e; // asked for by name: the reason is the error
      chosen = 'wasm'; // chosen by default: fall back, and say why
      detail = `native BLAS not used: ${(e as Error).message}`;
      setBlasKernels(false);
    }
  }
  if (chosen === 'blas') {
    const lib = openBlas();
    if (typeof lib !== 'string') detail = `OpenBLAS ${lib.core}, ${lib.path}`;
  }
  current = { name: chosen, tfName: TF_NAME[chosen], threads: threadsOf(chosen), ...(detail ? { detail } : {}) };
  if (!opts.quiet && !reported && process.env['RLREPRO_QUIET'] !== '1') {
    const extra = detail ? `; ${detail}` : '';
    process.stderr.write(`rlrepro: tfjs backend ${current.name} (${current.threads} thread(s) per engine${extra})\n`);
    reported = true;
  }
  return current;
}

/** The backend chosen by `initBackend`, or an error if it was not called yet. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('backendInfo(): call `await initBackend()` first');
  return current;
}
