/**
 * A one-token softmax "bandit" policy: pi = softmax(z) over V actions, z a tf.Variable [V]. It is the smallest
 * policy on which the RL objectives' mechanisms can be checked against closed forms and shown in a notebook:
 * - NSR's update (Zhu et al., arXiv 2506.01347, section 4): d log pi_y / d z_v = 1[v = y] - pi_v, so one
 *   negative sample lowers z_y and raises every other z_v in proportion to pi_v ({@link policyGradientLogitStep}).
 * - Clipping bias under random rewards (Shao et al., arXiv 2506.10947, section 4): with several updates per
 *   rollout batch the trust band [pi_old (1 - eps), pi_old (1 + eps)] binds for rare actions almost at once but can
 *   never bind upward for an action with pi_old > 1 / (1 + eps), so mass drifts to the already most likely action.
 *
 * Updates use the real {@link clippedSurrogate} (sequence length T = 1) and plain SGD on the logits, so the bandit
 * exercises exactly the loss the GPT trainer uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random.js';
import type { AdvantageFn } from './advantages.js';
import { clippedSurrogate, readSurrogateMetrics, type SurrogateOptions, type SurrogateMetrics } from './surrogate.js';

/** Options of one bandit update (one rollout batch). */
export interface BanditUpdateOptions extends SurrogateOptions {
  /** SGD learning rate on the logits. > 0. */
  lr: number;
  /** Passes over the same rollout batch (several let clipping act). Integer >= 1. Default 1. */
  epochs?: number;
  /** Samples per gradient update; the batch is split in order. Default: the whole batch (one update per epoch). */
  miniBatchSize?: number;
}

/** What one update did, as plain numbers. */
export interface BanditUpdateResult {
  /** Gradient updates made (epochs x mini-batches). */
  updates: number;
  /** Mean over updates of the surrogate's clip fraction. */
  clipFraction: number;
  /** Approx KL(old || new) at the last update. */
  approxKL: number;
}

let banditCount = 0;

export class SoftmaxBandit {
  /** Logits z, [V]. */
  readonly logits: tf.Variable;
  readonly numActions: number;

  /** `initialLogits`: [V] finite numbers, V >= 2. */
  constructor(initialLogits: ArrayLike<number>) {
    if (initialLogits.length < 2) throw new Error(`SoftmaxBandit: need at least 2 actions, got ${initialLogits.length}`);
    for (let i = 0; i < initialLogits.length; i++) {
      if (!Number.isFinite(initialLogits[i])) throw new Error(`SoftmaxBandit: initialLogits[${i}] must be finite, got ${initialLogits[i]}`);
    }
    this.numActions = initialLogits.length;
    this.logits = tf.variable(tf.tensor1d(Float32Array.from(initialLogits)), true, `bandit_logits_${banditCount++}`);
  }

  /** A bandit whose policy is `probs` (logits = log probs; probs must be > 0 and sum to 1 within 1e-6). */
  static fromProbs(probs: ArrayLike<number>): SoftmaxBandit {
    let s = 0;
    for (let i = 0; i < probs.length; i++) {
      if (!(probs[i]! > 0)) throw new Error(`SoftmaxBandit.fromProbs: probs[${i}] must be > 0, got ${probs[i]}`);
      s += probs[i]!;
    }
    if (Math.abs(s - 1) > 1e-6) throw new Error(`SoftmaxBandit.fromProbs: probs must sum to 1, got ${s}`);
    return new SoftmaxBandit(Array.from(probs, Math.log));
  }

  /** Current logits as plain numbers. */
  logitValues(): Float32Array {
    return this.logits.dataSync().slice() as Float32Array;
  }

  /** Current action probabilities, [V] (computed in float64 from the logits). */
  probs(): Float64Array {
    return softmaxProbs(this.logitValues());
  }

  /** `n` actions drawn from the current policy with `rng`. */
  sample(rng: Rng, n: number): Int32Array {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`SoftmaxBandit.sample: n must be an integer >= 1, got ${n}`);
    const p = this.probs();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.categorical(p);
    return out;
  }

  /**
   * One rollout batch's update: the policy that sampled `actions` is the current one (its log-probs become
   * oldLogp), then `epochs` passes of mini-batch SGD on the clipped surrogate.
   * `actions` [N] in [0, V); `advantages` [N].
   */
  update(actions: Int32Array, advantages: Float32Array, options: BanditUpdateOptions): BanditUpdateResult {
    const n = actions.length;
    const { lr, epochs = 1, miniBatchSize = n, ...surrogateOptions } = options;
    if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`SoftmaxBandit.update: lr must be finite and > 0, got ${lr}`);
    if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`SoftmaxBandit.update: epochs must be an integer >= 1, got ${epochs}`);
    if (n === 0) throw new Error('SoftmaxBandit.update: actions is empty');
    if (advantages.length !== n) throw new Error(`SoftmaxBandit.update: advantages.length=${advantages.length} must equal actions.length=${n}`);
    if (!(Number.isInteger(miniBatchSize) && miniBatchSize >= 1 && miniBatchSize <= n)) {
      throw new Error(`SoftmaxBandit.update: miniBatchSize must be an integer in [1, ${n}] (the rollout batch), got ${miniBatchSize}`);
    }
    const v = this.numActions;
    for (let i = 0; i < n; i++) {
      const a = actions[i]!;
      if (!(Number.isInteger(a) && a >= 0 && a < v)) throw new Error(`SoftmaxBandit.update: actions[${i}]=${a} must be in [0, ${v})`);
    }
    const old = this.probs();
    const oldLogp = Float32Array.from(actions, (a) => Math.log(old[a]!));

    let updates = 0;
    let clipSum = 0;
    let approxKL = 0;
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < n; s += miniBatchSize) {
        const m = Math.min(miniBatchSize, n - s);
        // One-hot rows built in JS: gather's gradient is missing on the wasm backend.
        const oneHotData = new Float32Array(m * v);
        for (let i = 0; i < m; i++) oneHotData[i * v + actions[s + i]!] = 1;
        let kept: SurrogateMetrics | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const oneHot = tf.tensor2d(oneHotData, [m, v]); // [m, V]
          const logp = tf.sum(tf.mul(oneHot, tf.logSoftmax(this.logits)), 1, true); // [m, 1]
          const out = clippedSurrogate(
            {
              logp,
              oldLogp: tf.tensor2d(oldLogp.subarray(s, s + m), [m, 1]),
              advantages: tf.tensor1d(advantages.subarray(s, s + m)),
              mask: tf.ones([m, 1]),
            },
            surrogateOptions,
          );
          kept = out.metrics;
          for (const t of Object.values(out.metrics)) tf.keep(t);
          return out.loss;
        }, [this.logits]);
        tf.tidy(() => {
          this.logits.assign(tf.sub(this.logits, tf.mul(grads[this.logits.name]!, lr)));
        });
        value.dispose();
        tf.dispose(grads);
        const metrics = readSurrogateMetrics(kept!);
        clipSum += metrics.clipFraction;
        approxKL = metrics.approxKL;
        updates++;
      }
    }
    return { updates, clipFraction: clipSum / updates, approxKL };
  }

  dispose(): void {
    this.logits.dispose();
  }
}

/** Softmax in float64. */
export function softmaxProbs(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < logits.length; i++) out[i]! /= s;
  return out;
}

/**
 * Closed-form logit change of ONE plain policy-gradient SGD step (rho = 1, token-mean over N samples of length 1):
 * `dz_v = (lr / N) * sum_i A_i * (1[v = y_i] - pi_v)`. For a single wrong sample (NSR, A = -1):
 * `dz_y = -lr (1 - pi_y)` and `dz_v = +lr pi_v` for every other v. Returns [V].
 */
export function policyGradientLogitStep(
  probs: ArrayLike<number>,
  actions: ArrayLike<number>,
  advantages: ArrayLike<number>,
  lr: number,
): Float64Array {
  if (actions.length !== advantages.length || actions.length === 0) {
    throw new Error(`policyGradientLogitStep: actions and advantages must be non-empty and of equal length (${actions.length} vs ${advantages.length})`);
  }
  const n = actions.length;
  const dz = new Float64Array(probs.length);
  for (let i = 0; i < n; i++) {
    const a = advantages[i]!;
    for (let v = 0; v < probs.length; v++) dz[v]! += (lr / n) * a * ((v === actions[i] ? 1 : 0) - probs[v]!);
  }
  return dz;
}

/** A bandit experiment: one "prompt", `samplesPerStep` samples per step, rewards from a function of the actions. */
export interface BanditRunConfig {
  /** Initial policy [V]. */
  initialProbs: ArrayLike<number>;
  /** Rollout batches. */
  steps: number;
  /** Samples per rollout batch (the group, G). */
  samplesPerStep: number;
  /** Rewards (and correctness, if the advantage needs it) for the sampled actions. Gets its own Rng stream. */
  reward: (actions: Int32Array, rng: Rng) => { rewards: Float32Array; correct?: Uint8Array };
  advantage: AdvantageFn;
  update: BanditUpdateOptions;
  /** Seeds sampling and rewards (independent forks "sample" and "reward"). */
  rng: Rng;
}

/** Per-step trajectory of a bandit run. `probs[s]` is the policy before step s; `probs[steps]` the final one. */
export interface BanditRunResult {
  probs: Float64Array[];
  logits: Float32Array[];
  clipFraction: number[];
}

/** Runs a bandit experiment and returns the trajectory (plain arrays; the bandit is disposed). */
export function runBandit(config: BanditRunConfig): BanditRunResult {
  if (!(Number.isInteger(config.steps) && config.steps >= 1)) throw new Error(`runBandit: steps must be an integer >= 1, got ${config.steps}`);
  const sampleRng = config.rng.fork('sample');
  const rewardRng = config.rng.fork('reward');
  const bandit = SoftmaxBandit.fromProbs(config.initialProbs);
  const result: BanditRunResult = { probs: [bandit.probs()], logits: [bandit.logitValues()], clipFraction: [] };
  try {
    for (let s = 0; s < config.steps; s++) {
      const actions = bandit.sample(sampleRng, config.samplesPerStep);
      const { rewards, correct } = config.reward(actions, rewardRng);
      const advantages = config.advantage({ rewards, groupSize: config.samplesPerStep, ...(correct ? { correct } : {}) });
      const r = bandit.update(actions, advantages, config.update);
      result.clipFraction.push(r.clipFraction);
      result.probs.push(bandit.probs());
      result.logits.push(bandit.logitValues());
    }
  } finally {
    bandit.dispose();
  }
  return result;
}

/**
 * PPO's trust band in probability space for one action (Shao et al., arXiv 2506.10947, section 4.3): the clipped
 * surrogate stops pushing an action once pi leaves [piOld (1 - epsilon), piOld (1 + epsilonHigh)]. `canClipUp` is
 * false when the upper edge is at or above 1 (piOld >= 1 / (1 + epsilonHigh), 0.83 at eps 0.2): such an action's
 * positive updates are never clipped, which is the source of the bias toward already-likely actions.
 */
export function clipTrustBand(
  piOld: number,
  epsilon = 0.2,
  epsilonHigh = epsilon,
): { lo: number; hi: number; canClipUp: boolean } {
  if (!(piOld > 0 && piOld <= 1)) throw new Error(`clipTrustBand: piOld must be in (0, 1], got ${piOld}`);
  if (!(epsilon > 0 && epsilon < 1)) throw new Error(`clipTrustBand: epsilon must be in (0, 1), got ${epsilon}`);
  if (!(epsilonHigh > 0)) throw new Error(`clipTrustBand: epsilonHigh must be > 0, got ${epsilonHigh}`);
  const hi = piOld * (1 + epsilonHigh);
  return { lo: piOld * (1 - epsilon), hi: Math.min(1, hi), canClipUp: hi < 1 };
}
