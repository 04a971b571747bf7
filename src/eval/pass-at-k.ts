/**
 * Unbiased pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on Code", arXiv 2107.03374, eq. 1):
 * the probability that at least one of k samples drawn without replacement from n generated samples, c of them
 * correct, is correct: `1 - C(n-c, k) / C(n, k)`. Computed as the product `1 - prod_{i=n-c+1..n} (1 - k/i)`, which
 * never forms a binomial coefficient (those overflow at n ~ 1000). Never estimate pass@k from exactly k samples:
 * the estimator needs n >= k and its variance falls with n.
 */

function checkCounts(n: number, c: number, k: number, where: string): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${where}: n (samples) must be an integer >= 1, got ${n}`);
  if (!(Number.isInteger(c) && c >= 0 && c <= n)) {
    throw new Error(`${where}: c (correct samples) must be an integer in [0, n=${n}], got ${c}`);
  }
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`${where}: k must be an integer >= 1, got ${k}`);
  if (k > n) throw new Error(`${where}: k=${k} exceeds n=${n} samples; pass@k needs at least k samples (n >= k)`);
}

/** Unbiased pass@k for one prompt with n samples of which c are correct. 1 when n - c < k. */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k, 'passAtK');
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/**
 * Mean pass@k over prompts. `correctCounts[p]` is the number of correct samples for prompt p; every prompt has
 * `samplesPerPrompt` samples.
 */
export function meanPassAtK(correctCounts: ArrayLike<number>, samplesPerPrompt: number, k: number): number {
  if (correctCounts.length === 0) throw new Error('meanPassAtK: correctCounts is empty (need at least one prompt)');
  let s = 0;
  for (let p = 0; p < correctCounts.length; p++) s += passAtK(samplesPerPrompt, correctCounts[p]!, k);
  return s / correctCounts.length;
}

/** pass@k for every k in `ks` (e.g. 1, 2, 4, ..., 64): the curve a notebook plots. */
export function passAtKCurve(
  correctCounts: ArrayLike<number>,
  samplesPerPrompt: number,
  ks: readonly number[],
): { k: number; passAtK: number }[] {
  return ks.map((k) => ({ k, passAtK: meanPassAtK(correctCounts, samplesPerPrompt, k) }));
}

/**
 * Number of correct samples per prompt from a flat correctness mask laid out prompt-major (`[P * G]`, samples of
 * one prompt contiguous), the layout rollouts use.
 */
export function correctCountsPerPrompt(correct: ArrayLike<number | boolean>, samplesPerPrompt: number): Int32Array {
  const g = samplesPerPrompt;
  if (!(Number.isInteger(g) && g >= 1)) throw new Error(`correctCountsPerPrompt: samplesPerPrompt must be an integer >= 1, got ${g}`);
  if (correct.length % g !== 0) {
    throw new Error(`correctCountsPerPrompt: correct.length=${correct.length} is not a multiple of samplesPerPrompt=${g}`);
  }
  const out = new Int32Array(correct.length / g);
  for (let i = 0; i < correct.length; i++) if (correct[i]) out[Math.floor(i / g)]! += 1;
  return out;
}
