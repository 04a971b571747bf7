import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import {
  bootstrapCI,
  linearSlopeCI,
  meanCI,
  pairedDiffCI,
  quantileSorted,
  spearman,
  tCdf,
  tQuantile,
} from '../../src/eval/stats.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs expected ${b} (tol ${tol})`);

test('t quantiles match printed tables / scipy', () => {
  // scipy.stats.t.ppf values
  close(tQuantile(0.975, 4), 2.7764451052, 1e-8, 't_0.975,4');
  close(tQuantile(0.975, 1), 12.7062047362, 1e-7, 't_0.975,1');
  close(tQuantile(0.975, 10), 2.2281388520, 1e-8, 't_0.975,10');
  close(tQuantile(0.975, 30), 2.0422724563, 1e-8, 't_0.975,30');
  close(tQuantile(0.995, 5), 4.0321429836, 1e-8, 't_0.995,5');
  close(tQuantile(0.95, 2), 2.9199855803, 1e-8, 't_0.95,2');
  close(tQuantile(0.975, 2.5), 3.5746548420, 1e-7, 't_0.975,2.5 (fractional df)');
  close(tQuantile(0.025, 4), -2.7764451052, 1e-8, 'lower tail is symmetric');
  close(tCdf(-1.5, 3), 0.1152919326, 1e-9, 'cdf(-1.5; 3)');
  close(tCdf(2.0, 7), 0.9571903357, 1e-9, 'cdf(2; 7)');
});

test('meanCI is the Student-t interval', () => {
  const ci = meanCI([1, 2, 3, 4, 5]);
  assert.equal(ci.mean, 3);
  assert.equal(ci.n, 5);
  close(ci.sd, Math.sqrt(2.5), 1e-12, 'sd');
  const half = (2.7764451052 * Math.sqrt(2.5)) / Math.sqrt(5);
  close(ci.lo, 3 - half, 1e-8, 'lo');
  close(ci.hi, 3 + half, 1e-8, 'hi');
  const ci90 = meanCI([1, 2, 3, 4, 5], 0.9);
  assert.ok(ci90.hi - ci90.lo < ci.hi - ci.lo, 'a 90% interval is narrower');
  const one = meanCI([7]);
  assert.deepEqual([one.mean, one.lo, one.hi, one.n], [7, -Infinity, Infinity, 1]);
  assert.ok(Number.isNaN(one.sd));
});

test('meanCI rejects bad input', () => {
  assert.throws(() => meanCI([]), /at least 1/);
  assert.throws(() => meanCI([1, NaN]), /samples\[1\].*finite/);
  assert.throws(() => meanCI([1, 2], 1), /level must be in \(0, 1\)/);
  assert.throws(() => tQuantile(1.2, 3), /p must be in/);
  assert.throws(() => tQuantile(0.9, 0), /df must be > 0/);
});

test('bootstrap: seeded, contains the mean, close to the t-interval on symmetric data', () => {
  const data = new Rng(1).normals(40, 2);
  const a = bootstrapCI(data, new Rng('boot'));
  const b = bootstrapCI(data, new Rng('boot'));
  assert.deepEqual(a, b, 'same seed, same interval');
  const t = meanCI(data);
  close(a.mean, t.mean, 1e-6, 'point estimate is the sample mean');
  assert.ok(a.lo < a.mean && a.mean < a.hi);
  close(a.hi - a.lo, t.hi - t.lo, 0.25 * (t.hi - t.lo), 'width within 25% of the t-interval');
  const med = bootstrapCI([1, 2, 3, 100], new Rng(2), { statistic: (r) => [...r].sort((x, y) => x - y)[1]!, resamples: 500 });
  assert.ok(med.hi <= 100 && med.lo >= 1);
  assert.throws(() => bootstrapCI([1, 2], new Rng(0), { resamples: 10 }), /resamples must be an integer >= 100/);
});

test('quantileSorted interpolates like numpy', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  close(quantileSorted([1, 2, 3, 4], 0.1), 1.3, 1e-12, 'q0.1');
});

test('paired differences remove the shared seed effect', () => {
  const seedEffect = [10, -5, 3, 8, -2, 0];
  const a = seedEffect.map((s, i) => s + 1 + 0.01 * i);
  const b = seedEffect.map((s) => s);
  const d = pairedDiffCI(a, b);
  assert.ok(d.lo > 0.9 && d.hi < 1.1, `paired CI [${d.lo}, ${d.hi}] should be tight around 1`);
  const unpaired = meanCI(a.map((x, i) => x - b[(i + 1) % b.length]!));
  assert.ok(unpaired.hi - unpaired.lo > 10 * (d.hi - d.lo));
  assert.throws(() => pairedDiffCI([1, 2], [1]), /one value per shared seed/);
});

test('linear slope with t-interval matches scipy.linregress', () => {
  const fit = linearSlopeCI([1, 2, 3, 4, 5], [2.1, 3.9, 6.2, 7.8, 10.1]);
  close(fit.slope, 1.99, 1e-12, 'slope');
  close(fit.intercept, 0.05, 1e-12, 'intercept');
  close(fit.se, 0.059721576223897795, 1e-12, 'stderr');
  close(fit.hi - fit.slope, 0.19006070959946286, 1e-8, 'half width (t_0.975,3 * se)');
  close(fit.r2, 0.997305328900977, 1e-12, 'r2');
  const exact = linearSlopeCI([0, 1, 2], [1, 3, 5]);
  assert.equal(exact.slope, 2);
  assert.equal(exact.lo, 2);
  assert.throws(() => linearSlopeCI([1, 2], [1, 2]), /at least 3/);
  assert.throws(() => linearSlopeCI([1, 1, 1], [1, 2, 3]), /two distinct values/);
});

test('spearman handles ties like scipy', () => {
  close(spearman([1, 2, 2, 3, 5], [1, 3, 2, 4, 4]), 0.9473684210526317, 1e-12, 'with ties');
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Number.isNaN(spearman([1, 2, 3], [5, 5, 5])), 'a constant input has no rank correlation');
});
