import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIM_MIME, checkClaim, claimBundle, claimToJson, evaluateClaim, recordedClaims, type ClaimSpec } from '../../src/notebook/index.js';

const base = (over: Partial<ClaimSpec>): ClaimSpec => ({
  id: 'c',
  statement: 'RL raises accuracy.',
  paper: { value: 0.05, source: 'arXiv 0000.00000, Table 1' },
  ours: [0.04, 0.05, 0.06],
  test: { kind: 'greater', than: 0 },
  ...over,
});

test('greater/less hold only when the whole 95% interval is past the bound', () => {
  const up = evaluateClaim(base({}));
  assert.equal(up.verdict, 'reproduced');
  // mean 0.05, sd 0.01, t(0.975, 2) = 4.303: half-width 0.0248
  assert.ok(Math.abs(up.estimate.lo - (0.05 - (4.302652729911275 * 0.01) / Math.sqrt(3))) < 1e-9);
  const noisy = evaluateClaim(base({ ours: [0.1, -0.05, 0.08] }));
  assert.equal(noisy.holds, false);
  assert.equal(noisy.verdict, 'not reproduced');
  assert.equal(evaluateClaim(base({ test: { kind: 'less', than: 0.1 } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'less', than: 0.06 } })).holds, false);
});

test('notGreater, notLess and within', () => {
  assert.equal(evaluateClaim(base({ test: { kind: 'notGreater', than: 0 } })).holds, false);
  assert.equal(evaluateClaim(base({ ours: [0.1, -0.05, 0.08], test: { kind: 'notGreater', than: 0 } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'notLess', than: 0.07 } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'notLess', than: 0.09 } })).holds, false);
  assert.equal(evaluateClaim(base({ test: { kind: 'within', of: 0.05, tolerance: 0.03 } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'within', of: 0.05, tolerance: 0.01 } })).holds, false);
});

test('one seed cannot reproduce a claim, not even a vacuous notGreater; its JSON has null bounds', () => {
  const one = evaluateClaim(base({ ours: [0.5], test: { kind: 'notGreater', than: 0 } }));
  assert.equal(one.holds, false);
  assert.match(one.note, /one seed/);
  const json = claimToJson(one) as { estimate: { lo: unknown; hi: unknown } };
  assert.equal(json.estimate.lo, null);
  assert.equal(JSON.parse(JSON.stringify(json)).estimate.hi, null);
});

test('invalid claims are errors that name the field; an unmet claim is not an error', () => {
  assert.throws(() => evaluateClaim(base({ ours: [] })), /ours must be a non-empty array/);
  assert.throws(() => evaluateClaim(base({ ours: [1, Number.NaN] })), /ours\[1\].*finite/);
  assert.throws(() => evaluateClaim(base({ id: 'has space' })), /id must be/);
  assert.throws(() => evaluateClaim(base({ test: { kind: 'bigger', than: 0 } as never })), /test.kind must be one of greater, less, notGreater, notLess, within/);
  assert.throws(() => evaluateClaim(base({ test: { kind: 'within', of: 0, tolerance: -1 } })), /tolerance must be >= 0/);
  assert.doesNotThrow(() => evaluateClaim(base({ ours: [-1, -2, -3] })));
});

test('claim bundle carries the result for the runner next to a verdict table', () => {
  const b = claimBundle(evaluateClaim(base({ ours: [-1, -2, -3] })));
  assert.equal((b[CLAIM_MIME] as { verdict: string }).verdict, 'not reproduced');
  assert.match(String(b['text/html']), /not reproduced/);
  assert.match(String(b['text/plain']), /^NOT REPRODUCED: c/);
});

test('checkClaim outside a kernel prints, records, and replaces a re-checked id', () => {
  const logged: string[] = [];
  const orig = console.log;
  console.log = (s: string) => logged.push(s);
  try {
    checkClaim(base({ id: 'rec-a' }));
    checkClaim(base({ id: 'rec-a', ours: [-1, -2, -3] }));
  } finally {
    console.log = orig;
  }
  assert.equal(logged.length, 2);
  const mine = recordedClaims().filter((r) => r.id === 'rec-a');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]!.verdict, 'not reproduced');
});
