/**
 * Overlap of two subsets of the same n items (changed-parameter sets of two runs), against chance: the Jaccard
 * index |A n B| / |A u B| and its expectation when A and B were drawn uniformly at random with their observed sizes.
 */

/**
 * E[|A n B| / |A u B|] for independent uniform subsets of sizes a and b of n items: |A n B| = I is hypergeometric
 * (n items, a marked, b drawn), so the expectation is sum_k P(I = k) k / (a + b - k), summed exactly outward from
 * the mode with the pmf's ratio recurrence (no factorials, no overflow). NaN when a = b = 0 (no union).
 */
export function expectedJaccard(n: number, a: number, b: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`expectedJaccard: n must be an integer >= 0, got ${n}`);
  for (const [k, v] of [['a', a], ['b', b]] as const)
    if (!(Number.isInteger(v) && v >= 0 && v <= n)) throw new Error(`expectedJaccard: ${k} must be an integer in [0, n=${n}], got ${v}`);
  if (a + b === 0) return NaN;
  const lo = Math.max(0, a + b - n);
  const hi = Math.min(a, b);
  const mode = Math.min(hi, Math.max(lo, Math.floor(((a + 1) * (b + 1)) / (n + 2))));
  const jac = (k: number) => k / (a + b - k);
  let weight = 0;
  let sum = 0;
  // Upward from the mode: P(k+1)/P(k) = (a-k)(b-k) / ((k+1)(n-a-b+k+1)).
  let w = 1;
  for (let k = mode; k <= hi; k++) {
    if (k > mode) w *= ((a - k + 1) * (b - k + 1)) / (k * (n - a - b + k));
    if (w < 1e-300 || (k > mode && w < 1e-18 * weight)) break;
    weight += w;
    sum += w * jac(k);
  }
  w = 1;
  for (let k = mode - 1; k >= lo; k--) {
    w *= ((k + 1) * (n - a - b + k + 1)) / ((a - k) * (b - k));
    if (w < 1e-300 || w < 1e-18 * weight) break;
    weight += w;
    sum += w * jac(k);
  }
  return sum / weight;
}

export interface SetOverlap {
  /** Items compared. */
  n: number;
  sizeA: number;
  sizeB: number;
  intersection: number;
  /** |A n B| / |A u B|; NaN when both sets are empty. */
  jaccard: number;
  /** `expectedJaccard(n, sizeA, sizeB)`: the Jaccard of random sets of the same sizes. */
  chanceJaccard: number;
}

/** Overlap of two sets given as 0/1 masks over the same n items. */
export function setOverlap(a: ArrayLike<number>, b: ArrayLike<number>): SetOverlap {
  if (a.length !== b.length) throw new Error(`setOverlap: masks differ in length (${a.length} vs ${b.length})`);
  let sizeA = 0;
  let sizeB = 0;
  let intersection = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    sizeA += x;
    sizeB += y;
    intersection += x & y;
  }
  const union = sizeA + sizeB - intersection;
  return {
    n: a.length,
    sizeA,
    sizeB,
    intersection,
    jaccard: union > 0 ? intersection / union : NaN,
    chanceJaccard: expectedJaccard(a.length, sizeA, sizeB),
  };
}
