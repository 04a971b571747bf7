/**
 * A block of memory with two WebAssembly SIMD (f32x4) kernels over it, for attention on plain arrays (the decode
 * step's KV cache, src/model/kv-cache.ts). Not a tfjs kernel: it runs the same on every tfjs backend. Where
 * WebAssembly SIMD is missing, the same two functions run as JS loops on an ordinary buffer.
 *
 * Offsets are in float32 elements from the start of the arena. One kernel, a weighted sum of strided rows:
 *   mix(p, v, out, n, len, stride):   out[d] = sum_{j<n} p[j] v[j*stride + d]    for d < len (len % 32 === 0)
 * It is attention's value mix (rows of V), and its scores when the keys are stored transposed (rows of K^T):
 * both as broadcast-multiply-adds over lanes, with no horizontal sums.
 */
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
  v128Zero,
  type WasmFunction,
} from './wasm-bytes.js';

export interface SimdArena {
  /** The whole arena as float32 (valid for the arena's life: it never grows). */
  readonly f32: Float32Array;
  /** True when the kernels are WebAssembly SIMD (false: the JS fallback). */
  readonly simd: boolean;
  mix(p: number, v: number, out: number, n: number, len: number, stride: number): void;
}

const { get, set, tee, block, loop, end, br, brIf, i32Add, i32Sub, i32Eqz, i32LtU, i32Shl } = op;
const v128LoadAt = (offset: number) => [0xfd, 0x00, 0x00, ...uleb(offset)];
const v128StoreAt = (offset: number) => [0xfd, 0x0b, 0x00, ...uleb(offset)];

// mix(p, v, out, n, len, stride), len % 32 === 0: 32 output columns at a time live in 8 v128 accumulators
// through the whole j loop. Locals: 6 oEnd, 7 o, 8 vb, 9 pj, 10 vj, 11 j; 12 w, 13-20 acc (v128).
const ACC = 13;
const lanes8 = [0, 1, 2, 3, 4, 5, 6, 7];
const MIX: WasmFunction = {
  name: 'mix',
  params: [op.i32, op.i32, op.i32, op.i32, op.i32, op.i32],
  locals: [[6, op.i32], [9, op.v128]],
  body: [
    get, 0, ...i32(2), i32Shl, set, 0, // p, v, out, stride: elements -> bytes
    get, 1, ...i32(2), i32Shl, set, 1,
    get, 2, ...i32(2), i32Shl, set, 2,
    get, 5, ...i32(2), i32Shl, set, 5,
    get, 2, get, 4, ...i32(2), i32Shl, i32Add, set, 6, // oEnd = out + 4 len
    get, 2, set, 7,
    get, 1, set, 8,
    loop, op.void, // blocks of 32 output columns
    ...lanes8.flatMap((t) => [...v128Zero, set, ACC + t]),
    get, 0, set, 9,
    get, 8, set, 10,
    get, 3, set, 11,
    block, op.void, loop, op.void, // j < n: acc += p[j] * v[j*stride + block : +32]
    get, 11, i32Eqz, brIf, 1,
    get, 9, ...f32Load, ...f32x4Splat, set, 12,
    ...lanes8.flatMap((t) => [get, ACC + t, get, 12, get, 10, ...v128LoadAt(16 * t), ...f32x4Mul, ...f32x4Add, set, ACC + t]),
    get, 9, ...i32(4), i32Add, set, 9,
    get, 10, get, 5, i32Add, set, 10,
    get, 11, ...i32(1), i32Sub, set, 11,
    br, 0,
    end, end,
    ...lanes8.flatMap((t) => [get, 7, get, ACC + t, ...v128StoreAt(16 * t)]),
    get, 8, ...i32(128), i32Add, set, 8,
    get, 7, ...i32(128), i32Add, tee, 7, get, 6, i32LtU, brIf, 0,
    end,
  ],
};

let compiled: object | null | undefined;

function simdModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = compile(moduleBytes([MIX]));
    } catch {
      compiled = null; // no WebAssembly SIMD in this engine
    }
  }
  return compiled;
}

/** An arena of `floats` float32 elements, with SIMD kernels when the engine has them (unless `forceJs`). */
export function simdArena(floats: number, opts: { forceJs?: boolean } = {}): SimdArena {
  const mod = opts.forceJs ? null : simdModule();
  if (mod) {
    const { memory, exports } = instantiate(mod, 4 * floats);
    return {
      f32: new Float32Array(memory.buffer, 0, floats),
      simd: true,
      mix: exports['mix'] as SimdArena['mix'],
    };
  }
  const f32 = new Float32Array(floats);
  return {
    f32,
    simd: false,
    mix(p, v, out, n, len, stride) {
      if (len % 32 !== 0) throw new Error(`SimdArena.mix: len must be a multiple of 32, got ${len}`);
      for (let d = 0; d < len; d++) f32[out + d] = 0;
      for (let j = 0; j < n; j++) {
        const w = f32[p + j]!;
        for (let d = 0; d < len; d++) f32[out + d] += w * f32[v + j * stride + d]!;
      }
    },
  };
}
