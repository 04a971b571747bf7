/**
 * Weight interpolation theta(a) = (1 - a) * theta_base + a * theta_other (claim 2's base/instruct mix, after Zhang et al., arXiv 2506.17219).
 */
import type { GPTWeights } from './gpt.js';

/** Elementwise (1 - alpha) * base + alpha * other over every parameter; both must have the same names and sizes. */
export function mixWeights(base: GPTWeights, other: GPTWeights, alpha: number): GPTWeights {
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) throw new Error(`mixWeights: alpha must be in [0, 1], got ${alpha}`);
  const names = Object.keys(base);
  for (const k of Object.keys(other))
    if (!(k in base)) throw new Error(`mixWeights: parameter "${k}" is in other but not in base`);
  const out: GPTWeights = {};
  for (const k of names) {
    const a = base[k]!;
    const b = other[k];
    if (!b) throw new Error(`mixWeights: parameter "${k}" is in base but not in other`);
    if (a.length !== b.length) throw new Error(`mixWeights: parameter "${k}" has ${a.length} values in base, ${b.length} in other`);
    const m = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) m[i] = (1 - alpha) * a[i]! + alpha * b[i]!;
    out[k] = m;
  }
  return out;
}
