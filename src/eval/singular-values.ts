/**
 * Singular values of a small dense matrix by one-sided Jacobi (Hestenes 1958): rotate pairs of columns until every
 * pair is orthogonal; the column norms are then the singular values. tfjs 4.22 has no SVD (its linalg has only qr,
 * gramSchmidt and bandPart), and the matrices here are at most a few hundred on a side, so a plain float64 loop is
 * enough. Accurate to a few ulps relative to the largest singular value; it works on A or A^T, whichever has fewer
 * columns.
 */

export interface SingularValueOptions {
  /** Stop rotating a pair once |a_p . a_q| <= tol * |a_p| |a_q|. Default 1e-13. */
  tol?: number;
  /** Sweeps over all column pairs before giving up (an error). Default 60; convergence usually takes < 15. */
  maxSweeps?: number;
}

/** Singular values (descending, length min(rows, cols)) of the row-major `rows` x `cols` matrix `a`. */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number, options: SingularValueOptions = {}): Float64Array {
  for (const [k, v] of [['rows', rows], ['cols', cols]] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`singularValues: ${k} must be an integer >= 1, got ${v}`);
  if (a.length !== rows * cols) throw new Error(`singularValues: a has ${a.length} entries, expected rows*cols=${rows * cols}`);
  const tol = options.tol ?? 1e-13;
  const maxSweeps = options.maxSweeps ?? 60;
  // Columns of A (or of A^T when A is wide), each of length m >= n.
  const wide = cols > rows;
  const [m, n] = wide ? [cols, rows] : [rows, cols];
  const col: Float64Array[] = Array.from({ length: n }, () => new Float64Array(m));
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const v = a[i * cols + j]!;
      if (!Number.isFinite(v)) throw new Error(`singularValues: a[${i}, ${j}] = ${v} is not finite`);
      if (wide) col[i]![j] = v;
      else col[j]![i] = v;
    }
  let converged = false;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      const x = col[p]!;
      for (let q = p + 1; q < n; q++) {
        const y = col[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += x[i]! * x[i]!;
          beta += y[i]! * y[i]!;
          gamma += x[i]! * y[i]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        converged = false;
        // The rotation that zeroes the (p, q) entry of A^T A (Golub & Van Loan, section 8.6.3).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const xi = x[i]!;
          const yi = y[i]!;
          x[i] = c * xi - s * yi;
          y[i] = s * xi + c * yi;
        }
      }
    }
  }
  if (!converged) throw new Error(`singularValues: not converged after ${maxSweeps} sweeps (${rows} x ${cols}); raise maxSweeps or tol`);
  const out = Float64Array.from(col, (x) => Math.hypot(...x));
  return out.sort().reverse();
}

/** Share of the squared Frobenius norm in the top `r` singular values; NaN for a zero matrix. */
export function energyShare(singular: ArrayLike<number>, r: number): number {
  if (!(Number.isInteger(r) && r >= 0)) throw new Error(`energyShare: r must be an integer >= 0, got ${r}`);
  let top = 0;
  let all = 0;
  for (let i = 0; i < singular.length; i++) {
    const e = singular[i]! ** 2;
    all += e;
    if (i < r) top += e;
  }
  return all > 0 ? top / all : NaN;
}

/** Smallest r whose top-r energy share reaches `fraction` (in (0, 1]); 0 for a zero matrix. */
export function energyRank(singular: ArrayLike<number>, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`energyRank: fraction must be in (0, 1], got ${fraction}`);
  let all = 0;
  for (let i = 0; i < singular.length; i++) all += singular[i]! ** 2;
  if (all === 0) return 0;
  let top = 0;
  for (let i = 0; i < singular.length; i++) {
    top += singular[i]! ** 2;
    // A relative slack of 1e-12 so that fraction 1 is reached despite rounding in the running sum.
    if (top >= fraction * all * (1 - 1e-12)) return i + 1;
  }
  return singular.length;
}

/**
 * Numerical rank: singular values above s_max * max(rows, cols) * eps, numpy's `matrix_rank` rule with float32's
 * eps (2^-23), since the matrices are differences of float32 weights.
 */
export function numericalRank(singular: ArrayLike<number>, rows: number, cols: number): number {
  let max = 0;
  for (let i = 0; i < singular.length; i++) max = Math.max(max, singular[i]!);
  const cut = max * Math.max(rows, cols) * 2 ** -23;
  let r = 0;
  for (let i = 0; i < singular.length; i++) if (singular[i]! > cut) r++;
  return r;
}
