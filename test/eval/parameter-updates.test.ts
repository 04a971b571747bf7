import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { gptConfig } from '../../src/model/config.js';
import { bfloat16Array, bfloat16Bits, roundToBfloat16 } from '../../src/eval/bfloat16.js';
import { energyRank, energyShare, numericalRank, singularValues } from '../../src/eval/singular-values.js';
import { expectedJaccard, setOverlap } from '../../src/eval/set-overlap.js';
import {
  changedFractions,
  changedMasks,
  changeTable,
  criterionLabel,
  groupChangeTable,
  maskOverlap,
  parameterLocation,
  parameterShapes,
  updateSpectra,
} from '../../src/eval/parameter-updates.js';

test('bf16 rounding: round to nearest even on the dropped 16 bits; 1 + 1e-6 is 1; NaN and Infinity survive', () => {
  assert.equal(roundToBfloat16(1 + 1e-6), 1);
  assert.equal(roundToBfloat16(1.0078125), 1.0078125, 'exactly representable (1 + 2^-7)');
  // Halfway between 1 and 1 + 2^-7 rounds to the even mantissa (1); just above halfway rounds up.
  assert.equal(roundToBfloat16(1 + 2 ** -8), 1);
  assert.equal(roundToBfloat16(1 + 2 ** -8 + 2 ** -20), 1.0078125);
  // Halfway between 1 + 2^-7 (odd mantissa) and 1 + 2^-6 rounds up to even.
  assert.equal(roundToBfloat16(1 + 2 ** -7 + 2 ** -8), 1 + 2 ** -6);
  assert.equal(roundToBfloat16(-0.02), -0.02001953125);
  assert.ok(Number.isNaN(roundToBfloat16(NaN)));
  assert.equal(roundToBfloat16(Infinity), Infinity);
  assert.equal(roundToBfloat16(3.4e38), Infinity, 'above bf16 max rounds to infinity');
  assert.equal(bfloat16Bits(1) >>> 0, 0x3f800000);
  assert.deepEqual([...bfloat16Array([1 + 1e-6, 0.5])], [1, 0.5]);
});

test('changed counts per criterion: a 1e-6 change to 1.0 is a float32 change but no bf16 change', () => {
  const before = { 'h0.attn.wq': Float32Array.from([1, 0.02, -0.5, 3]), 'lnf.g': Float32Array.from([1, 1]) };
  const after = { 'h0.attn.wq': Float32Array.from([1 + 1e-6, 0.02 + 1e-3, -0.5, 3.5]), 'lnf.g': Float32Array.from([1, 1]) };
  const criteria = [{ kind: 'abs', tol: 0 }, { kind: 'abs', tol: 1e-4 }, { kind: 'bf16' }] as const;
  const t = changeTable(before, after, criteria);
  assert.deepEqual(t.rows[0], { name: 'h0.attn.wq', layer: 'h0', kind: 'attn.wq', size: 4, changed: [3, 2, 2] });
  assert.deepEqual(t.rows[1]!.changed, [0, 0, 0]);
  assert.deepEqual(t.total, { size: 6, changed: [3, 2, 2] });
  assert.deepEqual(changedFractions(t), [0.5, 2 / 6, 2 / 6]);
  assert.deepEqual(groupChangeTable(t, 'layer').map((g) => [g.group, g.fraction]), [['h0', [0.75, 0.5, 0.5]], ['final', [0, 0, 0]]]);
  assert.deepEqual([...changedMasks(before, after, { kind: 'bf16' })['h0.attn.wq']!], [0, 1, 0, 1]);
  // `within` counts only the masked parameters.
  const w = changeTable(before, after, criteria, { 'h0.attn.wq': [1, 0, 1, 0], 'lnf.g': [0, 0] });
  assert.deepEqual(w.total, { size: 2, changed: [1, 0, 0] });
  assert.deepEqual(criteria.map(criterionLabel), ['|Δ|>0', '|Δ|>1e-4', 'bf16']);
  assert.throws(() => changeTable(before, { 'h0.attn.wq': after['h0.attn.wq'] }, criteria), /"lnf.g" is in before but not in after/);
  assert.throws(() => changeTable(before, after, [{ kind: 'abs', tol: -1 }]), /criteria\[0\]: a criterion must be/);
  assert.throws(() => changedMasks(before, { ...after, 'lnf.g': Float32Array.from([NaN, 1]) }, { kind: 'bf16' }), /"lnf.g"\[0\] is not finite/);
  assert.deepEqual(parameterLocation('wte'), { layer: 'embed', kind: 'wte' });
  assert.deepEqual(parameterLocation('h12.mlp.b1'), { layer: 'h12', kind: 'mlp.b1' });
  assert.deepEqual(parameterLocation('head'), { layer: 'final', kind: 'head' });
});

test('Jaccard: identical sets 1, disjoint 0; chance matches brute force over all subsets and ab/n for large n', () => {
  const id = setOverlap([1, 0, 1, 1], [1, 0, 1, 1]);
  assert.equal(id.jaccard, 1);
  assert.equal(setOverlap([1, 1, 0, 0], [0, 0, 1, 1]).jaccard, 0);
  assert.ok(Number.isNaN(setOverlap([0, 0], [0, 0]).jaccard));
  // Brute force: every pair of subsets of sizes a, b of 6 items.
  const n = 6;
  const subsets = (k: number) => [...Array(1 << n).keys()].filter((m) => popcount(m) === k);
  for (const [a, b] of [[2, 3], [1, 1], [3, 3], [6, 2], [0, 4], [5, 4]] as const) {
    let s = 0;
    let count = 0;
    for (const x of subsets(a))
      for (const y of subsets(b)) {
        s += popcount(x & y) / popcount(x | y);
        count++;
      }
    assert.ok(Math.abs(expectedJaccard(n, a, b) - s / count) < 1e-12, `n=6 a=${a} b=${b}: ${expectedJaccard(n, a, b)} vs ${s / count}`);
  }
  // Large n: I concentrates at ab/n, so the chance Jaccard approaches (ab/n) / (a + b - ab/n).
  const [N, A, B] = [200000, 40000, 60000];
  const plug = (A * B) / N / (A + B - (A * B) / N);
  assert.ok(Math.abs(expectedJaccard(N, A, B) - plug) < 1e-4, `${expectedJaccard(N, A, B)} vs ${plug}`);
  assert.equal(expectedJaccard(10, 10, 3), 0.3, 'A is everything: J = b / n exactly');
  assert.throws(() => expectedJaccard(5, 6, 1), /a must be an integer in \[0, n=5\]/);
});

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

test('maskOverlap: total, per tensor and the stratified chance', () => {
  const a = { x: Uint8Array.from([1, 1, 1, 1]), y: Uint8Array.from([1, 0, 0, 0]) };
  const b = { x: Uint8Array.from([1, 1, 1, 1]), y: Uint8Array.from([0, 1, 0, 0]) };
  const o = maskOverlap(a, b);
  assert.equal(o.total.intersection, 4);
  assert.equal(o.total.jaccard, 4 / 6);
  assert.equal(o.rows[0]!.jaccard, 1);
  assert.equal(o.rows[1]!.jaccard, 0);
  // Per tensor: E[I] = 4*4/4 + 1*1/4 = 4.25, so 4.25 / (5 + 5 - 4.25); uniform over all 8 is lower.
  assert.ok(Math.abs(o.stratifiedChanceJaccard - 4.25 / 5.75) < 1e-12);
  assert.ok(o.total.chanceJaccard < o.stratifiedChanceJaccard);
  assert.ok(Math.abs(o.total.chanceJaccard - expectedJaccard(8, 5, 5)) < 1e-15);
});

/** A random m x n matrix with orthonormal columns (Gram-Schmidt on normals). */
function orthonormal(m: number, n: number, rng: Rng): Float64Array[] {
  const cols: Float64Array[] = [];
  while (cols.length < n) {
    const v = Float64Array.from(rng.normals(m));
    for (const u of cols) {
      const d = u.reduce((s, x, i) => s + x * v[i]!, 0);
      for (let i = 0; i < m; i++) v[i]! -= d * u[i]!;
    }
    const norm = Math.hypot(...v);
    cols.push(v.map((x) => x / norm));
  }
  return cols;
}

/** Row-major U diag(s) V^T. */
function compose(m: number, n: number, s: number[], rng: Rng): Float64Array {
  const k = s.length;
  const U = orthonormal(m, k, rng);
  const V = orthonormal(n, k, rng);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let r = 0; r < k; r++) out[i * n + j]! += U[r]![i]! * s[r]! * V[r]![j]!;
  return out;
}

test('one-sided Jacobi SVD recovers known singular values (tall, wide, rank-deficient, diagonal)', () => {
  const rng = new Rng(7);
  const want = [5, 3, 2, 0.5, 1e-3];
  const tall = singularValues(compose(12, 5, want, rng), 12, 5);
  want.forEach((s, i) => assert.ok(Math.abs(tall[i]! - s) < 1e-10, `tall s[${i}] ${tall[i]} vs ${s}`));
  const wide = singularValues(compose(5, 9, want, rng), 5, 9);
  want.forEach((s, i) => assert.ok(Math.abs(wide[i]! - s) < 1e-10, `wide s[${i}] ${wide[i]} vs ${s}`));
  const r2 = singularValues(compose(8, 6, [4, 1], rng), 8, 6);
  assert.equal(r2.length, 6);
  assert.ok(Math.abs(r2[0]! - 4) < 1e-10 && Math.abs(r2[1]! - 1) < 1e-10 && r2[2]! < 1e-12, `${[...r2]}`);
  assert.equal(numericalRank(r2, 8, 6), 2);
  assert.deepEqual([...singularValues([0, -3, 0, 0, 0, 2], 2, 3)], [3, 2]);
  assert.deepEqual([...singularValues([0, 0, 0, 0], 2, 2)], [0, 0]);
  assert.throws(() => singularValues([1, 2, 3], 2, 2), /a has 3 entries, expected rows\*cols=4/);
  assert.throws(() => singularValues([1, NaN], 1, 2), /a\[0, 1\] = NaN is not finite/);
  // Energy: shares of the squared singular values.
  assert.ok(Math.abs(energyShare([3, 4], 1) - 9 / 25) < 1e-15);
  assert.equal(energyShare([3, 4], 2), 1);
  assert.ok(Number.isNaN(energyShare([0, 0], 1)));
  assert.equal(energyRank([3, 2, 1, 0], 0.9), 2);
  assert.equal(energyRank([3, 2, 1, 0], 1), 3);
});

test('updateSpectra: a rank-1 update of float32 weights has all its energy in r = 1; a dense random one is full rank', () => {
  const config = gptConfig({ vocabSize: 7, contextLength: 4, dModel: 8, nHeads: 2, nLayers: 1 });
  const shapes = parameterShapes(config);
  const rng = new Rng(3);
  const before: Record<string, Float32Array> = {};
  for (const [k, s] of Object.entries(shapes)) before[k] = rng.normals(s.reduce((a, b) => a * b, 1), 0.02);
  const after: Record<string, Float32Array> = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.slice()]));
  const [R, C] = shapes['h0.mlp.w1'] as [number, number]; // [8, 32]
  const u = rng.normals(R);
  const v = rng.normals(C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) after['h0.mlp.w1']![i * C + j]! += 1e-3 * u[i]! * v[j]!;
  for (let i = 0; i < after['h0.attn.wq']!.length; i++) after['h0.attn.wq']![i]! += 1e-3 * rng.normal();
  const spectra = updateSpectra(before, after, shapes);
  const byName = Object.fromEntries(spectra.map((s) => [s.name, s]));
  assert.ok(!('h0.ln1.g' in byName), '1-D parameters are skipped');
  assert.deepEqual(spectra.map((s) => s.name), ['wte', 'wpe', 'h0.attn.wq', 'h0.attn.wk', 'h0.attn.wv', 'h0.attn.wo', 'h0.mlp.w1', 'h0.mlp.w2', 'head']);
  const w1 = byName['h0.mlp.w1']!;
  assert.deepEqual([w1.rows, w1.cols, w1.singularValues.length], [8, 32, 8]);
  assert.ok(w1.energyTop[0]!.share > 1 - 1e-6, `rank-1 top-1 share ${w1.energyTop[0]!.share}`);
  const wq = byName['h0.attn.wq']!;
  assert.equal(wq.rankFraction, 1);
  assert.ok(wq.energyTop[0]!.share < 0.5, `dense random update top-1 share ${wq.energyTop[0]!.share}`);
  // Unchanged matrices: zero update, no energy, rank 0.
  assert.ok(Number.isNaN(byName['wte']!.energyTop[0]!.share));
  assert.equal(byName['wte']!.rankFraction, 0);
  assert.throws(() => updateSpectra(before, after, { ...shapes, head: [3, 3] }), /shape \[3,3\] of "head" does not fit/);
});
