/**
 * Native kernels run in place on tfjs-wasm's memory: the `blas` backend is tfjs's wasm backend with
 *  - `BatchMatMul` and `_FusedMatMul` served by `cblas_sgemm` (OpenBLAS), and
 *  - LayerNorm and GELU, forward and backward, as single fused loops in C (`nativeLayerNorm`, `nativeGelu`; the
 *    model's layers use them when they are on, and their tfjs compositions otherwise),
 * through a small Node addon (./native/blas.c, built by `npm ci`). Everything else stays on wasm, so tensors never
 * leave wasm memory and no copies are made.
 *
 * Why: XNNPACK's 128-bit kernels cap a wasm matmul at ~24 GFLOP/s on one core; OpenBLAS's AVX2/AVX-512 kernels
 * run the training step's shapes at ~80 here (src/bench/PROFILE.md). Transpose flags cost nothing in BLAS. With the
 * matmuls fast, LayerNorm and GELU (~20 tfjs-wasm ops each, ~0.5 GFLOP/s elementwise) took a third of a step.
 *
 * Availability: the addon must have been built (a C compiler and Node's headers at install time) and a BLAS must
 * load at run time (`libopenblas.so.0`, Debian's libopenblas0; `RLREPRO_BLAS_LIB` names another library exporting
 * `cblas_sgemm`). `openBlas()` says why not when it cannot; `initBackend` then falls back to plain wasm.
 * One BLAS thread per engine (experiments use the cores through parallel workers); `OPENBLAS_NUM_THREADS` overrides.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BlasAddon {
  open(paths: string[], threads: number): { path: string; core: string } | string;
  layerNorm(buffer: ArrayBuffer, R: number, C: number, x: number, g: number, b: number, y: number, xhat: number, rstd: number, eps: number): void;
  layerNormGrad(buffer: ArrayBuffer, R: number, C: number, dy: number, xhat: number, rstd: number, g: number, dx: number, dg: number, db: number): void;
  gelu(buffer: ArrayBuffer, n: number, x: number, y: number): void;
  geluGrad(buffer: ArrayBuffer, n: number, x: number, dy: number, dx: number): void;
  gemm(
    buffer: ArrayBuffer,
    batch: number,
    M: number,
    N: number,
    K: number,
    a: number,
    strideA: number,
    transA: number,
    b: number,
    strideB: number,
    transB: number,
    c: number,
    bias: number,
  ): void;
}

export interface BlasLibrary {
  /** The shared library that was opened. */
  path: string;
  /** OpenBLAS's kernel family for this CPU (e.g. Haswell, SkylakeX, Cooperlake), or `unknown`. */
  core: string;
  /** BLAS threads per engine. */
  threads: number;
}

interface WasmBackendInternals {
  wasm?: { asm?: { memory?: { buffer: ArrayBuffer } } };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const ADDON_RELATIVE = join('src', 'backend', 'native', 'build', 'Release', 'rlrepro_blas.node');
const DEFAULT_LIBRARIES = ['libopenblas.so.0', 'libopenblas.so', 'libopenblas.dylib', '/opt/homebrew/opt/openblas/lib/libopenblas.dylib'];

let addon: BlasAddon | undefined;
let library: BlasLibrary | undefined;
let enabled = false;
let registered = false;
let calls = 0;

/**
 * The addon's path: it is built under the package's `src/backend/native/`, and this module runs from `src/` (ts
 * sources) or `<outDir>/src/` (compiled), so the first ancestor directory holding the built file is used.
 */
function addonPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, ADDON_RELATIVE);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return undefined;
}

function blasThreads(): number {
  const env = process.env['OPENBLAS_NUM_THREADS'];
  if (env === undefined || env === '') return 1;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new Error(`OPENBLAS_NUM_THREADS must be an integer >= 1, got "${env}"`);
  return n;
}

/** Loads the addon and opens a BLAS (once per process); a string says why it could not. */
export function openBlas(): BlasLibrary | string {
  if (library) return library;
  const path = addonPath();
  if (!path) return 'the native addon is not built (run `npm rebuild rlrepro` or `npm run build:native`; it needs a C compiler)';
  try {
    addon ??= createRequire(import.meta.url)(path) as BlasAddon;
  } catch (e) {
    return `the native addon did not load: ${(e as Error).message}`;
  }
  const explicit = process.env['RLREPRO_BLAS_LIB'];
  const threads = blasThreads();
  const res = addon.open(explicit ? [explicit] : DEFAULT_LIBRARIES, threads);
  if (typeof res === 'string') return `no BLAS library could be opened (install Debian's libopenblas0): ${res}`;
  library = { ...res, threads };
  return library;
}

/** How many matmuls the BLAS kernels served (a check that the overrides are live). */
export function blasKernelCalls(): number {
  return calls;
}

/**
 * Turns the BLAS matmul overrides of the `wasm` backend on or off (registering them the first time). Off, the
 * kernels that were registered before (tfjs's, or ./wasm-kernels.ts's) run; that is the plain `wasm` backend.
 * Throws, with the reason, if asked to turn them on where no BLAS opens.
 */
export function setBlasKernels(on: boolean): void {
  if (!on) {
    enabled = false;
    return;
  }
  const lib = openBlas();
  if (typeof lib === 'string') throw new Error(`backend "blas": ${lib}`);
  if (!registered) register();
  enabled = true;
}

/** True while matmuls go to the BLAS. */
export function blasKernelsEnabled(): boolean {
  return enabled;
}

function register(): void {
  const backend = tf.findBackend('wasm') as unknown as WasmBackendInternals | null;
  const memory = backend?.wasm?.asm?.memory;
  const origBMM = tf.getKernel('BatchMatMul', 'wasm');
  const origFused = tf.getKernel('_FusedMatMul', 'wasm');
  if (!backend || !memory || !origBMM || !origFused || typeof backend.getMemoryOffset !== 'function')
    throw new Error('backend "blas": the wasm backend\'s memory is not reachable (a different tfjs-backend-wasm build?)');
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const gemm = addon!.gemm;

  /** C = op(a) @ op(b) (+ bias) on the BLAS, or null when the call does not qualify (the original kernel runs). */
  const run = (a: tf.TensorInfo, b: tf.TensorInfo, tA: boolean, tB: boolean, bias?: tf.TensorInfo): tf.TensorInfo | null => {
    if (!enabled || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 2 || rb < 2) return null;
    const leadA = a.shape.slice(0, -2);
    const leadB = b.shape.slice(0, -2);
    const batchA = leadA.reduce((x, y) => x * y, 1);
    const batchB = leadB.reduce((x, y) => x * y, 1);
    // Equal batch dims, or one side a single matrix shared by every entry; other broadcasts go to tfjs.
    let lead: number[];
    if (leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i])) lead = leadA;
    else if (batchB === 1) lead = leadA;
    else if (batchA === 1) lead = leadB;
    else return null;
    const batch = lead.reduce((x, y) => x * y, 1);
    const M = tA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = tA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const N = tB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (batch < 1 || M < 1 || N < 1 || K < 1) return null;
    if (bias && (bias.dtype !== 'float32' || bias.shape.reduce((x, y) => x * y, 1) !== N)) return null;
    const out = backend.makeOutput([...lead, M, N], 'float32');
    calls++;
    // The buffer is read after makeOutput: allocating may grow the memory and replace it.
    gemm(
      memory.buffer,
      batch,
      M,
      N,
      K,
      at(a),
      batchA === 1 ? 0 : 4 * M * K,
      tA ? 1 : 0,
      at(b),
      batchB === 1 ? 0 : 4 * K * N,
      tB ? 1 : 0,
      at(out),
      bias ? at(bias) : -1,
    );
    return out;
  };

  const batchMatMul: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    return run(a, b, transposeA, transposeB) ?? origBMM.kernelFunc(args);
  };
  const fusedMatMul: tf.KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
    const plain = preluActivationWeights == null && (activation === undefined || activation === 'linear');
    return (plain ? run(a!, b!, transposeA, transposeB, bias ?? undefined) : null) ?? origFused.kernelFunc(args);
  };
  for (const [orig, kernelFunc] of [[origBMM, batchMatMul], [origFused, fusedMatMul]] as const) {
    tf.unregisterKernel(orig.kernelName, 'wasm'); // re-registering without this logs a warning
    // The original's setup (if any) still runs should the backend be re-initialised: the fallback needs it.
    tf.registerKernel({ kernelName: orig.kernelName, backendName: 'wasm', kernelFunc, setupFunc: orig.setupFunc });
  }
  registerFused(backend, memory);
  registered = true;
}

const LN = 'RlreproLayerNorm';
const LN_GRAD = 'RlreproLayerNormGrad';
const GELU = 'RlreproGelu';
const GELU_GRAD = 'RlreproGeluGrad';

/** The fused kernels, registered for `wasm` under rlrepro's own names (called only while `enabled`). */
function registerFused(backend: WasmBackendInternals, memory: { buffer: ArrayBuffer }): void {
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
  const a = addon!;
  const kernels: Array<[string, tf.KernelFunc]> = [
    [LN, ({ inputs, attrs }) => {
      const { x, g, b } = inputs as Record<string, tf.TensorInfo>;
      const [R, C] = x!.shape as [number, number];
      const y = backend.makeOutput([R, C], 'float32');
      const xhat = backend.makeOutput([R, C], 'float32');
      const rstd = backend.makeOutput([R, 1], 'float32');
      a.layerNorm(memory.buffer, R, C, at(x!), at(g!), at(b!), at(y), at(xhat), at(rstd), (attrs as { eps: number }).eps);
      return [y, xhat, rstd];
    }],
    [LN_GRAD, ({ inputs }) => {
      const { dy, xhat, rstd, g } = inputs as Record<string, tf.TensorInfo>;
      const [R, C] = dy!.shape as [number, number];
      const dx = backend.makeOutput([R, C], 'float32');
      const dg = backend.makeOutput([C], 'float32');
      const db = backend.makeOutput([C], 'float32');
      a.layerNormGrad(memory.buffer, R, C, at(dy!), at(xhat!), at(rstd!), at(g!), at(dx), at(dg), at(db));
      return [dx, dg, db];
    }],
    [GELU, ({ inputs }) => {
      const { x } = inputs as Record<string, tf.TensorInfo>;
      const y = backend.makeOutput(x!.shape, 'float32');
      a.gelu(memory.buffer, sizeOf(x!), at(x!), at(y));
      return y;
    }],
    [GELU_GRAD, ({ inputs }) => {
      const { dy, x } = inputs as Record<string, tf.TensorInfo>;
      const dx = backend.makeOutput(x!.shape, 'float32');
      a.geluGrad(memory.buffer, sizeOf(x!), at(x!), at(dy!), at(dx));
      return dx;
    }],
  ];
  for (const [kernelName, kernelFunc] of kernels) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
}

const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((x, y) => x * y, 1);

/** True when the fused kernels serve this call: BLAS on, the wasm engine active, float32 operands. */
function fusedOn(...ts: tf.Tensor[]): boolean {
  return enabled && tf.getBackend() === 'wasm' && ts.every((t) => t.dtype === 'float32');
}

/**
 * LayerNorm over the last axis of x [N, C] with g, b [C] on the fused kernel: y, and what its backward needs
 * (`saved`: xhat [N, C], rstd [N, 1], g). null where the native kernels are off (the caller composes tfjs ops).
 */
export function nativeLayerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, eps: number): { y: tf.Tensor2D; saved: tf.Tensor[] } | null {
  if (!fusedOn(x, g, b)) return null;
  const [y, xhat, rstd] = tf.engine().runKernel(LN, { x, g, b }, { eps }) as tf.Tensor[];
  return { y: y as tf.Tensor2D, saved: [xhat!, rstd!, g] };
}

/** The backward of `nativeLayerNorm`: [dx [N, C], dg [C], db [C]] from dy and its `saved`. */
export function nativeLayerNormGrad(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
  const [xhat, rstd, g] = saved;
  return tf.engine().runKernel(LN_GRAD, { dy, xhat: xhat!, rstd: rstd!, g: g! }) as tf.Tensor[];
}

/** GELU (tanh form) on the fused kernel, any shape: y and `saved` ([x]); null where the native kernels are off. */
export function nativeGelu<R extends tf.Tensor>(x: R): { y: R; saved: tf.Tensor[] } | null {
  if (!fusedOn(x)) return null;
  return { y: tf.engine().runKernel(GELU, { x }) as R, saved: [x] };
}

/** The backward of `nativeGelu`: dx from dy and its `saved`. */
export function nativeGeluGrad(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor {
  return tf.engine().runKernel(GELU_GRAD, { dy, x: saved[0]! }) as tf.Tensor;
}
