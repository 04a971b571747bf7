/**
 * Two memory-bound kernels that tfjs-wasm 4.22 runs slowly, replaced by WebAssembly SIMD loops that work IN
 * tfjs-wasm's own memory (the module imports the backend's `WebAssembly.Memory`, so tensors are read and written
 * where they live, with no copies):
 *  - Transpose of a 2-D float32/int32 matrix (both sides multiples of 4): 4x4 blocks through lane shuffles.
 *    tfjs's kernel takes ~55 ms for [16384, 512] here; the model's backward passes transpose 14 such matrices per
 *    training step (weight gradients x^T @ dy go through XNNPACK, which wants no transpose flag).
 *  - Sum over axis 0 of a float32 tensor of rank >= 2 (column sums: bias, LayerNorm and position-embedding
 *    gradients): tfjs-wasm transposes then reduces rows (~50 ms at [16384, 512]). Here rows are added in order into one row of sums, which is
 *    bit-identical to the ones-row matmul the model used before (training trajectories, which some tests pin at a
 *    learning rate where rounding changes the outcome, are unchanged) at ~5x less time.
 *  - A register-blocked batched matmul (`heapBatchMatMul`, used by ./wasm-kernels.ts's BatchMatMul override) for
 *    attention's [B*H, T, D] products when N is a multiple of 32.
 * Anything else (other ranks, permutations, axes, shapes) goes to tfjs's kernel. Where the backend's memory is not
 * reachable (a different tfjs-wasm build) nothing is registered. Parity: test/backend/wasm-heap-kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  compile,
  f32Load,
  f32x4Add,
  f32x4Mul,
  f32x4Splat,
  i32,
  instantiate,
  moduleBytes,
  op,
  uleb,
  v128Load,
  v128Store,
  v128Zero,
  type WasmFunction,
  type WasmMemory,
} from './wasm-bytes.js';

const { get, set, tee, loop, end, brIf, i32Add, i32LtU, i32Shl, i32Mul } = op;
const SELECT = 0x1b;
const v128LoadAt = (offset: number) => [0xfd, 0x00, 0x00, ...uleb(offset)];
const v128StoreAt = (offset: number) => [0xfd, 0x0b, 0x00, ...uleb(offset)];
/** i8x16.shuffle of two v128 by i32 lanes: idx 0-3 pick from the first operand, 4-7 from the second. */
const shuffle32 = (idx: number[]) => [0xfd, 0x0d, ...idx.flatMap((i) => [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3])];

// transpose(src, dst, R, C), src/dst byte offsets, R and C multiples of 4: dst[c, r] = src[r, c]. Bands of 64
// source columns (so the 64 destination rows being filled stay in cache), 4x4 blocks through lane shuffles.
// Locals: 4 r, 5 c, 6 sRow, 7 s, 8 d, 9 rowB (4C), 10 dRowB (4R), 11 cb, 12 cEnd; 13-16 rows, 17-20 pairs (v128).
const BAND = 64;
const TRANSPOSE: WasmFunction = {
  name: 'transpose',
  params: [op.i32, op.i32, op.i32, op.i32],
  locals: [[9, op.i32], [8, op.v128]],
  body: [
    get, 3, ...i32(2), i32Shl, set, 9,
    get, 2, ...i32(2), i32Shl, set, 10,
    ...i32(0), set, 11,
    loop, op.void, // bands of columns [cb, cEnd)
    get, 11, ...i32(BAND), i32Add, get, 3, get, 11, ...i32(BAND), i32Add, get, 3, i32LtU, SELECT, set, 12,
    get, 0, set, 6,
    ...i32(0), set, 4,
    loop, op.void, // rows r..r+3 of src
    get, 6, get, 11, ...i32(2), i32Shl, i32Add, set, 7, // s = sRow + 4cb
    get, 1, get, 11, get, 10, i32Mul, i32Add, get, 4, ...i32(2), i32Shl, i32Add, set, 8, // d = dst + cb*dRowB + 4r
    get, 11, set, 5,
    loop, op.void, // columns c..c+3
    get, 7, ...v128Load, set, 13,
    get, 7, get, 9, i32Add, ...v128Load, set, 14,
    get, 7, get, 9, ...i32(1), i32Shl, i32Add, ...v128Load, set, 15,
    get, 7, get, 9, ...i32(3), i32Mul, i32Add, ...v128Load, set, 16,
    get, 13, get, 14, ...shuffle32([0, 4, 1, 5]), set, 17, // a0 b0 a1 b1
    get, 13, get, 14, ...shuffle32([2, 6, 3, 7]), set, 18, // a2 b2 a3 b3
    get, 15, get, 16, ...shuffle32([0, 4, 1, 5]), set, 19, // c0 d0 c1 d1
    get, 15, get, 16, ...shuffle32([2, 6, 3, 7]), set, 20, // c2 d2 c3 d3
    get, 8, get, 17, get, 19, ...shuffle32([0, 1, 4, 5]), ...v128Store,
    get, 8, get, 10, i32Add, get, 17, get, 19, ...shuffle32([2, 3, 6, 7]), ...v128Store,
    get, 8, get, 10, ...i32(1), i32Shl, i32Add, get, 18, get, 20, ...shuffle32([0, 1, 4, 5]), ...v128Store,
    get, 8, get, 10, ...i32(3), i32Mul, i32Add, get, 18, get, 20, ...shuffle32([2, 3, 6, 7]), ...v128Store,
    get, 7, ...i32(16), i32Add, set, 7,
    get, 8, get, 10, ...i32(2), i32Shl, i32Add, set, 8,
    get, 5, ...i32(4), i32Add, tee, 5, get, 12, i32LtU, brIf, 0,
    end,
    get, 6, get, 9, ...i32(2), i32Shl, i32Add, set, 6,
    get, 4, ...i32(4), i32Add, tee, 4, get, 2, i32LtU, brIf, 0,
    end,
    get, 11, ...i32(BAND), i32Add, tee, 11, get, 3, i32LtU, brIf, 0,
    end,
  ],
};

// colsum(src, dst, R, C), byte offsets, C a multiple of 4: dst[c] = sum_r src[r, c], rows added in order (the
// order of XNNPACK's ones-row product that it replaces, so results are bit-identical to it). dst stays in L1 while
// the rows stream through. Locals: 4 rowEnd (byte), 5 c (byte), 6 p (row pointer), 7 end (last byte of src).
const COLSUM: WasmFunction = {
  name: 'colsum',
  params: [op.i32, op.i32, op.i32, op.i32],
  locals: [[4, op.i32]],
  body: [
    get, 3, ...i32(2), i32Shl, set, 4, // row bytes
    ...i32(0), set, 5,
    loop, op.void, // dst = 0
    get, 1, get, 5, i32Add, ...v128Zero, ...v128Store,
    get, 5, ...i32(16), i32Add, tee, 5, get, 4, i32LtU, brIf, 0,
    end,
    get, 0, get, 2, get, 4, i32Mul, i32Add, set, 7, // end = src + R * rowBytes
    get, 0, set, 6,
    loop, op.void, // rows
    ...i32(0), set, 5,
    loop, op.void, // dst[c:c+4] += row[c:c+4]
    get, 1, get, 5, i32Add, get, 1, get, 5, i32Add, ...v128Load, get, 6, get, 5, i32Add, ...v128Load, ...f32x4Add, ...v128Store,
    get, 5, ...i32(16), i32Add, tee, 5, get, 4, i32LtU, brIf, 0,
    end,
    get, 6, get, 4, i32Add, tee, 6, get, 7, i32LtU, brIf, 0,
    end,
  ],
};

// mm32(a, b, c, batch, M, K, N, sAi, sAk), byte offsets/strides, N % 32 === 0, M, K >= 1: per batch entry,
// C[M, N] = A @ B with A's element (i, k) at a + i*sAi + k*sAk (so a transposed A is just other strides), B [K, N]
// and C [M, N] row-major. Register-blocked: 32 columns of a C row live in 8 v128 accumulators through the whole k
// loop (tfjs-wasm's batched matmul is a scalar loop; the older kernel in ./wasm-kernels.ts reloads C every k).
// Locals: 9 bi, 10 jbB, 11 i, 12 k, 13 ap, 14 bp, 15 rowB, 16 aB, 17 bB, 18 cB; 19 av, 20-27 acc (v128).
const MM_ACC = 20;
const MM32: WasmFunction = {
  name: 'mm32',
  params: new Array<number>(9).fill(op.i32),
  locals: [[10, op.i32], [9, op.v128]],
  body: [
    get, 6, ...i32(2), i32Shl, set, 15, // rowB = 4N
    get, 0, set, 16, get, 1, set, 17, get, 2, set, 18,
    get, 3, set, 9,
    op.block, op.void, loop, op.void, // batch entries
    get, 9, op.i32Eqz, brIf, 1,
    ...i32(0), set, 10,
    loop, op.void, // 32-column blocks
    ...i32(0), set, 11,
    loop, op.void, // rows of C
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((t) => [...v128Zero, set, MM_ACC + t]),
    get, 16, get, 11, get, 7, i32Mul, i32Add, set, 13, // ap = aB + i*sAi
    get, 17, get, 10, i32Add, set, 14, // bp = bB + jbB
    get, 5, set, 12,
    loop, op.void, // k
    get, 13, ...f32Load, ...f32x4Splat, set, 19,
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((t) => [get, MM_ACC + t, get, 19, get, 14, ...v128LoadAt(16 * t), ...f32x4Mul, ...f32x4Add, set, MM_ACC + t]),
    get, 13, get, 8, i32Add, set, 13,
    get, 14, get, 15, i32Add, set, 14,
    get, 12, ...i32(1), op.i32Sub, tee, 12, brIf, 0,
    end,
    get, 18, get, 11, get, 15, i32Mul, i32Add, get, 10, i32Add, set, 13, // C row pointer (reusing ap)
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((t) => [get, 13, get, MM_ACC + t, ...v128StoreAt(16 * t)]),
    get, 11, ...i32(1), i32Add, tee, 11, get, 4, i32LtU, brIf, 0,
    end,
    get, 10, ...i32(128), i32Add, tee, 10, get, 15, i32LtU, brIf, 0,
    end,
    get, 16, get, 4, get, 5, i32Mul, ...i32(2), i32Shl, i32Add, set, 16, // next A: + 4MK
    get, 17, get, 5, get, 15, i32Mul, i32Add, set, 17, // next B: + K rowB
    get, 18, get, 4, get, 15, i32Mul, i32Add, set, 18, // next C: + M rowB
    get, 9, ...i32(1), op.i32Sub, set, 9,
    op.br, 0,
    end, end,
  ],
};

interface WasmBackendInternals {
  wasm?: { asm?: { memory?: WasmMemory } };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

let calls = 0;
let batchMatMul: typeof heapBatchMatMul | undefined;

/**
 * A batched matmul in place on the register-blocked kernel, for float32 inputs of equal batch dims (rank >= 3) and
 * N % 32 === 0 (attention's products and their gradients on the reference model: N = T or D). transposeA is read
 * through strides; transposeB goes through a temporary transposed copy. null when the shapes do not qualify or the
 * kernels are not registered (the caller then uses another kernel).
 */
export function heapBatchMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): tf.TensorInfo | null {
  return batchMatMul ? batchMatMul(a, b, transposeA, transposeB) : null;
}

/** How many Transpose / Sum calls the heap kernels served (a check that the overrides are live). */
export function heapKernelCalls(): number {
  return calls;
}

/** Registers the overrides for `wasm`; false if the backend's memory is not reachable (tfjs's kernels stay). */
export function registerHeapKernels(): boolean {
  const backend = tf.findBackend('wasm') as unknown as WasmBackendInternals | null;
  const memory = backend?.wasm?.asm?.memory;
  const origT = tf.getKernel('Transpose', 'wasm');
  const origS = tf.getKernel('Sum', 'wasm');
  if (!backend || !memory || !origT || !origS || typeof backend.getMemoryOffset !== 'function') return false;
  type Fn4 = (s: number, d: number, R: number, C: number) => void;
  let k: { transpose: Fn4; colsum: Fn4; mm32: (...args: number[]) => void };
  try {
    const { exports } = instantiate(compile(moduleBytes([TRANSPOSE, COLSUM, MM32])), 0, memory);
    k = exports as unknown as typeof k;
  } catch {
    return false; // no SIMD, or the memory cannot be imported
  }
  const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);

  const transpose: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const [R, C] = x.shape as [number, number];
    if (x.shape.length !== 2 || perm[0] !== 1 || (x.dtype !== 'float32' && x.dtype !== 'int32') || R % 4 || C % 4 || R * C === 0)
      return origT.kernelFunc(args);
    const out = backend.makeOutput([C, R], x.dtype);
    calls++;
    k.transpose(at(x), at(out), R, C);
    return out;
  };

  const sum: tf.KernelFunc = (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.shape.length : a));
    // Over axis 0 only, any rank: x as [R, C] with C the product of the other dimensions.
    const rest = x.shape.slice(1);
    const R = x.shape[0] ?? 0;
    const C = rest.reduce((a, b) => a * b, 1);
    if (x.shape.length < 2 || axes.length !== 1 || axes[0] !== 0 || x.dtype !== 'float32' || C % 4 || R === 0 || C === 0)
      return origS.kernelFunc(args);
    const out = backend.makeOutput(keepDims ? [1, ...rest] : rest, 'float32');
    calls++;
    k.colsum(at(x), at(out), R, C);
    return out;
  };

  batchMatMul = (a, b, transposeA, transposeB) => {
    const r = a.shape.length;
    if (r < 3 || r !== b.shape.length || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
    const lead = a.shape.slice(0, -2);
    if (lead.some((d, i) => d !== b.shape[i])) return null;
    const batch = lead.reduce((x, y) => x * y, 1);
    const M = transposeA ? a.shape[r - 1]! : a.shape[r - 2]!;
    const K = transposeA ? a.shape[r - 2]! : a.shape[r - 1]!;
    const N = transposeB ? b.shape[r - 2]! : b.shape[r - 1]!;
    if (batch < 1 || M < 1 || K < 1 || N % 32 !== 0 || N === 0 || (transposeB && K % 4 !== 0)) return null;
    let bb = b;
    let temp: tf.TensorInfo | undefined;
    if (transposeB) {
      temp = backend.makeOutput([batch, K, N], 'float32');
      const src = at(b);
      const dst = at(temp);
      for (let i = 0; i < batch; i++) k.transpose(src + 4 * i * N * K, dst + 4 * i * N * K, N, K);
      bb = temp;
    }
    const out = backend.makeOutput([...lead, M, N], 'float32');
    calls++;
    k.mm32(at(a), at(bb), at(out), batch, M, K, N, transposeA ? 4 : 4 * K, transposeA ? 4 * M : 4);
    if (temp) backend.disposeData(temp.dataId);
    return out;
  };

  for (const [name, kernelFunc] of [['Transpose', transpose], ['Sum', sum]] as const) {
    tf.unregisterKernel(name, 'wasm'); // re-registering without this logs a warning
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  return true;
}
