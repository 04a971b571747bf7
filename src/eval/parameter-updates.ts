/**
 * What an update changed between two checkpoints of the same model (Mukherjee et al., "Reinforcement Learning
 * Finetunes Small Subnetworks in Large Language Models", arXiv 2505.11711): which parameters moved, per layer and
 * parameter kind, under a sweep of criteria; how much two runs' changed sets overlap, against chance; and the
 * singular values of each weight matrix's update.
 *
 * A criterion says when a parameter counts as changed:
 *   { kind: 'abs', tol }  |after - before| > tol (tol 0: any float32 change; exact zero is meaningless after Adam,
 *                         whose normalised step moves every parameter that sees any gradient, so sweep tol);
 *   { kind: 'bf16' }      bf16(after) !== bf16(before): the change survives storing both checkpoints in bfloat16
 *                         (round to nearest even), the paper's setting, which swallows steps below half a bf16 ulp.
 * Checkpoints are `GPTWeights` (plain Float32Arrays by name); non-finite weights are an error.
 */
import type { GPTConfig } from '../model/config.js';
import { paramSpecs, type GPTWeights } from '../model/gpt.js';
import { bfloat16Bits } from './bfloat16.js';
import { setOverlap, expectedJaccard, type SetOverlap } from './set-overlap.js';
import { energyShare, numericalRank, singularValues } from './singular-values.js';

export type ChangeCriterion = { kind: 'abs'; tol: number } | { kind: 'bf16' };

/** A short label for tables and plots: "|Δ|>1e-6", "bf16". */
export function criterionLabel(c: ChangeCriterion): string {
  return c.kind === 'bf16' ? 'bf16' : `|Δ|>${c.tol === 0 ? '0' : c.tol.toExponential()}`;
}

/** Where a GPT parameter sits: layer 'embed' (wte, wpe), 'h0'.. (blocks) or 'final' (lnf, head); kind is the rest. */
export function parameterLocation(name: string): { layer: string; kind: string } {
  const block = /^(h[0-9]+)\.(.+)$/.exec(name);
  if (block) return { layer: block[1]!, kind: block[2]! };
  if (name === 'wte' || name === 'wpe') return { layer: 'embed', kind: name };
  if (name === 'head' || name.startsWith('lnf.')) return { layer: 'final', kind: name };
  return { layer: 'other', kind: name };
}

function checkCriterion(c: ChangeCriterion, where: string): void {
  if (c?.kind === 'bf16') return;
  if (c?.kind !== 'abs' || !(c.tol >= 0 && Number.isFinite(c.tol)))
    throw new Error(`${where}: a criterion must be { kind: 'abs', tol >= 0 } or { kind: 'bf16' }, got ${JSON.stringify(c)}`);
}

/** Parameter names of two checkpoints, checked to match in names and sizes (`before`'s order). */
function pairedNames(before: GPTWeights, after: GPTWeights, where: string): string[] {
  const names = Object.keys(before);
  for (const k of Object.keys(after)) if (!(k in before)) throw new Error(`${where}: parameter "${k}" is in after but not in before`);
  for (const k of names) {
    const b = after[k];
    if (b === undefined) throw new Error(`${where}: parameter "${k}" is in before but not in after`);
    if (b.length !== before[k]!.length) throw new Error(`${where}: parameter "${k}" has ${before[k]!.length} values before, ${b.length} after`);
  }
  return names;
}

/** [size] 1 where the parameter changed under `c`. */
function changedMask(name: string, x: Float32Array, y: Float32Array, c: ChangeCriterion, where: string): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`${where}: parameter "${name}"[${i}] is not finite (${a} -> ${b})`);
    out[i] = (c.kind === 'bf16' ? bfloat16Bits(a) !== bfloat16Bits(b) : Math.abs(b - a) > c.tol) ? 1 : 0;
  }
  return out;
}

/** Per parameter, [size] 1 where it changed from `before` to `after` under the criterion. */
export function changedMasks(before: GPTWeights, after: GPTWeights, criterion: ChangeCriterion): Record<string, Uint8Array> {
  checkCriterion(criterion, 'changedMasks');
  const out: Record<string, Uint8Array> = {};
  for (const k of pairedNames(before, after, 'changedMasks')) out[k] = changedMask(k, before[k]!, after[k]!, criterion, 'changedMasks');
  return out;
}

export interface ChangeRow {
  name: string;
  layer: string;
  kind: string;
  /** Parameters counted (all, or those inside the `within` mask). */
  size: number;
  /** Changed parameters, one count per criterion. */
  changed: number[];
}

export interface ChangeTable {
  criteria: ChangeCriterion[];
  rows: ChangeRow[];
  /** All parameters together. */
  total: { size: number; changed: number[] };
}

/**
 * Changed counts per parameter tensor for each criterion (a tolerance sweep plus bf16, say). `within` restricts
 * the count to a 0/1 mask per parameter, e.g. the parameters that received a nonzero gradient.
 */
export function changeTable(
  before: GPTWeights,
  after: GPTWeights,
  criteria: readonly ChangeCriterion[],
  within?: Record<string, ArrayLike<number>>,
): ChangeTable {
  if (criteria.length === 0) throw new Error('changeTable: criteria must list at least one criterion');
  criteria.forEach((c, i) => checkCriterion(c, `changeTable: criteria[${i}]`));
  const names = pairedNames(before, after, 'changeTable');
  const rows: ChangeRow[] = [];
  for (const k of names) {
    const w = within?.[k];
    if (within !== undefined && (w === undefined || w.length !== before[k]!.length))
      throw new Error(`changeTable: within["${k}"] must be a mask of ${before[k]!.length} values, got ${w === undefined ? 'none' : w.length}`);
    const masks = criteria.map((c) => changedMask(k, before[k]!, after[k]!, c, 'changeTable'));
    let size = 0;
    const changed = criteria.map(() => 0);
    for (let i = 0; i < before[k]!.length; i++) {
      if (w !== undefined && !w[i]) continue;
      size++;
      masks.forEach((m, j) => (changed[j]! += m[i]!));
    }
    rows.push({ name: k, ...parameterLocation(k), size, changed });
  }
  return { criteria: [...criteria], rows, total: sumRows(rows, criteria.length) };
}

function sumRows(rows: readonly ChangeRow[], nCriteria: number): { size: number; changed: number[] } {
  const changed = new Array<number>(nCriteria).fill(0);
  let size = 0;
  for (const r of rows) {
    size += r.size;
    r.changed.forEach((c, j) => (changed[j]! += c));
  }
  return { size, changed };
}

/** Rows summed by layer or by kind (order of first appearance), each with its changed fraction per criterion. */
export function groupChangeTable(table: ChangeTable, by: 'layer' | 'kind'): { group: string; size: number; changed: number[]; fraction: number[] }[] {
  if (by !== 'layer' && by !== 'kind') throw new Error(`groupChangeTable: by must be 'layer' or 'kind', got ${String(by)}`);
  const groups = new Map<string, ChangeRow[]>();
  for (const r of table.rows) {
    const g = groups.get(r[by]) ?? [];
    g.push(r);
    groups.set(r[by], g);
  }
  return [...groups].map(([group, rows]) => {
    const s = sumRows(rows, table.criteria.length);
    return { group, ...s, fraction: s.changed.map((c) => (s.size > 0 ? c / s.size : NaN)) };
  });
}

/** Changed fraction of all counted parameters, per criterion. */
export function changedFractions(table: ChangeTable): number[] {
  return table.total.changed.map((c) => (table.total.size > 0 ? c / table.total.size : NaN));
}

export interface MaskOverlap {
  /** All parameters as one set; its chance is uniform over all of them. */
  total: SetOverlap;
  /**
   * Chance with the sizes kept per parameter tensor (random sets of each tensor's observed sizes): the ratio
   * E[I] / (|A| + |B| - E[I]) with E[I] = sum over tensors of a_k b_k / n_k. A stricter null than `total.chance`
   * when some tensors change almost entirely and others hardly at all.
   */
  stratifiedChanceJaccard: number;
  rows: ({ name: string; layer: string; kind: string } & SetOverlap)[];
}

/** Overlap of two runs' changed sets (masks from `changedMasks`, same base checkpoint), in total and per tensor. */
export function maskOverlap(a: Record<string, Uint8Array>, b: Record<string, Uint8Array>): MaskOverlap {
  const names = Object.keys(a);
  for (const k of Object.keys(b)) if (!(k in a)) throw new Error(`maskOverlap: parameter "${k}" is in b but not in a`);
  const rows: MaskOverlap['rows'] = [];
  let n = 0;
  let sizeA = 0;
  let sizeB = 0;
  let intersection = 0;
  let expectedI = 0;
  for (const k of names) {
    if (b[k] === undefined) throw new Error(`maskOverlap: parameter "${k}" is in a but not in b`);
    const o = setOverlap(a[k]!, b[k]!);
    rows.push({ name: k, ...parameterLocation(k), ...o });
    n += o.n;
    sizeA += o.sizeA;
    sizeB += o.sizeB;
    intersection += o.intersection;
    if (o.n > 0) expectedI += (o.sizeA * o.sizeB) / o.n;
  }
  const union = sizeA + sizeB - intersection;
  const total: SetOverlap = {
    n,
    sizeA,
    sizeB,
    intersection,
    jaccard: union > 0 ? intersection / union : NaN,
    chanceJaccard: expectedJaccard(n, sizeA, sizeB),
  };
  const stratifiedChanceJaccard = sizeA + sizeB > 0 ? expectedI / (sizeA + sizeB - expectedI) : NaN;
  return { total, stratifiedChanceJaccard, rows };
}

export interface UpdateSpectrum {
  name: string;
  layer: string;
  kind: string;
  rows: number;
  cols: number;
  /** Singular values of after - before, descending (length min(rows, cols)). */
  singularValues: Float64Array;
  /** Numerical rank (`numericalRank`) over min(rows, cols): the paper's "update rank" as a fraction of full. */
  rankFraction: number;
  /** Energy share of the top r singular values for each r of `topR`. */
  energyTop: { r: number; share: number }[];
}

/** Parameter shapes of a GPT config, by name. */
export function parameterShapes(config: GPTConfig): Record<string, number[]> {
  return Object.fromEntries(paramSpecs(config).map((s) => [s.name, s.shape]));
}

/**
 * Singular values of every 2-D parameter's update (after - before), by one-sided Jacobi (./singular-values.ts).
 * `shapes` names each parameter's shape (`parameterShapes(config)`); 1-D parameters (biases, LayerNorm) are skipped.
 */
export function updateSpectra(
  before: GPTWeights,
  after: GPTWeights,
  shapes: Record<string, readonly number[]>,
  topR: readonly number[] = [1, 4, 16],
): UpdateSpectrum[] {
  const out: UpdateSpectrum[] = [];
  for (const k of pairedNames(before, after, 'updateSpectra')) {
    const shape = shapes[k];
    if (shape === undefined) throw new Error(`updateSpectra: shapes has no entry for parameter "${k}"`);
    if (shape.length !== 2) continue;
    const [rows, cols] = shape as [number, number];
    if (rows * cols !== before[k]!.length) throw new Error(`updateSpectra: shape [${shape}] of "${k}" does not fit its ${before[k]!.length} values`);
    const delta = new Float64Array(rows * cols);
    for (let i = 0; i < delta.length; i++) delta[i] = after[k]![i]! - before[k]![i]!;
    const s = singularValues(delta, rows, cols);
    out.push({
      name: k,
      ...parameterLocation(k),
      rows,
      cols,
      singularValues: s,
      rankFraction: numericalRank(s, rows, cols) / Math.min(rows, cols),
      energyTop: topR.map((r) => ({ r, share: energyShare(s, r) })),
    });
  }
  return out;
}
