/**
 * Kernels tfjs-backend-wasm 4.22 lacks or runs slowly, registered for `wasm` only. Called by `initBackend`.
 *
 * BatchMatMul with a batch dimension (attention's [B*H, T, D] products and all their gradients): tfjs-wasm sends
 * every such call to a scalar C++ loop (~1 GFLOP/s here). The override below runs them on a small WebAssembly SIMD
 * kernel (f32x4) emitted byte by byte in this file (no compiler needed at install time): ~10-12 GFLOP/s including
 * the copies in and out of its own memory. 2-D matmuls and batch-1 calls keep tfjs's XNNPACK path. Parity with
 * the cpu backend: test/backend/wasm-kernels.test.ts.
 *
 * Also: Identity shares memory instead of copying (below); Transpose and column sums run in place on SIMD
 * (./wasm-heap-kernels.ts).
 *
 * (UnsortedSegmentSum, gather's missing gradient, is not registered: the model embeds with a one-hot matmul,
 * which costs <1% of a training step at vocab 32.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapBatchMatMul, registerHeapKernels } from './wasm-heap-kernels.js';

// The WebAssembly global exists in Node but is not in this project's `lib`; the little used here:
declare const WebAssembly: {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
};

let registered = false;
const MIN_ROWS = 4; // rows per batch entry below which tfjs's own loop is faster (measured: M = 1 decode steps)
let simdCalls = 0;

/** How many BatchMatMul calls the SIMD kernel served (a check that the override is live). */
export function simdBatchMatMulCalls(): number {
  return simdCalls;
}

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerBatchMatMul();
  registerHeapKernels();
  registerSharedIdentity();
}

/**
 * Identity shares its input's memory, as tfjs's cpu backend does, instead of copying it (tfjs-wasm 4.22 copies).
 * The engine runs Identity for every tensor a gradient function saves (customGrad's `save`, kernels' saved
 * inputs): ~60 full copies of [B*T, C]-sized activations per training step of the reference model. Safe because
 * tfjs never writes into a tensor's memory after creating it (variables `assign` a new buffer).
 */
function registerSharedIdentity(): void {
  if (!tf.getKernel('Identity', 'wasm')) return;
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    (backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc });
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function registerBatchMatMul(): void {
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  if (!orig) return;
  let simd: SimdBatchMatMul;
  try {
    simd = new SimdBatchMatMul();
  } catch {
    return; // an engine without wasm SIMD keeps tfjs's kernel
  }
  const fallback = orig.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 3 || ra !== rb || a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const lead = a.shape.slice(0, -2);
    if (lead.some((d, i) => d !== b.shape[i])) return fallback(args); // broadcasting batch dims: tfjs's kernel
    const batch = lead.reduce((x, y) => x * y, 1);
    if (batch <= 1) return fallback(args); // XNNPACK serves batch 1 without transposes
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    // One-row products (a sampling step's attention) gain nothing from lanes over rows and lose to the copies.
    if (M < MIN_ROWS) return fallback(args);
    const inPlace = heapBatchMatMul(a, b, transposeA, transposeB); // N % 32 === 0: the faster in-place kernel
    if (inPlace) {
      simdCalls++;
      return inPlace;
    }
    const backend = args.backend as unknown as HeapBackend;
    const out = backend.makeOutput([...lead, M, N], 'float32');
    simdCalls++;
    // Views after makeOutput: allocating may grow the heap and detach older views.
    simd.run(backend.typedArrayFromHeap(a), backend.typedArrayFromHeap(b), backend.typedArrayFromHeap(out), batch, M, K, N, transposeA, transposeB);
    return out;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm'); // re-registering without this logs a warning
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc });
}

/**
* A batched matmul with WebAssembly SIMD (f32x4), for the shapes tfjs-wasm 4.22 sends to its scalar loop:
 * every `BatchMatMul` with a batch dimension > 1 (attention's [B*H, T, D] products and their gradients).
 *
 * The module is emitted byte by byte below (no compiler is needed at install time); its one function is
 *   mm(a, b, c, batch, M, K, N): for each batch, C[M, N] = A[M, K] @ B[K, N], row-major float32 at byte offsets
 *   a, b, c in the imported memory; N must be a positive multiple of 4.
 * Loop order i, k, j: C's row stays in L1 while B's rows stream through; 4 lanes per instruction.
 */
/** Computes C = A @ B per batch in its own wasm memory. Inputs and output are plain Float32Arrays. */
class SimdBatchMatMul {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly mm: (a: number, b: number, c: number, batch: number, M: number, K: number, N: number) => void;

  constructor() {
    const mod = new WebAssembly.Module(moduleBytes());
    const inst = new WebAssembly.Instance(mod, { env: { mem: this.memory } });
    this.mm = inst.exports['mm'] as SimdBatchMatMul['mm'];
  }

  /**
   * out[b] = op(A[b]) @ op(B[b]) where op transposes when asked.  a [batch, M, K] (or [batch, K, M] if
   * transposeA), b [batch, K, N] (or [batch, N, K] if transposeB) -> out [batch, M, N]. N % 4 === 0.
   */
  run(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    M: number,
    K: number,
    N: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void {
    const Np = Math.ceil(N / 4) * 4; // B and C rows padded to whole lanes
    const na = batch * M * K;
    const nb = batch * K * Np;
    const nc = batch * M * Np;
    const bytes = 4 * (na + nb + nc);
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    const heap = new Float32Array(this.memory.buffer);
    if (transposeA) transposeInto(a, heap, 0, batch, K, M, K);
    else heap.set(a, 0);
    if (transposeB) transposeInto(b, heap, na, batch, N, K, Np);
    else if (Np === N) heap.set(b, na);
    else for (let r = 0; r < batch * K; r++) heap.set(b.subarray(r * N, r * N + N), na + r * Np);
    if (Np !== N) for (let r = 0; r < batch * K; r++) heap.fill(0, na + r * Np + N, na + r * Np + Np);
    this.mm(0, 4 * na, 4 * (na + nb), batch, M, K, Np);
    const res = new Float32Array(this.memory.buffer, 4 * (na + nb), nc);
    if (Np === N) out.set(res);
    else for (let r = 0; r < batch * M; r++) out.set(res.subarray(r * Np, r * Np + N), r * N);
  }
}

/** dst[off + b, c, r] = src[b, r, c] for src [batch, R, C]; dst rows have `stride` >= R slots. */
function transposeInto(
  src: Float32Array,
  dst: Float32Array,
  off: number,
  batch: number,
  R: number,
  C: number,
  stride: number,
): void {
  for (let b = 0; b < batch; b++) {
    const s0 = b * R * C;
    const d0 = off + b * C * stride;
    for (let r = 0; r < R; r++) {
      const sr = s0 + r * C;
      for (let c = 0; c < C; c++) dst[d0 + c * stride + r] = src[sr + c]!;
    }
  }
}

// --- the module, as bytes ---------------------------------------------------------------------------------------
// Opcodes (WebAssembly core + SIMD proposal, final numbering).
const BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22;
const I32_CONST = 0x41, I32_EQZ = 0x45, I32_LT_U = 0x49, I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_SHL = 0x74;
const F32_LOAD = [0x2a, 0x02, 0x00]; // align 2^2, offset 0
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00, 0x00, 0x00]; // align 1 (no alignment promise), offset 0
const V128_STORE = [SIMD, 0x0b, 0x00, 0x00];
const V128_ZERO = [SIMD, 0x0c, ...new Array(16).fill(0)];
const F32X4_SPLAT = [SIMD, 0x13];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const I32 = 0x7f, V128 = 0x7b;

// Locals: params 0 a, 1 b, 2 c, 3 batch, 4 M, 5 K, 6 N; then 7 pbBase, 8 pb, 9 i, 10 k, 11 j, 12 rowBytes,
// 13 bi (i32) and 14 av (v128). Loops count down; a, c advance as running pointers.
const [A, B_, C, BATCH, M_, K_, N_, PBBASE, PB, I, K, J, ROW, BI, AV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const c = (n: number) => [I32_CONST, ...sleb(n)];
const body: number[] = [
  GET, N_, ...c(2), I32_SHL, SET, ROW, // rowBytes = N * 4
  GET, B_, SET, PBBASE,
  GET, BATCH, SET, BI,
  BLOCK, VOID, LOOP, VOID, // for bi = batch..1
  GET, BI, I32_EQZ, BR_IF, 1,
  GET, M_, SET, I,
  BLOCK, VOID, LOOP, VOID, // for i = M..1
  GET, I, I32_EQZ, BR_IF, 1,
  ...c(0), SET, J,
  LOOP, VOID, // C row = 0
  GET, C, GET, J, I32_ADD, ...V128_ZERO, ...V128_STORE,
  GET, J, ...c(16), I32_ADD, TEE, J, GET, ROW, I32_LT_U, BR_IF, 0,
  END,
  GET, PBBASE, SET, PB,
  GET, K_, SET, K,
  BLOCK, VOID, LOOP, VOID, // for k = K..1
  GET, K, I32_EQZ, BR_IF, 1,
  GET, A, ...F32_LOAD, ...F32X4_SPLAT, SET, AV, // av = splat(A[i, k])
  GET, A, ...c(4), I32_ADD, SET, A,
  ...c(0), SET, J,
  LOOP, VOID, // C[i, j:j+4] += av * B[k, j:j+4]
  GET, C, GET, J, I32_ADD,
  GET, C, GET, J, I32_ADD, ...V128_LOAD,
  GET, AV, GET, PB, ...V128_LOAD, ...F32X4_MUL, ...F32X4_ADD,
  ...V128_STORE,
  GET, PB, ...c(16), I32_ADD, SET, PB,
  GET, J, ...c(16), I32_ADD, TEE, J, GET, ROW, I32_LT_U, BR_IF, 0,
  END,
  GET, K, ...c(1), I32_SUB, SET, K,
  BR, 0,
  END, END,
  GET, C, GET, ROW, I32_ADD, SET, C, // next C row
  GET, I, ...c(1), I32_SUB, SET, I,
  BR, 0,
  END, END,
  GET, PBBASE, GET, K_, GET, ROW, I32_MUL, I32_ADD, SET, PBBASE, // next batch's B
  GET, BI, ...c(1), I32_SUB, SET, BI,
  BR, 0,
  END, END,
  END,
];

function moduleBytes(): Uint8Array {
  const locals = [2, 7, I32, 1, V128]; // two groups: 7 x i32, 1 x v128
  const func = [...locals, ...body];
  const name = [...'mm'].map((ch) => ch.charCodeAt(0));
  const env = [...'env'].map((ch) => ch.charCodeAt(0));
  const mem = [...'mem'].map((ch) => ch.charCodeAt(0));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]), // type: (i32 x7) -> ()
    ...section(2, [1, env.length, ...env, mem.length, ...mem, 0x02, 0x00, 0x01]), // import env.mem, min 1 page
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, name.length, ...name, 0x00, 0]), // export "mm"
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
