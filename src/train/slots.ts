/**
 * Per-parameter moment buffers of an optimizer (AdamW's `m` and `v`, SGD's momentum), kept as non-trainable
 * `tf.Variable`s so an update inside `tf.tidy` can `assign` them without leaking or disposing anything by hand.
 * Buffers are created lazily at a parameter's first update (zeros, like torch) or from a restored state.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from './optimizer.js';

export class Slots {
  private readonly vars = new Map<string, tf.Variable>();
  private pending = new Map<string, NamedArray>(); // restored state not yet bound to a parameter

  constructor(readonly slot: string) {}

  /** The buffer for `name`, created (zeros, or the restored values) with the parameter's shape. */
  get(name: string, param: tf.Variable): tf.Variable {
    const have = this.vars.get(name);
    if (have) return have;
    const restored = this.pending.get(name);
    let v: tf.Variable;
    if (restored) {
      if (!sameShape(restored.shape, param.shape))
        throw new Error(
          `optimizer state: slot "${this.slot}" of parameter "${name}" has shape [${restored.shape}] but the ` +
            `parameter has shape [${param.shape}]`,
        );
      v = tf.variable(tf.tensor(restored.data, param.shape, 'float32'), false);
      this.pending.delete(name);
    } else {
      v = tf.variable(tf.zeros(param.shape, 'float32'), false);
    }
    this.vars.set(name, v);
    return v;
  }

  /** Typed-array copies of every buffer (bound or still pending). */
  read(): Record<string, NamedArray> {
    const out: Record<string, NamedArray> = {};
    for (const [name, v] of this.vars) out[name] = { shape: [...v.shape], data: (v.dataSync() as Float32Array).slice() };
    for (const [name, a] of this.pending) out[name] = { shape: [...a.shape], data: a.data.slice() };
    return out;
  }

  /** Replaces all buffers with `state` (bound lazily, so shapes are checked against the parameters then). */
  load(state: Record<string, NamedArray>): void {
    this.dispose();
    this.pending = new Map(Object.entries(state).map(([k, a]) => [k, { shape: [...a.shape], data: a.data.slice() }]));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.pending.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
