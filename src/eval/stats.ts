/**
 * Summary statistics over seeds: mean with a Student-t interval, percentile bootstrap, paired differences,
 * a least-squares slope with its t-interval, and Spearman rank correlation.
 *
 * The t quantile is computed here (regularised incomplete beta by Lentz's continued fraction, Numerical Recipes
 * 3rd ed. section 6.4, inverted by bisection) rather than pulled from a package: it is ~60 lines, exact to ~1e-10,
 * and keeps the dependency list short. Tests check it against printed tables (t_{0.975,4} = 2.776...).
 */
import { Rng } from '../random.js';

/** A mean and its two-sided confidence interval. `sd` is the sample standard deviation (n - 1). */
export interface MeanCI {
  mean: number;
  lo: number;
  hi: number;
  n: number;
  sd: number;
}

function checkSamples(samples: ArrayLike<number>, field: string, min = 1): void {
  if (samples.length < min) throw new Error(`${field}: need at least ${min} sample(s), got ${samples.length}`);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new Error(`${field}[${i}] must be a finite number, got ${samples[i]}`);
  }
}

function checkLevel(level: number, field = 'level'): void {
  if (!(level > 0 && level < 1)) throw new Error(`${field} must be in (0, 1), got ${level}`);
}

/** Arithmetic mean; an empty array is an error. */
export function mean(samples: ArrayLike<number>): number {
  checkSamples(samples, 'mean: samples');
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i]!;
  return s / samples.length;
}

/** Sample standard deviation (divides by n - 1); NaN for one sample. */
export function sampleSd(samples: ArrayLike<number>): number {
  const m = mean(samples);
  if (samples.length < 2) return NaN;
  let ss = 0;
  for (let i = 0; i < samples.length; i++) ss += (samples[i]! - m) ** 2;
  return Math.sqrt(ss / (samples.length - 1));
}

// ---- Student t distribution -------------------------------------------------------------------------------------

/** log Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`tCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5); // P(T > |t|)
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t: the q with P(T <= q) = p, for p in (0, 1). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`tQuantile: df must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2; // bracket (df = 1, p = 0.9995 needs ~637)
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ---- intervals --------------------------------------------------------------------------------------------------

/**
 * Mean with a two-sided Student-t confidence interval: mean +- t_{(1+level)/2, n-1} * sd / sqrt(n).
 * One sample has no interval: lo = -Infinity, hi = +Infinity, sd = NaN (so a claim check on it cannot pass).
 */
export function meanCI(samples: ArrayLike<number>, level = 0.95): MeanCI {
  checkLevel(level);
  checkSamples(samples, 'meanCI: samples');
  const n = samples.length;
  const m = mean(samples);
  if (n < 2) return { mean: m, lo: -Infinity, hi: Infinity, n, sd: NaN };
  const sd = sampleSd(samples);
  const half = (tQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean: m, lo: m - half, hi: m + half, n, sd };
}

/** Options for {@link bootstrapCI}. */
export interface BootstrapOptions {
  /** Confidence level in (0, 1). Default 0.95. */
  level?: number;
  /** Number of resamples (>= 100). Default 2000. */
  resamples?: number;
  /** Statistic of one resample. Default: the mean. */
  statistic?: (resample: Float64Array) => number;
}

/**
 * Percentile bootstrap interval of a statistic (default: the mean), for skewed per-seed results where the t-interval
 * is doubtful. Resampling draws come from `rng`, so the interval is reproducible. `sd` is the bootstrap standard
 * error of the statistic; `mean` is the statistic on the original sample.
 */
export function bootstrapCI(samples: ArrayLike<number>, rng: Rng, options: BootstrapOptions = {}): MeanCI {
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 2000;
  checkLevel(level, 'bootstrapCI: level');
  if (!(Number.isInteger(resamples) && resamples >= 100)) {
    throw new Error(`bootstrapCI: resamples must be an integer >= 100, got ${resamples}`);
  }
  checkSamples(samples, 'bootstrapCI: samples');
  const stat = options.statistic ?? ((r: Float64Array) => mean(r));
  const n = samples.length;
  const original = stat(Float64Array.from(samples as ArrayLike<number>));
  const stats = new Float64Array(resamples);
  const buf = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) buf[i] = samples[rng.int(n)]!;
    stats[b] = stat(buf);
  }
  stats.sort();
  const alpha = (1 - level) / 2;
  return {
    mean: original,
    lo: quantileSorted(stats, alpha),
    hi: quantileSorted(stats, 1 - alpha),
    n,
    sd: sampleSd(stats),
  };
}

/** Linear-interpolated quantile (type 7, as numpy's default) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted: q must be in [0, 1], got ${q}`);
  if (sorted.length === 0) throw new Error('quantileSorted: empty array');
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return lo + (h - i) * (hi - lo);
}

/**
 * Paired difference between two methods run on the same seeds (a[i] and b[i] share seed i): the t-interval of
 * a - b. Pairing removes the seed-to-seed variance both methods share.
 */
export function pairedDiffCI(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): MeanCI {
  if (a.length !== b.length) {
    throw new Error(`pairedDiffCI: a and b must have one value per shared seed; lengths ${a.length} vs ${b.length}`);
  }
  checkSamples(a, 'pairedDiffCI: a');
  checkSamples(b, 'pairedDiffCI: b');
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i]! - b[i]!;
  return meanCI(d, level);
}

/** Least-squares line y = intercept + slope * x with a t-interval on the slope (n - 2 degrees of freedom). */
export interface SlopeFit {
  slope: number;
  intercept: number;
  /** Confidence interval of the slope. */
  lo: number;
  hi: number;
  /** Standard error of the slope. */
  se: number;
  n: number;
  /** Coefficient of determination. */
  r2: number;
}

/**
 * Ordinary least squares slope with its Student-t interval, e.g. relative gap against log FLOPs (claim 1: the
 * claim holds when lo > 0). Needs n >= 3 points and at least two distinct x. With n = 2 points there is no
 * interval; that is an error rather than an infinitely wide one, because a slope "test" on 2 points is meaningless.
 */
export function linearSlopeCI(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): SlopeFit {
  checkLevel(level, 'linearSlopeCI: level');
  if (x.length !== y.length) throw new Error(`linearSlopeCI: x and y lengths differ (${x.length} vs ${y.length})`);
  checkSamples(x, 'linearSlopeCI: x', 3);
  checkSamples(y, 'linearSlopeCI: y', 3);
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) throw new Error('linearSlopeCI: x must contain at least two distinct values');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = Math.max(0, syy - slope * sxy);
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const half = tQuantile((1 + level) / 2, n - 2) * se;
  const r2 = syy > 0 ? 1 - sse / syy : 1;
  return { slope, intercept, lo: slope - half, hi: slope + half, se, n, r2 };
}

/** Ranks 1..n with ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]!] === values[idx[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]!] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; NaN when either input is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`pearson: x and y lengths differ (${x.length} vs ${y.length})`);
  checkSamples(x, 'pearson: x', 2);
  checkSamples(y, 'pearson: y', 2);
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation (Pearson on average ranks, so ties are handled). NaN when an input is constant. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`spearman: x and y lengths differ (${x.length} vs ${y.length})`);
  checkSamples(x, 'spearman: x', 2);
  checkSamples(y, 'spearman: y', 2);
  return pearson(ranks(x), ranks(y));
}
