import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctCountsPerPrompt, meanPassAtK, passAtK, passAtKCurve } from '../../src/eval/pass-at-k.js';

function binom(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** Exact 1 - C(n-c, k) / C(n, k) in rational arithmetic. */
function exactPassAtK(n: number, c: number, k: number): number {
  const num = binom(n - c, k);
  const den = binom(n, k);
  const scale = 10n ** 15n;
  return 1 - Number((num * scale) / den) / 1e15;
}

test('pass@k equals the exact combinatorial value for every small n, c, k', () => {
  let checked = 0;
  for (let n = 1; n <= 12; n++)
    for (let c = 0; c <= n; c++)
      for (let k = 1; k <= n; k++) {
        const got = passAtK(n, c, k);
        const want = exactPassAtK(n, c, k);
        assert.ok(Math.abs(got - want) < 1e-12, `n=${n} c=${c} k=${k}: ${got} vs ${want}`);
        checked++;
      }
  assert.ok(checked > 500);
});

test('pass@k edge cases', () => {
  assert.equal(passAtK(10, 0, 1), 0, 'c = 0');
  assert.equal(passAtK(10, 0, 10), 0, 'c = 0, k = n');
  assert.equal(passAtK(10, 10, 3), 1, 'c = n');
  assert.equal(passAtK(10, 8, 3), 1, 'n - c < k');
  assert.ok(Math.abs(passAtK(10, 3, 1) - 0.3) < 1e-12, 'pass@1 is the fraction correct');
  // Large n: the product form stays finite where binomials overflow doubles.
  const big = passAtK(2000, 3, 1000);
  assert.ok(big > 0.87 && big < 0.88, `pass@1000 of 3/2000 = ${big}`);
});

test('pass@k rejects bad input with clear errors', () => {
  assert.throws(() => passAtK(4, 1, 5), /k=5 exceeds n=4/);
  assert.throws(() => passAtK(4, 5, 1), /c \(correct samples\) must be an integer in \[0, n=4\]/);
  assert.throws(() => passAtK(4, 1, 0), /k must be an integer >= 1/);
  assert.throws(() => passAtK(0, 0, 1), /n \(samples\)/);
  assert.throws(() => meanPassAtK([], 4, 1), /empty/);
});

test('mean pass@k over prompts and per-prompt counts', () => {
  const correct = [1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]; // 3 prompts x 4
  const counts = correctCountsPerPrompt(correct, 4);
  assert.deepEqual([...counts], [1, 4, 0]);
  const m = meanPassAtK(counts, 4, 2);
  assert.ok(Math.abs(m - (0.5 + 1 + 0) / 3) < 1e-12);
  const curve = passAtKCurve(counts, 4, [1, 2, 4]);
  assert.deepEqual(curve.map((p) => p.k), [1, 2, 4]);
  assert.ok(curve[0]!.passAtK <= curve[1]!.passAtK && curve[1]!.passAtK <= curve[2]!.passAtK, 'monotone in k');
  assert.throws(() => correctCountsPerPrompt([1, 0, 1], 2), /not a multiple/);
});
