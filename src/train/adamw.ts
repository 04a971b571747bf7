/**
 * AdamW with exactly `torch.optim.AdamW`'s update rule (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", Algorithm 2; torch docs for AdamW). For each parameter p with gradient g at step t:
 *
 *   p ← p · (1 − lr·λ)                      decoupled weight decay (only where `shouldDecay` says so)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Differences from torch: none in the rule; no `amsgrad`, `maximize` or per-group options. Like nanoGPT, a caller
 * usually decays only matrices (`decayMatricesOnly`); the default decays every parameter, as torch does.
 * tfjs ships Adam but not AdamW (its Adam adds weight decay to the gradient, i.e. L2, when asked at all).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkGradShape, type Optimizer, type OptimizerState } from './optimizer.js';
import { Slots } from './slots.js';
import { checkInt, checkKeys, checkRange } from './validate.js';

export interface AdamWOptions {
  /** Learning rate (torch default 1e-3); the trainer overwrites it every step from its schedule. */
  lr?: number;
  /** First-moment decay β1, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Second-moment decay β2, in [0, 1). Default 0.999 (nanoGPT uses 0.95 for small models). */
  beta2?: number;
  /** ε added to √v̂, > 0. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay λ, >= 0. Default 0.01 (torch's). */
  weightDecay?: number;
  /** Which parameters decay (by name and shape). Default: all, as torch. */
  shouldDecay?: (name: string, shape: readonly number[]) => boolean;
}

const KEYS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'shouldDecay'] as const;

/** nanoGPT's rule: weight-decay matrices (rank >= 2: linear weights, embeddings), not biases or LayerNorm gains. */
export function decayMatricesOnly(_name: string, shape: readonly number[]): boolean {
  return shape.length >= 2;
}

export class AdamW implements Optimizer {
  readonly kind = 'adamw';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly shouldDecay: (name: string, shape: readonly number[]) => boolean;
  private lr_: number;
  private step_ = 0;
  private readonly m = new Slots('m');
  private readonly v = new Slots('v');

  constructor(opts: AdamWOptions = {}) {
    checkKeys('AdamW options', opts, KEYS);
    this.lr_ = checkRange('AdamW lr', opts.lr ?? 1e-3, 0, Infinity);
    this.beta1 = checkRange('AdamW beta1', opts.beta1 ?? 0.9, 0, 1, true);
    this.beta2 = checkRange('AdamW beta2', opts.beta2 ?? 0.999, 0, 1, true);
    this.eps = checkRange('AdamW eps', opts.eps ?? 1e-8, Number.MIN_VALUE, Infinity);
    this.weightDecay = checkRange('AdamW weightDecay', opts.weightDecay ?? 0.01, 0, Infinity);
    this.shouldDecay = opts.shouldDecay ?? (() => true);
  }

  get lr(): number {
    return this.lr_;
  }
  set lr(x: number) {
    this.lr_ = checkRange('AdamW lr', x, 0, Infinity);
  }
  get step(): number {
    return this.step_;
  }

  applyGradients(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    const t = this.step_ + 1;
    const lr = this.lr_;
    tf.tidy(() => {
      // Scalars computed in float64 once per step, then shared by every parameter.
      const decay = tf.scalar(1 - lr * this.weightDecay);
      const b1 = tf.scalar(this.beta1);
      const oneMinusB1 = tf.scalar(1 - this.beta1);
      const b2 = tf.scalar(this.beta2);
      const oneMinusB2 = tf.scalar(1 - this.beta2);
      const stepSize = tf.scalar(lr / (1 - this.beta1 ** t));
      const sqrtBc2 = tf.scalar(Math.sqrt(1 - this.beta2 ** t));
      const eps = tf.scalar(this.eps);
      for (const [name, p] of Object.entries(params)) {
        const g = grads[name];
        if (g === undefined || !p.trainable) continue;
        checkGradShape(name, p, g);
        const m = this.m.get(name, p);
        const v = this.v.get(name, p);
        const pDecayed = this.weightDecay > 0 && this.shouldDecay(name, p.shape) ? p.mul(decay) : p;
        const mNew = m.mul(b1).add(g.mul(oneMinusB1));
        const vNew = v.mul(b2).add(g.square().mul(oneMinusB2));
        const denom = vNew.sqrt().div(sqrtBc2).add(eps);
        m.assign(mNew);
        v.assign(vNew);
        p.assign(pDecayed.sub(mNew.div(denom).mul(stepSize)));
      }
    });
    this.step_ = t;
  }

  getState(): OptimizerState {
    return { kind: this.kind, step: this.step_, slots: { m: this.m.read(), v: this.v.read() } };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new Error(`AdamW.setState: state.kind is "${state.kind}", expected "adamw"`);
    checkInt('AdamW.setState: state.step', state.step, 0);
    const m = state.slots['m'];
    const v = state.slots['v'];
    if (!m || !v) throw new Error('AdamW.setState: state.slots must have "m" and "v"');
    const mk = Object.keys(m).sort().join(',');
    if (mk !== Object.keys(v).sort().join(','))
      throw new Error('AdamW.setState: state.slots.m and state.slots.v must have the same parameter names');
    this.m.load(m);
    this.v.load(v);
    this.step_ = state.step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
