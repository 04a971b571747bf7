import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIM_MIME, checkClaim, claimBundle, claimToJson, evaluateClaim, minimumDetectableEffect, recordedClaims, seedsNeeded, type ClaimSpec } from '../../src/notebook/index.js';

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

const margin = (value: number) => ({ value, reason: 'half the effect the paper reports, scaled' });

test('notBelow / notAbove: non-inferiority and non-superiority against a stated margin on the 95% CI', () => {
  // ours [0.04, 0.05, 0.06]: 95% CI [0.0252, 0.0748]
  assert.equal(evaluateClaim(base({ test: { kind: 'notBelow', than: 0.05, margin: margin(0.03) } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'notBelow', than: 0.05, margin: margin(0.02) } })).holds, false);
  assert.equal(evaluateClaim(base({ test: { kind: 'notAbove', than: 0.05, margin: margin(0.03) } })).holds, true);
  assert.equal(evaluateClaim(base({ test: { kind: 'notAbove', than: 0, margin: margin(0.05) } })).holds, false);
  assert.match(evaluateClaim(base({ test: { kind: 'notBelow', margin: margin(0.03) } })).kindText, /not below 0 by more than 0.03/);
});

test('equivalent is TOST: the 90% interval inside the band, which the 95% interval may overhang', () => {
  // ours mean 0, sd 0.01, n 4: 90% half-width 2.353*0.005 = 0.01177; 95% half-width 3.182*0.005 = 0.0159
  const a = (0.01 * Math.sqrt(3)) / 2; // sd of [-a, a, -a, a] is 0.01
  const ours = [-a, a, -a, a];
  const r = evaluateClaim(base({ ours, test: { kind: 'equivalent', to: 0, margin: margin(0.014) } }));
  assert.equal(r.testInterval.level, 0.9);
  assert.ok(r.estimate.hi > 0.014, 'the 95% CI overhangs the margin');
  assert.equal(r.holds, true);
  assert.equal(evaluateClaim(base({ ours, test: { kind: 'equivalent', to: 0, margin: margin(0.011) } })).holds, false);
  assert.equal(evaluateClaim(base({ ours, test: { kind: 'equivalent', to: 0.05, margin: margin(0.03) } })).holds, false);
});

test('a true effect below the MDE fails for lack of power, and the note says how many seeds it needs', () => {
  // The paper's effect (scaled) is 0.02; the seeds scatter with sd ~0.05, so n = 5 cannot show it: underpowered.
  const ours = [0.06, -0.05, 0.07, -0.04, 0.01];
  const r = evaluateClaim(base({ ours, paper: { value: '+2 pts', source: 'P', effect: 0.02 }, test: { kind: 'greater', than: 0 } }));
  assert.equal(r.holds, false);
  assert.equal(r.power.underpowered, true);
  assert.ok(r.power.mde > 0.05 && r.power.mde < 0.2, `MDE ${r.power.mde}`);
  assert.ok(r.power.seedsNeeded !== null && r.power.seedsNeeded > 30, `seeds needed ${r.power.seedsNeeded}`);
  assert.match(r.note, /underpowered/);
  // Without a pre-stated effect there is nothing to judge power against: the MDE is shown, no label.
  const bare = evaluateClaim(base({ ours, test: { kind: 'greater', than: 0 } }));
  assert.equal(bare.power.underpowered, false);
  assert.equal(bare.power.seedsNeeded, null);
  // The same spread cannot confirm "no harm within 0.01" either: lack of power, not evidence of harm.
  const ni = evaluateClaim(base({ ours: ours.map((x) => x - 0.01), test: { kind: 'notBelow', than: 0, margin: margin(0.01) } }));
  assert.equal(ni.holds, false);
  assert.equal(ni.power.underpowered, true);
  // A large effect the seeds can detect is not underpowered when it fails.
  const wrong = evaluateClaim(base({ ours: [-0.04, -0.05, -0.06], paper: { value: 'x', source: 'P', effect: 0.5 } }));
  assert.equal(wrong.holds, false);
  assert.equal(wrong.power.underpowered, false);
});

test('MDE matches the textbook formula and shrinks with sqrt(n)', () => {
  // (t_{.975,4} + t_{.8,4}) * sd / sqrt(5) = (2.776445 + 0.940965) * 1 / 2.236068
  assert.ok(Math.abs(minimumDetectableEffect('greater', 1, 5) - (2.7764451 + 0.9409646) / Math.sqrt(5)) < 1e-6);
  assert.ok(minimumDetectableEffect('greater', 1, 20) < minimumDetectableEffect('greater', 1, 5) / 1.9);
  assert.equal(seedsNeeded('greater', 1, 0), null);
  const n = seedsNeeded('greater', 0.05, 0.05)!;
  assert.ok(minimumDetectableEffect('greater', 0.05, n) <= 0.05 && minimumDetectableEffect('greater', 0.05, n - 1) > 0.05);
});

test('a margin kind without a margin, a margin <= 0 or without a reason, and fewer than 3 seeds are errors naming the claim', () => {
  assert.throws(() => evaluateClaim(base({ id: 'no-harm', test: { kind: 'notBelow', than: 0 } as never })), /checkClaim\(no-harm\): kind notBelow needs test.margin/);
  assert.throws(() => evaluateClaim(base({ id: 'neg', test: { kind: 'equivalent', margin: margin(-0.1) } })), /checkClaim\(neg\): test.margin.value must be > 0/);
  assert.throws(() => evaluateClaim(base({ id: 'zero', test: { kind: 'notAbove', margin: margin(0) } })), /margin.value must be > 0/);
  assert.throws(() => evaluateClaim(base({ id: 'why', test: { kind: 'notAbove', margin: { value: 0.1, reason: '' } } })), /checkClaim\(why\): test.margin.reason/);
  assert.throws(() => evaluateClaim(base({ id: 'eff', test: { kind: 'greater', than: 0, margin: margin(0.1) } as never })), /kind greater takes no margin/);
  assert.throws(() => evaluateClaim(base({ id: 'two-seeds', ours: [0.1, 0.2] })), /checkClaim\(two-seeds\): needs at least 3 seeds/);
  assert.throws(() => evaluateClaim(base({ id: 'one', ours: [0.5] })), /needs at least 3 seeds/);
});

test('invalid claims are errors that name the field; an unmet claim is not an error', () => {
  assert.throws(() => evaluateClaim(base({ ours: [] })), /needs at least 3 seeds/);
  assert.throws(() => evaluateClaim(base({ ours: [1, Number.NaN, 2] })), /ours\[1\].*finite/);
  assert.throws(() => evaluateClaim(base({ id: 'has space' })), /id must be/);
  assert.throws(() => evaluateClaim(base({ test: { kind: 'bigger', than: 0 } as never })), /test.kind must be one of greater, less, notBelow, notAbove, equivalent/);
  assert.throws(() => evaluateClaim(base({ test: { kind: 'notGreater', than: 0 } as never })), /test.kind must be one of/);
  assert.throws(() => evaluateClaim(base({ test: { kind: 'equivalent', than: 0, margin: margin(0.1) } as never })), /test.than does not apply to kind equivalent/);
  assert.doesNotThrow(() => evaluateClaim(base({ ours: [-1, -2, -3] })));
});

test('the table and JSON show the kind, the margin with its reason, and the MDE', () => {
  const r = evaluateClaim(base({ test: { kind: 'notBelow', than: 0, margin: margin(0.03) } }));
  const html = String(claimBundle(r)['text/html']);
  assert.match(html, /not below 0 by more than 0.03/);
  assert.match(html, /half the effect the paper reports/);
  assert.match(html, /MDE \d/);
  const json = JSON.parse(JSON.stringify(claimToJson(r))) as { power: { mde: number }; test: { margin: { value: number } } };
  assert.ok(json.power.mde > 0);
  assert.equal(json.test.margin.value, 0.03);
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
