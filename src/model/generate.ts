/**
 * Batched autoregressive sampling: temperature, top-p (nucleus), greedy, stop at EOS, with a KV cache
 * (`generate`) or by recomputing the whole prefix each step (`generateFullRecompute`, for tests and the bench).
 *
 * Prompts of different lengths are LEFT-padded internally: row b's prompt sits at the right end of the prompt
 * block, its positions start at 0 on its first real token, and its pad slots are masked out of attention. So
 * every row is scored exactly as if it were alone. The returned `tokens` are LEFT-aligned (prompt, then the
 * generated tokens, then `padId`), which is the layout `tokenLogProbs` scores without any offsets.
 *
 * All sampling decisions happen in JS from the step's logits, read once per step (`dataSync` of [B, V]), with the
 * `Rng` passed in: the same seed gives the same tokens on a backend. One uniform is drawn per live row per step
 * (none when greedy).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import { FusedQKV, GPT, LayerKV, MASK_NEG } from './gpt.js';
import { KVCache } from './kv-cache.js';
import { embed } from './layers.js';

export interface GenerateOptions {
  /** Tokens to generate per row at most (> 0). Longest prompt + maxNewTokens must fit in contextLength. */
  maxNewTokens: number;
  /** Token written after a row ends (EOS reached or maxNewTokens) and in the output's unused slots. */
  padId: number;
  /** Stop a row after it emits this token (the EOS is kept and counted in `lengths`). Omit: never stop early. */
  eosId?: number;
  /** Softmax temperature (> 0). Default 1. Ignored when greedy. */
  temperature?: number;
  /** Nucleus sampling: keep the smallest set of most likely tokens with probability >= topP (0 < topP <= 1). Default 1. */
  topP?: number;
  /** Argmax decoding (the first maximum on ties). Default false. */
  greedy?: boolean;
}

/** Plain arrays; row-major. Per-token arrays are [batch, maxNewTokens] with 0 beyond a row's length. */
export interface Generation {
  batch: number;
  /** Row width of `tokens`: longest prompt + maxNewTokens. */
  width: number;
  maxNewTokens: number;
  /** [batch, width]: prompt, generated tokens, then padId. */
  tokens: Int32Array;
  /** Prompt length per row. */
  promptLengths: Int32Array;
  /** Generated tokens per row, EOS included. */
  lengths: Int32Array;
  /**
   * log pi(token) of each generated token under the UNMODIFIED policy (temperature 1, no top-p): the pi_old an RL
   * objective needs, and what `tokenLogProbs` recomputes teacher-forced.
   */
  logProbs: Float32Array;
  /** log q(token) under the distribution actually sampled from (tempered, top-p renormalised); 0 when greedy. */
  samplingLogProbs: Float32Array;
  /** Entropy of the unmodified policy at each generated position (nats). */
  entropies: Float32Array;
  /** Self-certainty logsumexp(z) - mean(z) - log V of the unmodified policy at each generated position. */
  selfCertainty: Float32Array;
}

/**
 * Continuous "thought" positions between the prompt and the first sampled token (latent reasoning, ./latent.ts).
 * Thought j sits at the slot after the prompt's last + j, with its own position; its input embedding is
 * `input(j, hidden)` + that position's embedding, where `hidden` [B, C] is the final hidden state (after the last
 * LayerNorm) of the slot before it. Thought slots hold no token and are absent from `Generation.tokens`.
 */
export interface Thoughts {
  /** Thought slots per row (the same for every row; an integer >= 0). */
  steps: number;
  /** Input embedding without position of thought j.  hidden [B, C] -> [B, C] (called inside `tf.tidy`). */
  input(j: number, hidden: tf.Tensor2D): tf.Tensor2D;
}

/**
 * Samples continuations of `prompts` with a KV cache. With `thoughts`, that many continuous thoughts run first
 * (one cached decode step each), and the longest prompt + thoughts + maxNewTokens must fit in contextLength.
 */
export function generate(
  model: GPT,
  prompts: ArrayLike<number>[],
  opts: GenerateOptions,
  rng: Rng,
  thoughts?: Thoughts,
): Generation {
  return run(model, prompts, opts, rng, true, thoughts);
}

/** The same sampling without a cache: every step re-runs the model on the whole prefix (slow; a reference). */
export function generateFullRecompute(
  model: GPT,
  prompts: ArrayLike<number>[],
  opts: GenerateOptions,
  rng: Rng,
): Generation {
  return run(model, prompts, opts, rng, false);
}

function run(
  model: GPT,
  prompts: ArrayLike<number>[],
  opts: GenerateOptions,
  rng: Rng,
  cached: boolean,
  thoughts?: Thoughts,
): Generation {
  model.assertUsable('generate');
  const o = checkOptions(opts, model.config.vocabSize);
  const K = thoughts?.steps ?? 0; // thought slots between prompt and sampled tokens
  if (!(Number.isInteger(K) && K >= 0)) throw new Error(`generate: thoughts.steps must be an integer >= 0, got ${K}`);
  if (!(rng instanceof Rng)) throw new Error('generate: rng must be an Rng (src/random.ts)');
  const { vocabSize: V, contextLength } = model.config;
  const B = prompts.length;
  if (B < 1) throw new Error('generate: prompts must hold at least one prompt');
  const promptLengths = new Int32Array(B);
  prompts.forEach((p, b) => {
    if (p.length < 1) throw new Error(`generate: prompts[${b}] is empty (every prompt needs >= 1 token)`);
    for (let j = 0; j < p.length; j++) {
      const t = p[j]!;
      if (!(Number.isInteger(t) && t >= 0 && t < V))
        throw new Error(`generate: prompts[${b}][${j}] = ${t} is not a token id in [0, ${V})`);
    }
    promptLengths[b] = p.length;
  });
  const P = Math.max(...promptLengths);
  const M = o.maxNewTokens;
  const W = P + K + M; // internal (left-padded) row width
  if (W > contextLength)
    throw new Error(
      `generate: longest prompt (${P})${K > 0 ? ` + thoughts (${K})` : ''} + maxNewTokens (${M}) = ${W} exceeds the ` +
        `model's contextLength (${contextLength})`,
    );

  // Internal buffer, left-padded: row b's prompt occupies slots [pads[b], P), thoughts [P, P+K) (never read).
  const pads = new Int32Array(B);
  const buf = new Int32Array(B * W).fill(o.padId);
  prompts.forEach((p, b) => {
    pads[b] = P - p.length;
    for (let j = 0; j < p.length; j++) buf[b * W + pads[b]! + j] = p[j]!;
  });

  const out: Generation = {
    batch: B,
    width: P + M,
    maxNewTokens: M,
    tokens: new Int32Array(B * (P + M)).fill(o.padId),
    promptLengths,
    lengths: new Int32Array(B),
    logProbs: new Float32Array(B * M),
    samplingLogProbs: new Float32Array(B * M),
    entropies: new Float32Array(B * M),
    selfCertainty: new Float32Array(B * M),
  };
  const stepper = cached
    ? new CachedStepper(model, buf, pads, B, P, W, thoughts)
    : new RecomputeStepper(model, buf, pads, B, P, W);
  const done = new Uint8Array(B);
  const next = new Int32Array(B);
  const scratch = new Float64Array(V);
  const order = new Int32Array(V);
  try {
    let logits = stepper.first(); // [B, V] at slot P-1
    for (let s = 0; s < M; s++) {
      let live = 0;
      for (let b = 0; b < B; b++) {
        if (done[b]) {
          next[b] = o.padId;
          continue;
        }
        const r = sampleRow(logits, b * V, V, o, rng, scratch, order);
        if (r === undefined) throw new Error(`generate: logits of row ${b} at new token ${s} contain NaN or Inf`);
        next[b] = r.token;
        const k = b * M + s;
        out.logProbs[k] = r.logp;
        out.samplingLogProbs[k] = r.samplingLogp;
        out.entropies[k] = r.entropy;
        out.selfCertainty[k] = r.selfCertainty;
        out.lengths[b]! += 1;
        if (r.token === o.eosId || s === M - 1) done[b] = 1;
        else live++;
      }
      for (let b = 0; b < B; b++) buf[b * W + P + K + s] = next[b]!;
      if (live === 0) break;
      logits = stepper.next(next, s);
    }
  } finally {
    stepper.dispose();
  }
  for (let b = 0; b < B; b++) {
    const row = b * W;
    out.tokens.set(buf.subarray(row + pads[b]!, row + P), b * (P + M));
    out.tokens.set(buf.subarray(row + P + K, row + P + K + out.lengths[b]!), b * (P + M) + promptLengths[b]!);
  }
  return out;
}

interface Stepper {
  /** Logits [B, V] predicting the first sampled token (slot P, or P+K after K thoughts). */
  first(): Float32Array;
  /** Feeds the tokens just sampled into slot P+K+s; returns the logits predicting the next slot. */
  next(tokens: Int32Array, s: number): Float32Array;
  dispose(): void;
}

/** Additive mask [B, 1, Tq, Tk] for query slots [q0, q0+Tq) over key slots [0, Tk): causal and pad-key masking. */
function paddedMask(pads: Int32Array, q0: number, Tq: number, Tk: number): tf.Tensor4D {
  const B = pads.length;
  const m = new Float32Array(B * Tq * Tk);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < Tq; i++)
      for (let j = 0; j < Tk; j++) if (j > q0 + i || j < pads[b]!) m[(b * Tq + i) * Tk + j] = MASK_NEG;
  return tf.tensor4d(m, [B, 1, Tq, Tk]);
}

/** Embeds slots [t0, t0+Tq) of the left-padded buffer with per-row positions.  -> [B*Tq, C]. */
function embedSlots(model: GPT, tokens: Int32Array, pads: Int32Array, t0: number, Tq: number): tf.Tensor2D {
  const B = pads.length;
  const pos = new Int32Array(B * Tq);
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) pos[b * Tq + i] = Math.max(0, t0 + i - pads[b]!);
  // One-hot matmuls, as in GPT.forward (wasm's gather is ~10x slower here, and this keeps the numerics identical).
  const tok = embed(tf.tensor1d(tokens, 'int32'), model.params['wte'] as tf.Tensor2D); // [B*Tq, C]
  return tf.add(tok, embed(tf.tensor1d(pos, 'int32'), model.params['wpe'] as tf.Tensor2D)) as tf.Tensor2D;
}

/** Logits of each row's last slot.  logits [B*Tq, V] -> [B, V]. */
function lastRows(logits: tf.Tensor2D, B: number, Tq: number): tf.Tensor2D {
  const V = logits.shape[1];
  if (Tq === 1) return logits;
  return tf.reshape(tf.slice(tf.reshape(logits, [B, Tq, V]), [0, Tq - 1, 0], [B, 1, V]), [B, V]) as tf.Tensor2D;
}

/**
 * KV-cache decoding: the prompt block runs through `GPT.transformer` once (tfjs ops, all P slots at a time); its
 * keys and values go into a preallocated `KVCache`, and every later token is one `GPT.decodeStep`, whose attention
 * writes into the cache in place (no per-token concatenation). Thoughts, if any, are `GPT.decodeHidden` steps in
 * slots [P, P+K) between the two.
 */
class CachedStepper implements Stepper {
  private readonly cache: KVCache;
  private readonly qkv: FusedQKV[];
  private readonly wte: Float32Array; // [V, C]
  private readonly wpe: Float32Array; // [L, C]
  private readonly x: Float32Array; // [B, C] embedded tokens of a step, reused

  constructor(
    private readonly model: GPT,
    private readonly buf: Int32Array,
    private readonly pads: Int32Array,
    private readonly B: number,
    private readonly P: number,
    private readonly W: number,
    private readonly thoughts?: Thoughts,
  ) {
    this.cache = new KVCache(model.config, B, W, pads);
    this.qkv = model.fusedQKV();
    this.wte = model.params['wte']!.dataSync() as Float32Array;
    this.wpe = model.params['wpe']!.dataSync() as Float32Array;
    this.x = new Float32Array(B * model.config.dModel);
  }

  first(): Float32Array {
    const { B, P, W } = this;
    const prompt = new Int32Array(B * P);
    for (let b = 0; b < B; b++) prompt.set(this.buf.subarray(b * W, b * W + P), b * P);
    const K = this.thoughts?.steps ?? 0;
    const { last, present } = tf.tidy(() => {
      const x = embedSlots(this.model, prompt, this.pads, 0, P);
      const mask = paddedMask(this.pads, 0, P, P);
      // Without thoughts, exactly the plain path (the head on all P rows, as GPT.forward computes it); with
      // thoughts, the last slot's hidden state, which the first thought reads.
      const r = K === 0 ? this.model.transformer(x, B, P, mask) : this.model.hiddenStates(x, B, P, mask);
      const rows = 'logits' in r ? r.logits : r.hidden; // [B*P, V] or [B*P, C]
      return { last: lastRows(rows, B, P), present: r.present as unknown as tf.TensorContainer };
    });
    (present as unknown as LayerKV[]).forEach((l, i) => {
      this.cache.load(i, l.k.dataSync() as Float32Array, l.v.dataSync() as Float32Array, P);
      tf.dispose([l.k, l.v]);
    });
    if (K === 0) return readOnce(last);
    let hidden = last; // [B, C]: final hidden state of the slot before the next thought
    for (let j = 0; j < K; j++) {
      const prev = hidden;
      hidden = tf.tidy(() => {
        const x = tf.add(this.thoughts!.input(j, prev), this.positions(P + j)) as tf.Tensor2D; // [B, C]
        return this.model.decodeHidden(x, this.cache, P + j, this.qkv);
      });
      prev.dispose();
    }
    const logits = tf.tidy(() => this.model.unembed(hidden));
    hidden.dispose();
    return readOnce(logits);
  }

  /** Position embeddings of slot t for every row (its own position t - pads[b]).  -> [B, C]. */
  private positions(t: number): tf.Tensor2D {
    const C = this.model.config.dModel;
    const out = new Float32Array(this.B * C);
    for (let b = 0; b < this.B; b++) out.set(this.wpe.subarray((t - this.pads[b]!) * C, (t - this.pads[b]! + 1) * C), b * C);
    return tf.tensor2d(out, [this.B, C]);
  }

  next(tokens: Int32Array, s: number): Float32Array {
    const { B, wte, wpe, x } = this;
    const C = this.model.config.dModel;
    const t = this.P + (this.thoughts?.steps ?? 0) + s; // slot of `tokens`
    // Embedding on typed arrays: the one-hot matmuls of `embed` select rows exactly, and a float32 sum of two
    // float32 values is what Float32Array storage of their (exact) double sum rounds to, so this is bit-identical.
    for (let b = 0; b < B; b++) {
      const te = tokens[b]! * C;
      const pe = Math.max(0, t - this.pads[b]!) * C;
      for (let c = 0; c < C; c++) x[b * C + c] = wte[te + c]! + wpe[pe + c]!;
    }
    const last = tf.tidy(() => this.model.decodeStep(tf.tensor2d(x, [B, C]), this.cache, t, this.qkv));
    return readOnce(last);
  }

  dispose(): void {
    for (const w of this.qkv) tf.dispose([w.w, w.b]);
  }
}

/** The step's one read of its logits; disposes the tensor. */
function readOnce(t: tf.Tensor): Float32Array {
  const a = t.dataSync() as Float32Array;
  t.dispose();
  return a;
}

class RecomputeStepper implements Stepper {
  constructor(
    private readonly model: GPT,
    private readonly buf: Int32Array,
    private readonly pads: Int32Array,
    private readonly B: number,
    private readonly P: number,
    private readonly W: number,
  ) {}

  first(): Float32Array {
    return this.prefix(this.P);
  }

  next(_tokens: Int32Array, s: number): Float32Array {
    return this.prefix(this.P + s + 1); // `tokens` are already in buf
  }

  /** Runs the model on slots [0, T) and returns the logits at slot T-1. */
  private prefix(T: number): Float32Array {
    const { B, W } = this;
    const toks = new Int32Array(B * T);
    for (let b = 0; b < B; b++) toks.set(this.buf.subarray(b * W, b * W + T), b * T);
    const last = tf.tidy(() => {
      const x = embedSlots(this.model, toks, this.pads, 0, T);
      const r = this.model.transformer(x, B, T, paddedMask(this.pads, 0, T, T));
      return lastRows(r.logits, B, T);
    });
    const logits = last.dataSync() as Float32Array; // the step's one read
    last.dispose();
    return logits;
  }

  dispose(): void {}
}

interface Sampled {
  token: number;
  logp: number;
  samplingLogp: number;
  entropy: number;
  selfCertainty: number;
}

/** Samples one row of logits z = logits[off, off+V) (float64 arithmetic). undefined if z has NaN/Inf. */
function sampleRow(
  logits: Float32Array,
  off: number,
  V: number,
  o: Required<Omit<GenerateOptions, 'eosId'>> & { eosId: number | undefined },
  rng: Rng,
  q: Float64Array,
  order: Int32Array,
): Sampled | undefined {
  let max = -Infinity;
  let argmax = 0;
  let sumZ = 0;
  for (let i = 0; i < V; i++) {
    const z = logits[off + i]!;
    if (!Number.isFinite(z)) return undefined;
    sumZ += z;
    if (z > max) {
      max = z;
      argmax = i;
    }
  }
  let se = 0;
  for (let i = 0; i < V; i++) se += Math.exp(logits[off + i]! - max);
  const lse = max + Math.log(se);
  let entropy = 0;
  for (let i = 0; i < V; i++) {
    const lp = logits[off + i]! - lse;
    entropy -= Math.exp(lp) * lp;
  }
  const stats = { entropy, selfCertainty: lse - sumZ / V - Math.log(V) };
  if (o.greedy) return { token: argmax, logp: logits[off + argmax]! - lse, samplingLogp: 0, ...stats };

  // Tempered distribution q (unnormalised), then the nucleus.
  let total = 0;
  for (let i = 0; i < V; i++) total += q[i] = Math.exp((logits[off + i]! - max) / o.temperature);
  let kept = V;
  if (o.topP < 1) {
    for (let i = 0; i < V; i++) order[i] = i;
    const sorted = Array.from(order).sort((a, b) => q[b]! - q[a]! || a - b);
    let cum = 0;
    kept = 0;
    while (kept < V && cum < o.topP * total) cum += q[sorted[kept++]!]!;
    for (let i = kept; i < V; i++) q[sorted[i]!] = 0;
    total = cum;
  }
  let u = rng.uniform() * total;
  let token = -1;
  for (let i = 0; i < V; i++) {
    if (q[i]! === 0) continue;
    token = i;
    u -= q[i]!;
    if (u < 0) break;
  }
  return {
    token,
    logp: logits[off + token]! - lse,
    samplingLogp: Math.log(q[token]! / total),
    ...stats,
  };
}

function checkOptions(
  opts: GenerateOptions,
  V: number,
): Required<Omit<GenerateOptions, 'eosId'>> & { eosId: number | undefined } {
  if (typeof opts !== 'object' || opts === null) throw new Error('generate: options must be an object');
  const known = ['maxNewTokens', 'padId', 'eosId', 'temperature', 'topP', 'greedy'];
  for (const k of Object.keys(opts))
    if (!known.includes(k)) throw new Error(`generate: unknown option "${k}"; valid options are ${known.join(', ')}`);
  const { maxNewTokens, padId, eosId, temperature = 1, topP = 1, greedy = false } = opts;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens > 0))
    throw new Error(`generate: maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  const isId = (t: unknown) => Number.isInteger(t) && (t as number) >= 0 && (t as number) < V;
  if (!isId(padId)) throw new Error(`generate: padId must be a token id in [0, ${V}), got ${padId}`);
  if (eosId !== undefined && !isId(eosId)) throw new Error(`generate: eosId must be a token id in [0, ${V}), got ${eosId}`);
  if (typeof greedy !== 'boolean') throw new Error(`generate: greedy must be a boolean, got ${greedy}`);
  if (!greedy && !(typeof temperature === 'number' && temperature > 0 && Number.isFinite(temperature)))
    throw new Error(`generate: temperature must be a finite number > 0 (or set greedy: true), got ${temperature}`);
  if (!(typeof topP === 'number' && topP > 0 && topP <= 1))
    throw new Error(`generate: topP must be in (0, 1], got ${topP}`);
  return { maxNewTokens, padId, eosId, temperature, topP, greedy };
}
