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
import { f32Load, f32x4Add, f32x4Mul, f32x4Splat, i32, moduleBytes, op, v128Load, v128Store, v128Zero } from './wasm-bytes.js';
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
    if (ra === 2 && rb === 2 && (transposeA || transposeB) && a.dtype === 'float32' && b.dtype === 'float32')
      return flagFreeMatMul(args, fallback);
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
 * A 2-D product with transpose flags, the way XNNPACK serves it: flags become explicit transposes (the SIMD kernel
 * of ./wasm-heap-kernels.ts, through the registered Transpose) and the product runs flag-free on XNNPACK, which
 * otherwise drops to a scalar loop. For A^T @ B (weight gradients) the narrower operand goes on XNNPACK's right,
 * the side it repacks on every call: (B^T @ A)^T when B is wider than A (~30% faster on the MLP's [N,128]->[N,512]).
 * So the model can write `matMul(x, dy, true)` and every backend runs its own fast form.
 */
function flagFreeMatMul(args: Parameters<tf.KernelFunc>[0], product: tf.KernelFunc): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as unknown as { disposeData(id: object): boolean };
  const transposeKernel = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
  const temps: tf.TensorInfo[] = []; // every intermediate; all but the result are freed
  const T = (x: tf.TensorInfo): tf.TensorInfo => {
    const t = transposeKernel({ inputs: { x }, backend: args.backend, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
    temps.push(t);
    return t;
  };
  const mm = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo => {
    const p = product({ inputs: { a: x, b: y }, backend: args.backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    temps.push(p);
    return p;
  };
  let out: tf.TensorInfo;
  if (transposeA && !transposeB && b.shape[1]! > a.shape[1]!) out = T(mm(T(b), a));
  else out = mm(transposeA ? T(a) : a, transposeB ? T(b) : b);
  for (const t of temps) if (t !== out) backend.disposeData(t.dataId);
  return out;
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
    const mod = new WebAssembly.Module(mmModuleBytes());
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
// Opcodes and the module layout come from ./wasm-bytes.js (shared with the heap and arena kernels).
const { block: BLOCK, loop: LOOP, end: END, br: BR, brIf: BR_IF, void: VOID, get: GET, set: SET, tee: TEE } = op;
const { i32Eqz: I32_EQZ, i32LtU: I32_LT_U, i32Add: I32_ADD, i32Sub: I32_SUB, i32Mul: I32_MUL, i32Shl: I32_SHL } = op;

// Locals: params 0 a, 1 b, 2 c, 3 batch, 4 M, 5 K, 6 N; then 7 pbBase, 8 pb, 9 i, 10 k, 11 j, 12 rowBytes,
// 13 bi (i32) and 14 av (v128). Loops count down; a, c advance as running pointers.
const [A, B_, C, BATCH, M_, K_, N_, PBBASE, PB, I, K, J, ROW, BI, AV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
const c = i32;
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
  GET, C, GET, J, I32_ADD, ...v128Zero, ...v128Store,
  GET, J, ...c(16), I32_ADD, TEE, J, GET, ROW, I32_LT_U, BR_IF, 0,
  END,
  GET, PBBASE, SET, PB,
  GET, K_, SET, K,
  BLOCK, VOID, LOOP, VOID, // for k = K..1
  GET, K, I32_EQZ, BR_IF, 1,
  GET, A, ...f32Load, ...f32x4Splat, SET, AV, // av = splat(A[i, k])
  GET, A, ...c(4), I32_ADD, SET, A,
  ...c(0), SET, J,
  LOOP, VOID, // C[i, j:j+4] += av * B[k, j:j+4]
  GET, C, GET, J, I32_ADD,
  GET, C, GET, J, I32_ADD, ...v128Load,
  GET, AV, GET, PB, ...v128Load, ...f32x4Mul, ...f32x4Add,
  ...v128Store,
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
];

function mmModuleBytes(): Uint8Array {
  return moduleBytes([{ name: 'mm', params: new Array<number>(7).fill(op.i32), locals: [[7, op.i32], [1, op.v128]], body }]);
}
