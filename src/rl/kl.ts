/**
 * The k3 estimator of KL(pi || ref) from samples of pi (Schulman, "Approximating KL Divergence", 2020):
 * with `x = log ref(y) - log pi(y)`, `k3 = exp(x) - x - 1`. Unbiased, always >= 0 (since e^x >= 1 + x), and
 * exactly 0 where the two log-probs are equal. This is the per-token KL penalty of GRPO (DeepSeekMath eq. 4) and
 * TRL's `beta` term.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Per-token k3 KL. `logp`, `refLogp`: [N, T] log-probs of the sampled tokens; returns [N, T]. */
export function k3KL(logp: tf.Tensor, refLogp: tf.Tensor): tf.Tensor {
  if (logp.shape.join() !== refLogp.shape.join()) {
    throw new Error(`k3KL: refLogp shape [${refLogp.shape}] must equal logp shape [${logp.shape}]`);
  }
  return tf.tidy(() => {
    const x = tf.sub(refLogp, logp); // [N, T]
    return tf.sub(tf.sub(tf.exp(x), x), 1);
  });
}
