/**
 * Stochastic gradient descent with `torch.optim.SGD`'s rule (dampening 0, no Nesterov):
 *
 *   g ← g + λ·p                 L2 weight decay, coupled into the gradient as torch does for SGD
 *   b ← μ·b + g                 momentum buffer (only when μ > 0; b starts at 0, so b₁ = g₁ as in torch)
 *   p ← p − lr·b                (or p − lr·g without momentum)
 *
 * The random-reward notebooks sweep SGD against Adam; this is the plain side of that comparison.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkGradShape, type Optimizer, type OptimizerState } from './optimizer.js';
import { Slots } from './slots.js';
import { checkInt, checkKeys, checkRange } from './validate.js';

export interface SGDOptions {
  /** Learning rate, >= 0. Default 1e-2. */
  lr?: number;
  /** Momentum μ in [0, 1). Default 0 (plain SGD). */
  momentum?: number;
  /** L2 weight decay λ added to the gradient, >= 0. Default 0 (torch's). */
  weightDecay?: number;
}

const KEYS = ['lr', 'momentum', 'weightDecay'] as const;

export class SGD implements Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly weightDecay: number;
  private lr_: number;
  private step_ = 0;
  private readonly buf = new Slots('momentum');

  constructor(opts: SGDOptions = {}) {
    checkKeys('SGD options', opts, KEYS);
    this.lr_ = checkRange('SGD lr', opts.lr ?? 1e-2, 0, Infinity);
    this.momentum = checkRange('SGD momentum', opts.momentum ?? 0, 0, 1, true);
    this.weightDecay = checkRange('SGD weightDecay', opts.weightDecay ?? 0, 0, Infinity);
  }

  get lr(): number {
    return this.lr_;
  }
  set lr(x: number) {
    this.lr_ = checkRange('SGD lr', x, 0, Infinity);
  }
  get step(): number {
    return this.step_;
  }

  applyGradients(params: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    const lr = this.lr_;
    tf.tidy(() => {
      const lrT = tf.scalar(lr);
      const wd = tf.scalar(this.weightDecay);
      const mu = tf.scalar(this.momentum);
      for (const [name, p] of Object.entries(params)) {
        let g = grads[name];
        if (g === undefined || !p.trainable) continue;
        checkGradShape(name, p, g);
        if (this.weightDecay > 0) g = g.add(p.mul(wd));
        if (this.momentum > 0) {
          const b = this.buf.get(name, p);
          const bNew = b.mul(mu).add(g);
          b.assign(bNew);
          g = bNew;
        }
        p.assign(p.sub(g.mul(lrT)));
      }
    });
    this.step_ += 1;
  }

  getState(): OptimizerState {
    return { kind: this.kind, step: this.step_, slots: { momentum: this.buf.read() } };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new Error(`SGD.setState: state.kind is "${state.kind}", expected "sgd"`);
    checkInt('SGD.setState: state.step', state.step, 0);
    this.buf.load(state.slots['momentum'] ?? {});
    this.step_ = state.step;
  }

  dispose(): void {
    this.buf.dispose();
  }
}
