/**
 * A preallocated key/value cache for batched decoding, and the attention of one new position against it, on plain
 * typed arrays. Why outside tfjs: per token, tfjs would concatenate the whole cache (a copy that grows with the
 * sequence), run two one-row batched matmuls (a scalar loop on wasm), a mask add and a softmax: ~10 ms of a ~27 ms
 * decode step at 256 rows on the reference model. Here a step writes one key and one value per head in place and
 * attends in one pass over the live slots, so it costs what the arithmetic costs, on every backend.
 *
 * Layout per layer: keys TRANSPOSED [B*H, D, W] and values [B*H, W, D] (row b, head h at b*H + h; W slots per row),
 * so both products of attention are SIMD broadcast-multiply-adds (src/backend/simd-arena.ts). Row b attends to
 * slots [start[b], t] (its left padding is never read).
 */
import { simdArena, type SimdArena } from '../backend/simd-arena.js';
import type { GPTConfig } from './config.js';

export class KVCache {
  readonly batch: number;
  readonly width: number;
  private readonly H: number;
  private readonly D: number;
  private readonly nLayers: number;
  private readonly start: Int32Array;
  // One arena (WebAssembly memory when SIMD is available) holds, in float32 elements:
  // per layer keys [B*H, D, W] then values [B*H, W, D]; the step's qkv [B, 3C]; the output [B, C] + 32; one row of
  // scores [W rounded up to 32, + 32] (the kernel writes blocks of 32).
  private readonly arena: SimdArena;
  private readonly layerSize: number;
  private readonly qkvAt: number;
  private readonly outAt: number;
  private readonly pAt: number;

  /**
   * config: the model's; batch rows; width slots per row (<= contextLength); start[b] = first slot row b attends to
   * (its count of left-pad slots), in [0, width). `forceJs` runs the attention as JS loops (for parity tests).
   */
  constructor(config: GPTConfig, batch: number, width: number, start: Int32Array, opts: { forceJs?: boolean } = {}) {
    if (!(Number.isInteger(batch) && batch > 0)) throw new Error(`KVCache: batch must be a positive integer, got ${batch}`);
    if (!(Number.isInteger(width) && width > 0 && width <= config.contextLength))
      throw new Error(`KVCache: width must be an integer in [1, contextLength=${config.contextLength}], got ${width}`);
    if (start.length !== batch) throw new Error(`KVCache: start has ${start.length} entries, expected batch=${batch}`);
    for (let b = 0; b < batch; b++)
      if (!(start[b]! >= 0 && start[b]! < width)) throw new Error(`KVCache: start[${b}] = ${start[b]} is not in [0, ${width})`);
    this.batch = batch;
    this.width = width;
    this.H = config.nHeads;
    this.D = config.dModel / config.nHeads;
    this.nLayers = config.nLayers;
    this.start = Int32Array.from(start);
    const C = config.dModel;
    this.layerSize = batch * this.H * width * this.D;
    this.qkvAt = 2 * this.nLayers * this.layerSize;
    this.outAt = this.qkvAt + batch * 3 * C;
    this.pAt = this.outAt + batch * C + 32; // + 32: the last head's whole-block tail (see attend)
    this.arena = simdArena(this.pAt + roundUp32(width) + 32, opts);
  }

  /** True when attention runs on WebAssembly SIMD (false: JS loops). */
  get simd(): boolean {
    return this.arena.simd;
  }

  /** Stores slots [0, T) of layer `layer` from keys and values laid out [B*H, T, D]. */
  load(layer: number, k: Float32Array, v: Float32Array, T: number): void {
    const { D, width: W } = this;
    const rows = this.batch * this.H;
    if (!(Number.isInteger(layer) && layer >= 0 && layer < this.nLayers))
      throw new Error(`KVCache.load: layer must be in [0, ${this.nLayers}), got ${layer}`);
    if (k.length !== rows * T * D || v.length !== rows * T * D)
      throw new Error(`KVCache.load: keys/values must be [${rows}, ${T}, ${D}], got ${k.length} and ${v.length} values`);
    const f = this.arena.f32;
    const K = 2 * layer * this.layerSize;
    const V = K + this.layerSize;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) f[K + (r * D + d) * W + t] = k[(r * T + t) * D + d]!;
      f.set(v.subarray(r * T * D, (r + 1) * T * D), V + r * W * D);
    }
  }

  /**
   * Causal attention of the new position `slot` of every row, in layer `layer`.
   *   qkv [B, 3C] (queries, keys, values side by side; head h at columns h*D..h*D+D of each) -> y [B, C].
   * Writes this position's keys and values into the cache first. `scale` multiplies the scores (1/sqrt(D)).
   * The returned array is a view that the next call overwrites.
   */
  attend(layer: number, slot: number, qkv: Float32Array, scale: number): Float32Array {
    const { H, D, width: W, arena, qkvAt, outAt, pAt } = this;
    const C = H * D;
    const f = arena.f32;
    if (qkv.length !== this.batch * 3 * C)
      throw new Error(`KVCache.attend: qkv must be [${this.batch}, ${3 * C}], got ${qkv.length} values`);
    if (!(Number.isInteger(slot) && slot >= 0 && slot < W)) throw new Error(`KVCache.attend: slot must be in [0, ${W}), got ${slot}`);
    if (!(Number.isInteger(layer) && layer >= 0 && layer < this.nLayers))
      throw new Error(`KVCache.attend: layer must be in [0, ${this.nLayers}), got ${layer}`);
    f.set(qkv, qkvAt);
    const K = 2 * layer * this.layerSize;
    const V = K + this.layerSize;
    for (let b = 0; b < this.batch; b++) {
      const row = qkvAt + b * 3 * C;
      const j0 = this.start[b]!;
      const n = slot - j0 + 1;
      if (n < 1) throw new Error(`KVCache.attend: slot ${slot} is before row ${b}'s first slot ${j0}`);
      for (let h = 0; h < H; h++) {
        const base = (b * H + h) * W * D; // this (row, head)'s block of keys, and of values
        const kNew = row + C + h * D;
        for (let d = 0; d < D; d++) f[K + base + d * W + slot] = f[kNew + d]!;
        f.copyWithin(V + base + slot * D, row + 2 * C + h * D, row + 2 * C + h * D + D);
        // scores[j] = q . k_j for j in [j0, slot]: D rows of K^T, weighted by q (blocks of 32, the tail ignored;
        // it reads past this head's keys, into the next ones or the values, never past the arena)
        arena.mix(row + h * D, K + base + j0, pAt, D, roundUp32(n), W);
        // Softmax of the n scaled scores (float64 arithmetic).
        let max = -Infinity;
        for (let j = 0; j < n; j++) if (f[pAt + j]! > max) max = f[pAt + j]!;
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const e = Math.exp((f[pAt + j]! - max) * scale);
          f[pAt + j] = e;
          sum += e;
        }
        for (let j = 0; j < n; j++) f[pAt + j] = f[pAt + j]! / sum;
        // y = sum_j p_j v_j (in blocks of 32: a D that is not a multiple of 32 spills into the next heads' slots,
        // which those heads then overwrite, or into the 32 spare slots after the last)
        arena.mix(pAt, V + base + j0 * D, outAt + b * C + h * D, n, roundUp32(D), D);
      }
    }
    return f.subarray(outAt, outAt + this.batch * C);
  }
}

function roundUp32(n: number): number {
  return Math.ceil(n / 32) * 32;
}
