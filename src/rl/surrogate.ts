/**
 * The ONE policy loss every RL objective in rlrepro uses: PPO's clipped surrogate (Schulman et al. 2017,
 * arXiv 1707.06347, eq. 7) per token, as in GRPO (DeepSeekMath, arXiv 2402.03300, eq. 3) and TRL's GRPOTrainer:
 *
 *   rho_t = exp(logp_t - oldLogp_t)
 *   loss_t = -min(rho_t * A_i, clip(rho_t, 1 - epsilon, 1 + epsilonHigh) * A_i)
 *            + beta * k3(ref, pi)_t - entropyCoef * H_t
 *
 * What differs from textbook PPO: one advantage per sequence (A_i, broadcast to its tokens; from `advantages.ts`),
 * an optional KL to a frozen reference inside the loss (k3 estimator) instead of in the reward, optional asymmetric
 * clipping (`epsilonHigh`, DAPO's "clip-higher", arXiv 2503.14476), and `clip: false`, which removes clipping so
 * the loss is the plain importance-weighted policy gradient (the clipping ablation of Shao et al., arXiv
 * 2506.10947, is this one parameter). With one gradient update per rollout batch rho = 1 and clipping never acts.
 *
 * Aggregation (the choice the literature argues about; TRL `loss_type`):
 * - 'token-mean': sum of masked token losses / number of masked tokens in the batch (TRL "bnpo"/DAPO; every token
 *   weighs the same, long answers weigh more).
 * - 'sequence-mean': mean over sequences of each sequence's token mean (TRL "grpo", DeepSeekMath eq. 3; every
 *   sequence weighs the same, so a token of a short answer weighs more).
 */
import * as tf from '@tensorflow/tfjs-core';
import { k3KL } from './kl.js';

export const LOSS_AGGREGATIONS = ['token-mean', 'sequence-mean'] as const;
export type LossAggregation = (typeof LOSS_AGGREGATIONS)[number];

export interface SurrogateOptions {
  /** Lower (and default upper) clip range: ratios outside [1 - epsilon, 1 + epsilon] are clipped. In (0, 1). Default 0.2. */
  epsilon?: number;
  /** Upper clip range if different (DAPO clip-higher). > 0. Default = epsilon. */
  epsilonHigh?: number;
  /** false removes clipping entirely (epsilons are then unused). Default true. */
  clip?: boolean;
  /** Weight of the k3 KL to the reference policy. >= 0; > 0 needs `refLogp`. Default 0 (no KL, as Shao et al. and Zhu et al.). */
  beta?: number;
  /** Weight of the entropy bonus (subtracted from the loss). >= 0; > 0 needs `entropy`. Default 0. */
  entropyCoef?: number;
  /** How token losses become one scalar. Default 'token-mean'. */
  lossAggregation?: LossAggregation;
  /** Also return the per-token clip flags (`SurrogateOutput.clipped`), e.g. to see where in a sequence the clip acts. Default false. */
  tokenClipFlags?: boolean;
}

export interface SurrogateInputs {
  /** [N, T] log pi_theta of the sampled tokens under the CURRENT policy (differentiable). */
  logp: tf.Tensor;
  /** [N, T] log-probs of the same tokens under the policy that sampled them (constants). */
  oldLogp: tf.Tensor;
  /** [N] one advantage per sequence. */
  advantages: tf.Tensor;
  /** [N, T] 1 on completion tokens that count, 0 on padding (float32). */
  mask: tf.Tensor;
  /** [N, T] log-probs under the frozen reference policy; needed when beta > 0, else only logged. */
  refLogp?: tf.Tensor;
  /** [N, T] per-token entropy of the current policy (differentiable); needed when entropyCoef > 0. */
  entropy?: tf.Tensor;
}

/** Scalar diagnostic tensors, all masked token means. Read them once per step ({@link readSurrogateMetrics}). */
export interface SurrogateMetrics {
  /** Fraction of tokens where the clipped branch is active (rho < 1-eps with A < 0, or rho > 1+epsHigh with A > 0). */
  clipFraction: tf.Scalar;
  /** k3 estimate of KL(old || new): mean of (rho - 1) - log rho. */
  approxKL: tf.Scalar;
  /** Mean importance ratio rho. */
  meanRatio: tf.Scalar;
  /** Mean k3 KL to the reference (NaN when refLogp was not given). */
  klRef: tf.Scalar;
  /** Mean entropy (NaN when entropy was not given). */
  entropy: tf.Scalar;
}

export interface SurrogateOutput {
  /** Scalar loss to minimise. */
  loss: tf.Scalar;
  metrics: SurrogateMetrics;
  /**
   * [N, T] 1 where the token counts (mask 1) and the clipped branch is active, else 0 (all 0 with `clip: false`);
   * only with `tokenClipFlags: true`. Its masked token mean is `metrics.clipFraction`.
   */
  clipped?: tf.Tensor2D;
}

function checkShape(t: tf.Tensor | undefined, shape: readonly number[], field: string): void {
  if (t === undefined) return;
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`clippedSurrogate: ${field} must have shape [${shape}], got [${t.shape}]`);
  }
}

/** Resolved, validated options. */
function resolveOptions(o: SurrogateOptions, inputs: SurrogateInputs) {
  const epsilon = o.epsilon ?? 0.2;
  const epsilonHigh = o.epsilonHigh ?? epsilon;
  const clip = o.clip ?? true;
  const beta = o.beta ?? 0;
  const entropyCoef = o.entropyCoef ?? 0;
  const lossAggregation = o.lossAggregation ?? 'token-mean';
  if (!(epsilon > 0 && epsilon < 1)) throw new Error(`clippedSurrogate: epsilon must be in (0, 1), got ${epsilon}`);
  if (!(epsilonHigh > 0 && Number.isFinite(epsilonHigh))) {
    throw new Error(`clippedSurrogate: epsilonHigh must be finite and > 0, got ${epsilonHigh}`);
  }
  if (typeof clip !== 'boolean') throw new Error(`clippedSurrogate: clip must be true or false, got ${String(clip)}`);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`clippedSurrogate: beta must be finite and >= 0, got ${beta}`);
  if (beta > 0 && inputs.refLogp === undefined) throw new Error(`clippedSurrogate: beta=${beta} > 0 needs refLogp`);
  if (!(entropyCoef >= 0 && Number.isFinite(entropyCoef))) {
    throw new Error(`clippedSurrogate: entropyCoef must be finite and >= 0, got ${entropyCoef}`);
  }
  if (entropyCoef > 0 && inputs.entropy === undefined) {
    throw new Error(`clippedSurrogate: entropyCoef=${entropyCoef} > 0 needs entropy`);
  }
  if (!(LOSS_AGGREGATIONS as readonly string[]).includes(lossAggregation)) {
    throw new Error(`clippedSurrogate: lossAggregation "${lossAggregation}" is not one of ${LOSS_AGGREGATIONS.join(', ')}`);
  }
  const tokenClipFlags = o.tokenClipFlags ?? false;
  if (typeof tokenClipFlags !== 'boolean') throw new Error(`clippedSurrogate: tokenClipFlags must be true or false, got ${String(tokenClipFlags)}`);
  return { epsilon, epsilonHigh, clip, beta, entropyCoef, lossAggregation, tokenClipFlags };
}

/**
 * Reduces per-token values [N, T] to a scalar with the mask [N, T] and an aggregation mode. Denominators are
 * clamped to 1, so a sequence with no masked token contributes 0 to 'sequence-mean' (it still counts in the mean
 * over sequences) and an all-zero mask gives 0 (checking it here would cost a device sync per step).
 */
export function aggregateTokens(values: tf.Tensor, mask: tf.Tensor, mode: LossAggregation): tf.Scalar {
  return tf.tidy(() => {
    const masked = tf.mul(values, mask); // [N, T]
    if (mode === 'token-mean') return tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    const perSeq = tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(mask, 1), 1)); // [N]
    return tf.mean(perSeq) as tf.Scalar;
  });
}

/**
 * Clipped surrogate loss and its diagnostics. Shapes: logp, oldLogp, mask, refLogp, entropy [N, T]; advantages [N].
 * All float32. Inside `tf.variableGrads(() => ...)`, which disposes every tensor but the returned loss, `tf.keep`
 * the metric tensors in the closure and read them after the update with {@link readSurrogateMetrics} (one sync;
 * `bandit.ts` shows the pattern). Every intermediate is tidied; the caller disposes `clipped` when it asked for it.
 */
export function clippedSurrogate(inputs: SurrogateInputs, options: SurrogateOptions = {}): SurrogateOutput {
  const { logp, oldLogp, advantages, mask, refLogp, entropy } = inputs;
  if (logp.rank !== 2) throw new Error(`clippedSurrogate: logp must be [N, T], got shape [${logp.shape}]`);
  const [n, t] = logp.shape as [number, number];
  checkShape(oldLogp, [n, t], 'oldLogp');
  checkShape(mask, [n, t], 'mask');
  checkShape(advantages, [n], 'advantages');
  checkShape(refLogp, [n, t], 'refLogp');
  checkShape(entropy, [n, t], 'entropy');
  const o = resolveOptions(options, inputs);

  const out = tf.tidy(() => {
    const adv = tf.expandDims(advantages, 1); // [N, 1]
    const logRatio = tf.sub(logp, oldLogp); // [N, T]
    const ratio = tf.exp(logRatio); // [N, T]
    const unclipped = tf.mul(ratio, adv); // [N, T]
    let perToken: tf.Tensor;
    let clipped: tf.Tensor; // 1 where the clipped branch is the active one
    if (o.clip) {
      const clippedObj = tf.mul(tf.clipByValue(ratio, 1 - o.epsilon, 1 + o.epsilonHigh), adv);
      perToken = tf.neg(tf.minimum(unclipped, clippedObj));
      const low = tf.logicalAnd(tf.less(ratio, 1 - o.epsilon), tf.less(adv, 0));
      const high = tf.logicalAnd(tf.greater(ratio, 1 + o.epsilonHigh), tf.greater(adv, 0));
      clipped = tf.cast(tf.logicalOr(low, high), 'float32');
    } else {
      perToken = tf.neg(unclipped);
      clipped = tf.zerosLike(ratio);
    }
    let klRef: tf.Scalar = tf.scalar(NaN);
    if (refLogp !== undefined) {
      const kl = k3KL(logp, refLogp); // [N, T]
      if (o.beta > 0) perToken = tf.add(perToken, tf.mul(kl, o.beta));
      klRef = aggregateTokens(kl, mask, 'token-mean');
    }
    let meanEntropy: tf.Scalar = tf.scalar(NaN);
    if (entropy !== undefined) {
      if (o.entropyCoef > 0) perToken = tf.sub(perToken, tf.mul(entropy, o.entropyCoef));
      meanEntropy = aggregateTokens(entropy, mask, 'token-mean');
    }
    const loss = aggregateTokens(perToken, mask, o.lossAggregation);

    // Diagnostics share the graph but the loss does not depend on them, so they add nothing to the gradient.
    const metrics: SurrogateMetrics = {
      clipFraction: aggregateTokens(clipped, mask, 'token-mean'),
      approxKL: aggregateTokens(tf.sub(tf.sub(ratio, 1), logRatio), mask, 'token-mean'),
      meanRatio: aggregateTokens(ratio, mask, 'token-mean'),
      klRef,
      entropy: meanEntropy,
    };
    if (o.tokenClipFlags) return { loss, metrics, clipped: tf.mul(clipped, mask) } as unknown as tf.TensorContainer;
    return { loss, metrics } as unknown as tf.TensorContainer;
  });
  return out as unknown as SurrogateOutput;
}

/** Plain-number copy of {@link SurrogateMetrics}. */
export type SurrogateMetricValues = { [K in keyof SurrogateMetrics]: number };

const METRIC_KEYS = ['clipFraction', 'approxKL', 'meanRatio', 'klRef', 'entropy'] as const;

/** Reads all metrics with ONE device sync and disposes the metric tensors. */
export function readSurrogateMetrics(metrics: SurrogateMetrics): SurrogateMetricValues {
  const stacked = tf.tidy(() => tf.stack(METRIC_KEYS.map((k) => metrics[k])));
  const v = stacked.dataSync();
  stacked.dispose();
  for (const k of METRIC_KEYS) metrics[k].dispose();
  return {
    clipFraction: v[0]!,
    approxKL: v[1]!,
    meanRatio: v[2]!,
    klRef: v[3]!,
    entropy: v[4]!,
  };
}
