/**
 * Latent reasoning ("continuous thoughts", Coconut: Hao et al. 2024, arXiv 2412.06769, section 3) on the tiny GPT,
 * and its pause-token control (Goyal et al. 2023, arXiv 2310.02226).
 *
 * A row is  BOS prompt, k thought slots, completion. In `latent` mode the input embedding of thought j is the final
 * hidden state (after the last LayerNorm, before the head) of the slot before it, plus its position embedding (as
 * GPT-2's `inputs_embeds` gets positions added); the completion is then decoded as tokens. In `pause` mode thought j
 * is a learned vector `pause[j]` plus its position: the same extra positions and compute, but no state carried
 * from one thought to the next. The loss is cross-entropy on the completion only; in latent mode its gradient flows
 * back through every thought (backpropagation through time, by tfjs autodiff through the unrolled loop).
 *
 * What differs from Coconut: no <bot>/<eot> marker tokens (thoughts sit right after the prompt, whose last token
 * already marks the end of the question); thoughts per row are given, not a curriculum stage (the caller chooses
 * the completion and k per stage).
 *
 * Training forward: thought j needs the hidden state of thought j-1, so the blocks run once per thought on the
 * prefix that ends at the latest row's thought j-1, then once on the whole sequence: k+1 passes, each differentiable.
 * That recompute is fine at toy sizes (a KV-cached incremental forward would do one pass). Inference
 * (`generate`) uses the KV cache: the prompt in one pass, then one cached decode step per thought.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import { generate, type GenerateOptions, type Generation, type Thoughts } from './generate.js';
import { GPT } from './gpt.js';
import { matMul2d } from './layers.js';

export type ThoughtMode = 'latent' | 'pause';

/** Where each row's thoughts are: slots [start[b], start[b] + steps[b]). */
export interface ThoughtLayout {
  /** First thought slot of each row: its prompt length including BOS (>= 1). */
  start: Int32Array;
  /** Thoughts of each row (>= 0; 0 makes the row plain teacher forcing). */
  steps: Int32Array;
}

export interface LatentOptions {
  mode: ThoughtMode;
  /** Pause mode: number of learned pause embeddings, the most thoughts a row may have (a positive integer). */
  maxSteps?: number;
}

/**
 * A GPT with thought slots (see the file comment). Wraps, and does not own, `gpt`: its weights are shared and
 * trained in place. In pause mode it adds one variable, `pause` [maxSteps, C] (std 0.02 like the token embeddings),
 * which `params` lists beside the GPT's and `dispose` frees.
 */
export class LatentGPT {
  readonly gpt: GPT;
  readonly mode: ThoughtMode;
  /** Most thoughts per row: maxSteps in pause mode, unbounded (up to the context) in latent mode. */
  readonly maxSteps: number;
  /** The GPT's variables, plus `pause` in pause mode (the `Trainable` record the trainer updates). */
  readonly params: Record<string, tf.Variable>;
  private readonly pause: tf.Variable | undefined;

  /** rng draws the pause embeddings (required in pause mode, unused in latent mode). */
  constructor(gpt: GPT, opts: LatentOptions, rng?: Rng) {
    if (!(gpt instanceof GPT)) throw new Error('LatentGPT: gpt must be a GPT');
    const { mode, maxSteps } = opts;
    if (mode !== 'latent' && mode !== 'pause') throw new Error(`LatentGPT: mode must be "latent" or "pause", got ${JSON.stringify(mode)}`);
    this.gpt = gpt;
    this.mode = mode;
    if (mode === 'latent') {
      if (maxSteps !== undefined) throw new Error('LatentGPT: maxSteps is for pause mode (latent thoughts need no table)');
      this.maxSteps = Infinity;
      this.params = gpt.params;
      return;
    }
    if (!(Number.isInteger(maxSteps) && maxSteps! > 0))
      throw new Error(`LatentGPT: maxSteps must be a positive integer in pause mode, got ${maxSteps}`);
    if (!(rng instanceof Rng)) throw new Error('LatentGPT: pause mode needs an Rng to draw its embeddings');
    const C = gpt.config.dModel;
    this.maxSteps = maxSteps!;
    const init = rng.normals(this.maxSteps * C, 0.02);
    this.pause = tf.tidy(() => tf.variable(tf.tensor2d(init, [this.maxSteps, C]), true, `pause_${uid()}`));
    this.params = { ...gpt.params, pause: this.pause };
  }

  /**
   * Teacher-forced forward with thoughts.  tokens int32 [B, T] (anything at thought slots: it is never read),
   * layout for B rows -> logits [B, T, V]; logits at slot t predict the token at t+1 (at a row's last thought: its
   * first completion token). Differentiable with respect to `params`. With no thoughts it equals `gpt.forward`.
   */
  forward(tokens: tf.Tensor2D, layout: ThoughtLayout): tf.Tensor3D {
    const [B, T] = tokens.shape;
    this.checkLayout(layout, B, T);
    const gpt = this.gpt;
    return tf.tidy(() => {
      const hidden = this.hidden(tokens, layout, B, T); // [B*T, C]
      return tf.reshape(gpt.unembed(hidden), [B, T, gpt.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /**
   * The final hidden states (after the last LayerNorm) at each row's thought slots, for probes: [B, K, C] with
   * K = the most steps of any row, zeros past a row's own. In latent mode the state at thought j is thought j+1's
   * input (the last one's is what the head reads for the first completion token). Same arguments as `forward`.
   */
  thoughtStates(tokens: tf.Tensor2D, layout: ThoughtLayout): tf.Tensor3D {
    const [B, T] = tokens.shape;
    this.checkLayout(layout, B, T);
    const C = this.gpt.config.dModel;
    const K = Math.max(0, ...layout.steps);
    return tf.tidy(() => {
      const hidden = tf.reshape(this.hidden(tokens, layout, B, T), [B, T, C]);
      const sel = new Float32Array(B * K * T); // [B, K, T]: one-hot of thought j's slot
      for (let b = 0; b < B; b++) for (let j = 0; j < layout.steps[b]!; j++) sel[(b * K + j) * T + layout.start[b]! + j] = 1;
      return tf.matMul(tf.tensor3d(sel, [B, K, T]), hidden) as tf.Tensor3D; // [B, K, C]
    });
  }

  /**
   * Samples completions after `steps` thoughts per prompt (the same for every row) with the KV cache; prompts
   * include BOS, as for `generate`. The returned tokens are prompt then completion (thoughts hold no token).
   */
  generate(prompts: ArrayLike<number>[], steps: number, opts: GenerateOptions, rng: Rng): Generation {
    if (!(Number.isInteger(steps) && steps >= 0 && steps <= this.maxSteps))
      throw new Error(`LatentGPT.generate: steps must be an integer in [0, ${this.maxSteps}], got ${steps}`);
    return generate(this.gpt, prompts, opts, rng, this.thoughts(steps));
  }

  /** The `Thoughts` hook of `generate` for this mode: feedback of the hidden state, or pause[j]. */
  thoughts(steps: number): Thoughts {
    const pause = this.pause;
    if (pause === undefined) return { steps, input: (_j, hidden) => hidden };
    return {
      steps,
      input: (j, hidden) => tf.add(tf.zerosLike(hidden), tf.slice(pause, [j, 0], [1, pause.shape[1]!])) as tf.Tensor2D,
    };
  }

  /** Frees the pause embeddings (the wrapped GPT is the caller's). */
  dispose(): void {
    this.pause?.dispose();
  }

  /** The blocks on the rows with their thoughts filled in (call inside `tf.tidy`).  -> hidden [B*T, C]. */
  private hidden(tokens: tf.Tensor2D, layout: ThoughtLayout, B: number, T: number): tf.Tensor2D {
    const { start, steps } = layout;
    const gpt = this.gpt;
    const C = gpt.config.dModel;
    const K = Math.max(0, ...steps);
    let x = gpt.embedTokens(tokens); // [B*T, C]
    if (K > 0) {
      // Thought slots keep their position embedding only; the thought itself is added below.
      const inThought = slotMask(B, T, (b, t) => t >= start[b]! && t < start[b]! + steps[b]!); // [B*T, 1]
      const pos = tf.mul(tf.reshape(inThought, [B, T, 1]), tf.slice(gpt.params['wpe']!, [0, 0], [T, C])); // [B, T, C]
      x = tf.add(tf.mul(x, tf.sub(1, inThought)), tf.reshape(pos, [B * T, C])) as tf.Tensor2D;
      x = this.mode === 'pause' ? tf.add(x, this.pauseRows(layout, B, T)) : this.feedBack(x, layout, B, T, K);
    }
    return gpt.hiddenStates(x, B, T, gpt.causalMask(T)).hidden;
  }

  /**
   * Latent mode: fills thought j of every row from the final hidden state of the slot before it, j = 0..K-1.
   * Pass j runs the blocks on the prefix [0, T_j) that holds every row's slot start+j-1.  x [B*T, C] -> [B*T, C].
   */
  private feedBack(x: tf.Tensor2D, layout: ThoughtLayout, B: number, T: number, K: number): tf.Tensor2D {
    const { start, steps } = layout;
    const gpt = this.gpt;
    const C = gpt.config.dModel;
    for (let j = 0; j < K; j++) {
      const live = (b: number) => j < steps[b]!;
      let Tj = 0;
      for (let b = 0; b < B; b++) if (live(b)) Tj = Math.max(Tj, start[b]! + j);
      const prefix = tf.reshape(tf.slice(tf.reshape(x, [B, T, C]), [0, 0, 0], [B, Tj, C]), [B * Tj, C]) as tf.Tensor2D;
      const { hidden } = gpt.hiddenStates(prefix, B, Tj, gpt.causalMask(Tj)); // [B*Tj, C]
      const from = slotMask(B, Tj, (b, t) => live(b) && t === start[b]! + j - 1); // [B*Tj, 1]
      const h = tf.sum(tf.reshape(tf.mul(hidden, from), [B, Tj, C]), 1, true); // [B, 1, C] (0 for finished rows)
      const to = tf.reshape(slotMask(B, T, (b, t) => live(b) && t === start[b]! + j), [B, T, 1]);
      x = tf.add(x, tf.reshape(tf.mul(to, h), [B * T, C])) as tf.Tensor2D; // the slot held its position only
    }
    return x;
  }

  /** Pause mode: pause[j] at each row's thought j, 0 elsewhere.  -> [B*T, C]. */
  private pauseRows(layout: ThoughtLayout, B: number, T: number): tf.Tensor2D {
    const S = this.maxSteps;
    const sel = new Float32Array(B * T * S); // one-hot [B*T, S] of the thought index
    for (let b = 0; b < B; b++)
      for (let j = 0; j < layout.steps[b]!; j++) sel[(b * T + layout.start[b]! + j) * S + j] = 1;
    return matMul2d(tf.tensor2d(sel, [B * T, S]), this.pause as tf.Tensor2D);
  }

  private checkLayout(layout: ThoughtLayout, B: number, T: number): void {
    const { start, steps } = layout;
    if (!(start instanceof Int32Array) || !(steps instanceof Int32Array))
      throw new Error('LatentGPT.forward: layout.start and layout.steps must be Int32Arrays');
    if (start.length !== B || steps.length !== B)
      throw new Error(`LatentGPT.forward: layout.start and layout.steps need one entry per row (${B}), got ${start.length} and ${steps.length}`);
    for (let b = 0; b < B; b++) {
      const s = start[b]!;
      const k = steps[b]!;
      if (!(s >= 1 && s <= T)) throw new Error(`LatentGPT.forward: layout.start[${b}] = ${s} is not in [1, T=${T}]`);
      if (!(k >= 0 && k <= this.maxSteps))
        throw new Error(`LatentGPT.forward: layout.steps[${b}] = ${k} is not in [0, maxSteps=${this.maxSteps}]`);
      if (s + k > T) throw new Error(`LatentGPT.forward: row ${b}'s thoughts end at slot ${s + k}, past T=${T}`);
    }
  }
}

/** A 0/1 column over rows b*T + t: 1 where `on(b, t)`.  -> [B*T, 1]. */
function slotMask(B: number, T: number, on: (b: number, t: number) => boolean): tf.Tensor2D {
  const m = new Float32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (on(b, t)) m[b * T + t] = 1;
  return tf.tensor2d(m, [B * T, 1]);
}

let uidCounter = 0;
function uid(): number {
  return uidCounter++;
}
