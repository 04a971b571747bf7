/**
 * A tiny GPT in the style of nanoGPT: token + learned position embeddings, `nLayers` pre-LayerNorm blocks
 * (causal self-attention, GELU MLP, residuals), a final LayerNorm and an UNTIED linear head (untied: the head's
 * gradient stays one flag-free 2-D matmul and the embedding keeps its one-hot matmul; it costs V*C extra weights).
 *
 * Speed notes (tfjs-wasm 4.22, see issue 9): batch and time are folded into rows so every projection is one 2-D
 * matmul ([B*T, C] @ [C, C]); the layers in ./layers.ts carry hand-written gradients with explicit transposes;
 * the causal mask is additive; q, k, v are three matmuls plus 4-D transposes (no slicing, no 5-D transpose).
 * Attention's score and value matmuls are batched ([B*H, T, D]); on wasm they run on the SIMD kernel registered
 * in src/backend/wasm-kernels.ts (tfjs's own kernel for them is a scalar loop, ~10x slower).
 * Sampling uses `decodeStep`: one fused q|k|v matmul per layer and attention on a preallocated KV cache of typed
 * arrays (./kv-cache.ts), instead of concatenating tensors per token. Profiles: src/bench/PROFILE.md.
 *
 * Weights are drawn from an `Rng` in JS (normal, std 0.02; residual projections std 0.02/sqrt(2*nLayers) as in
 * nanoGPT / GPT-2), so initialisation is identical on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import { GPTConfig, gptConfig } from './config.js';
import type { KVCache } from './kv-cache.js';
import { embed, gelu, layerNorm, linear, matMul2d } from './layers.js';

/** Plain weights by parameter name (the checkpoint and weight-mixing format). */
export type GPTWeights = Record<string, Float32Array>;

/** One layer's q, k, v projections side by side (for decoding): w [C, 3C], b [3C]. */
export interface FusedQKV {
  w: tf.Tensor2D;
  b: tf.Tensor1D;
}

/** One layer's attention cache: keys k and values v, each [B*H, Tk, D]. */
export interface LayerKV {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

const MASK_NEG = -1e9; // additive mask value: exp underflows to exactly 0, and stays finite (no -inf - -inf NaN)

type Init = { kind: 'normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

/** Parameter names, shapes and initialisers in their stable order (the order of `GPT.params`). */
export function paramSpecs(config: GPTConfig): Array<{ name: string; shape: number[]; init: Init }> {
  const { vocabSize: V, contextLength: L, dModel: C, nLayers, mlpRatio } = config;
  const F = mlpRatio * C;
  const w = { kind: 'normal', std: 0.02 } as const;
  const wRes = { kind: 'normal', std: 0.02 / Math.sqrt(2 * nLayers) } as const; // nanoGPT's c_proj init
  const zeros = { kind: 'zeros' } as const;
  const ones = { kind: 'ones' } as const;
  const specs: Array<{ name: string; shape: number[]; init: Init }> = [
    { name: 'wte', shape: [V, C], init: w },
    { name: 'wpe', shape: [L, C], init: w },
  ];
  for (let i = 0; i < nLayers; i++) {
    const p = `h${i}.`;
    specs.push(
      { name: p + 'ln1.g', shape: [C], init: ones },
      { name: p + 'ln1.b', shape: [C], init: zeros },
      { name: p + 'attn.wq', shape: [C, C], init: w },
      { name: p + 'attn.bq', shape: [C], init: zeros },
      { name: p + 'attn.wk', shape: [C, C], init: w },
      { name: p + 'attn.bk', shape: [C], init: zeros },
      { name: p + 'attn.wv', shape: [C, C], init: w },
      { name: p + 'attn.bv', shape: [C], init: zeros },
      { name: p + 'attn.wo', shape: [C, C], init: wRes },
      { name: p + 'attn.bo', shape: [C], init: zeros },
      { name: p + 'ln2.g', shape: [C], init: ones },
      { name: p + 'ln2.b', shape: [C], init: zeros },
      { name: p + 'mlp.w1', shape: [C, F], init: w },
      { name: p + 'mlp.b1', shape: [F], init: zeros },
      { name: p + 'mlp.w2', shape: [F, C], init: wRes },
      { name: p + 'mlp.b2', shape: [C], init: zeros },
    );
  }
  specs.push(
    { name: 'lnf.g', shape: [C], init: ones },
    { name: 'lnf.b', shape: [C], init: zeros },
    { name: 'head', shape: [C, V], init: w },
  );
  return specs;
}

export class GPT {
  readonly config: GPTConfig;
  /**
   * Trainable variables in a stable order (see `paramSpecs`). Each variable's tfjs `name` is the key plus a unique
   * suffix (tfjs names are global), so `tf.variableGrads` results are keyed by `params[key].name`.
   */
  readonly params: Record<string, tf.Variable>;
  private readonly mask: tf.Tensor2D; // additive causal mask [L, L], L = contextLength
  private disposed = false;

  /** New model with weights drawn from `rng` (or copied from `weights`, see `GPT.fromWeights`). */
  constructor(config: GPTConfig, init: Rng | GPTWeights) {
    if (!(init instanceof Rng) && (init === null || typeof init !== 'object' || Array.isArray(init))) {
      throw new Error(`GPT: init must be an Rng (random weights, e.g. new Rng(0)) or GPTWeights (from getWeights()), got ${init === null ? 'null' : typeof init}`);
    }
    this.config = gptConfig(config);
    const L = this.config.contextLength;
    const m = new Float32Array(L * L);
    for (let r = 0; r < L; r++) for (let c = r + 1; c < L; c++) m[r * L + c] = MASK_NEG;
    this.mask = tf.keep(tf.tensor2d(m, [L, L])); // keep: survives a tf.tidy around the constructor
    this.params = {};
    const specs = paramSpecs(this.config);
    if (!(init instanceof Rng)) checkWeights(this.config, init);
    for (const s of specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      let data: Float32Array;
      if (!(init instanceof Rng)) data = init[s.name]!;
      else if (s.init.kind === 'normal') data = init.normals(n, s.init.std);
      else data = new Float32Array(n).fill(s.init.kind === 'ones' ? 1 : 0);
      // tidy frees the temporary tensor; the variable survives it
      this.params[s.name] = tf.tidy(() => tf.variable(tf.tensor(data, s.shape, 'float32'), true, `${s.name}_${uid()}`));
    }
  }

  /** A model holding copies of `weights` (every parameter present, with the right size). */
  static fromWeights(config: GPTConfig, weights: GPTWeights): GPT {
    return new GPT(config, weights);
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws a clear error when the model was disposed (tfjs would fail deep inside with "reading 'backend'"). */
  assertUsable(operation: string): void {
    if (this.disposed) throw new Error(`${operation}: the model was disposed; build or load a new GPT`);
  }

  /** Total number of trainable scalars. */
  numParams(): number {
    return Object.values(this.params).reduce((a, v) => a + v.size, 0);
  }

  /** Copies of the weights as plain arrays, in `params` order. */
  getWeights(): GPTWeights {
    this.assertUsable('GPT.getWeights');
    const out: GPTWeights = {};
    for (const [k, v] of Object.entries(this.params)) out[k] = v.dataSync() as Float32Array;
    return out;
  }

  /** Overwrites every parameter from `weights` (same names and sizes as `getWeights()` returns). */
  setWeights(weights: GPTWeights): void {
    this.assertUsable('GPT.setWeights');
    checkWeights(this.config, weights);
    for (const [k, v] of Object.entries(this.params)) {
      tf.tidy(() => v.assign(tf.tensor(weights[k]!, v.shape, 'float32')));
    }
  }

  /** Frees the variables and the mask. The model is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of Object.values(this.params)) v.dispose();
    this.mask.dispose();
  }

  /**
   * Teacher-forced forward pass.  tokens int32 [B, T] (T <= contextLength) -> logits [B, T, V].
   * Differentiable with respect to `params`.
   */
  forward(tokens: tf.Tensor2D): tf.Tensor3D {
    this.assertUsable('GPT.forward');
    const [B, T] = tokens.shape;
    this.checkTokens(tokens);
    return tf.tidy(() => {
      const { logits } = this.transformer(this.embedTokens(tokens), B, T, this.causalMask(T));
      return tf.reshape(logits, [B, T, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /**
   * Token + position embeddings, the input rows of `transformer` (call inside `tf.tidy`).
   *   tokens int32 [B, T] (positions 0..T-1) -> x [B*T, C].
   */
  embedTokens(tokens: tf.Tensor2D): tf.Tensor2D {
    this.checkTokens(tokens);
    const [B, T] = tokens.shape;
    const C = this.config.dModel;
    const p = this.params;
    const tok = embed(tf.reshape(tokens, [B * T]) as tf.Tensor1D, p['wte'] as tf.Variable<tf.Rank.R2>); // [B*T, C]
    const pos = tf.slice(p['wpe']!, [0, 0], [T, C]); // [T, C]
    return tf.reshape(tf.add(tf.reshape(tok, [B, T, C]), pos), [B * T, C]) as tf.Tensor2D; // [B*T, C]
  }

  /**
   * The blocks, final LayerNorm and head on already-embedded rows (call inside `tf.tidy`). Used by `forward` and by sampling (which embeds
   * with per-row positions and keeps a KV cache).
   *   x [B*Tq, C]; mask additive, [Tq, Tk] or [B, 1, Tq, Tk]; past: per layer, keys/values of earlier positions.
   *   -> logits [B*Tq, V], present: per layer, keys/values of past + these Tq positions.
   */
  transformer(
    x: tf.Tensor2D,
    B: number,
    Tq: number,
    mask: tf.Tensor,
    past?: LayerKV[],
  ): { logits: tf.Tensor2D; present: LayerKV[] } {
    const { hidden, present } = this.hiddenStates(x, B, Tq, mask, past);
    return { logits: this.unembed(hidden), present };
  }

  /**
   * `transformer` without the head: the final hidden states (after the last LayerNorm), which a latent-reasoning
   * model feeds back as input embeddings (./latent.ts). Same arguments; -> hidden [B*Tq, C] and `present`.
   */
  hiddenStates(
    x: tf.Tensor2D,
    B: number,
    Tq: number,
    mask: tf.Tensor,
    past?: LayerKV[],
  ): { hidden: tf.Tensor2D; present: LayerKV[] } {
    const p = this.params as Record<string, tf.Tensor>;
    const present: LayerKV[] = [];
    for (let i = 0; i < this.config.nLayers; i++) {
      const h = `h${i}.`;
      const a = layerNorm(x, p[h + 'ln1.g'] as tf.Tensor1D, p[h + 'ln1.b'] as tf.Tensor1D); // [B*Tq, C]
      const att = this.attention(a, B, Tq, i, mask, past?.[i]);
      present.push(att.kv);
      x = tf.add(x, att.y); // [B*Tq, C]
      const m = layerNorm(x, p[h + 'ln2.g'] as tf.Tensor1D, p[h + 'ln2.b'] as tf.Tensor1D);
      const hid = gelu(linear(m, p[h + 'mlp.w1'] as tf.Tensor2D, p[h + 'mlp.b1'] as tf.Tensor1D)); // [B*Tq, F]
      x = tf.add(x, linear(hid, p[h + 'mlp.w2'] as tf.Tensor2D, p[h + 'mlp.b2'] as tf.Tensor1D)); // [B*Tq, C]
    }
    return { hidden: layerNorm(x, p['lnf.g'] as tf.Tensor1D, p['lnf.b'] as tf.Tensor1D), present }; // [B*Tq, C]
  }

  /** The head.  hidden [N, C] (after the final LayerNorm) -> logits [N, V] (the head has no bias). */
  unembed(hidden: tf.Tensor2D): tf.Tensor2D {
    return matMul2d(hidden, this.params['head'] as tf.Tensor2D);
  }

  /**
   * Per layer, wq|wk|wv and bq|bk|bv concatenated, so a decode step projects with one matmul. Kept tensors: the
   * caller disposes them (a sampler builds them once per call; the weights must not change meanwhile).
   */
  fusedQKV(): FusedQKV[] {
    this.assertUsable('GPT.fusedQKV');
    const p = this.params as Record<string, tf.Tensor>;
    const out: FusedQKV[] = [];
    for (let i = 0; i < this.config.nLayers; i++) {
      const h = `h${i}.attn.`;
      out.push(
        tf.tidy(() => ({
          w: tf.keep(tf.concat([p[h + 'wq']!, p[h + 'wk']!, p[h + 'wv']!], 1) as tf.Tensor2D),
          b: tf.keep(tf.concat([p[h + 'bq']!, p[h + 'bk']!, p[h + 'bv']!], 0) as tf.Tensor1D),
        })),
      );
    }
    return out;
  }

  /**
   * One decoding step of every row (call inside `tf.tidy`; not differentiable): the same blocks as `transformer`,
   * with attention done by `cache` on typed arrays (./kv-cache.ts) instead of tfjs ops.
   *   x [B, C] (the embedded tokens at slot `slot`), qkv from `fusedQKV()` -> logits [B, V].
   */
  decodeStep(x: tf.Tensor2D, cache: KVCache, slot: number, qkv: FusedQKV[]): tf.Tensor2D {
    return this.unembed(this.decodeHidden(x, cache, slot, qkv)); // [B, V]
  }

  /** `decodeStep` without the head: x [B, C] -> the final hidden states [B, C] (after the last LayerNorm). */
  decodeHidden(x: tf.Tensor2D, cache: KVCache, slot: number, qkv: FusedQKV[]): tf.Tensor2D {
    const p = this.params as Record<string, tf.Tensor>;
    const { dModel: C, nHeads: H } = this.config;
    const B = x.shape[0];
    const scale = 1 / Math.sqrt(C / H);
    for (let i = 0; i < this.config.nLayers; i++) {
      const h = `h${i}.`;
      const a = layerNorm(x, p[h + 'ln1.g'] as tf.Tensor1D, p[h + 'ln1.b'] as tf.Tensor1D); // [B, C]
      const proj = tf.fused.matMul({ a, b: qkv[i]!.w, bias: qkv[i]!.b }); // [B, 3C]
      const y = cache.attend(i, slot, proj.dataSync() as Float32Array, scale); // [B, C]
      const att = linear(tf.tensor2d(y, [B, C]), p[h + 'attn.wo'] as tf.Tensor2D, p[h + 'attn.bo'] as tf.Tensor1D);
      x = tf.add(x, att); // [B, C]
      const m = layerNorm(x, p[h + 'ln2.g'] as tf.Tensor1D, p[h + 'ln2.b'] as tf.Tensor1D);
      const hid = gelu(linear(m, p[h + 'mlp.w1'] as tf.Tensor2D, p[h + 'mlp.b1'] as tf.Tensor1D)); // [B, F]
      x = tf.add(x, linear(hid, p[h + 'mlp.w2'] as tf.Tensor2D, p[h + 'mlp.b2'] as tf.Tensor1D)); // [B, C]
    }
    return layerNorm(x, p['lnf.g'] as tf.Tensor1D, p['lnf.b'] as tf.Tensor1D); // [B, C]
  }

  /** Causal self-attention of layer i.  a [B*Tq, C] -> y [B*Tq, C] and this layer's keys/values. */
  private attention(
    a: tf.Tensor2D,
    B: number,
    Tq: number,
    i: number,
    mask: tf.Tensor,
    past?: LayerKV,
  ): { y: tf.Tensor2D; kv: LayerKV } {
    const { dModel: C, nHeads: H } = this.config;
    const D = C / H;
    const N = B * Tq;
    const p = this.params as Record<string, tf.Tensor>;
    // Three [N, C] @ [C, C] matmuls: on wasm, slicing one [N, 3C] product into q, k, v costs more than it saves.
    const proj = (n: string) => linear(a, p[`h${i}.attn.w${n}`] as tf.Tensor2D, p[`h${i}.attn.b${n}`] as tf.Tensor1D);
    // Heads to the batch axis: [N, C] -> [B*H, Tq, D]. With Tq = 1 (a sampling step) a reshape does it.
    const toHeads = (t: tf.Tensor) =>
      (Tq === 1 ? tf.reshape(t, [N * H, 1, D]) : tf.reshape(tf.transpose(tf.reshape(t, [B, Tq, H, D]), [0, 2, 1, 3]), [B * H, Tq, D])) as tf.Tensor3D;
    const q = toHeads(tf.mul(proj('q'), 1 / Math.sqrt(D))); // [B*H, Tq, D]
    let k = toHeads(proj('k')); // [B*H, Tq, D]
    let v = toHeads(proj('v')); // [B*H, Tq, D]
    if (past) {
      k = tf.concat([past.k, k], 1); // [B*H, Tk, D]
      v = tf.concat([past.v, v], 1); // [B*H, Tk, D]
    }
    const Tk = k.shape[1];
    // Batched matmuls take tfjs-wasm's scalar loop whatever the flags, so transposeB costs nothing extra here.
    let s = tf.matMul(q, k, false, true) as tf.Tensor; // [B*H, Tq, Tk]
    s = mask.rank === 2 ? tf.add(s, mask) : tf.reshape(tf.add(tf.reshape(s, [B, H, Tq, Tk]), mask), [B * H, Tq, Tk]);
    const w = tf.softmax(s) as tf.Tensor3D; // [B*H, Tq, Tk]
    const o = tf.matMul(w, v); // [B*H, Tq, D]
    const y = (Tq === 1 ? tf.reshape(o, [N, C]) : tf.reshape(tf.transpose(tf.reshape(o, [B, H, Tq, D]), [0, 2, 1, 3]), [N, C])) as tf.Tensor2D; // [N, C]
    return { y: linear(y, p[`h${i}.attn.wo`] as tf.Tensor2D, p[`h${i}.attn.bo`] as tf.Tensor1D), kv: { k, v } };
  }

  /**
   * Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. A slice of one [L, L] mask built with
   * the model, so the tensor count does not grow with the sequence lengths seen.
   */
  causalMask(T: number): tf.Tensor2D {
    return tf.slice(this.mask, [0, 0], [T, T]);
  }

  private checkTokens(tokens: tf.Tensor): void {
    if (this.disposed) throw new Error('GPT: model was disposed');
    if (tokens.rank !== 2) throw new Error(`GPT.forward: tokens must be [B, T], got shape [${tokens.shape}]`);
    if (tokens.dtype !== 'int32') throw new Error(`GPT.forward: tokens must be int32, got ${tokens.dtype}`);
    const T = tokens.shape[1]!;
    if (T < 1 || T > this.config.contextLength)
      throw new Error(`GPT.forward: sequence length ${T} must be in [1, contextLength=${this.config.contextLength}]`);
  }
}

export { MASK_NEG };

let uidCounter = 0;
function uid(): number {
  return uidCounter++;
}

/** Every parameter present with the right length, and no extra names. */
function checkWeights(config: GPTConfig, weights: GPTWeights): void {
  const specs = paramSpecs(config);
  const names = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(weights))
    if (!names.has(k)) throw new Error(`GPT weights: unknown parameter "${k}" for this config`);
  for (const s of specs) {
    const w = weights[s.name];
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (!(w instanceof Float32Array)) throw new Error(`GPT weights: parameter "${s.name}" is missing`);
    if (w.length !== n)
      throw new Error(`GPT weights: parameter "${s.name}" has ${w.length} values, expected ${n} ([${s.shape}])`);
  }
}
