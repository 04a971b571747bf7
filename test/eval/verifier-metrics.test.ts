/** rocAuc and gapCurve, the verifier metrics of claim 1, on hand-computed cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gapCurve } from '../../src/eval/gap-curve.js';
import { rocAuc } from '../../src/eval/roc-auc.js';

test('gapCurve: per-prompt rejection sampling, kept fraction, relative gap', () => {
  // prompt 0: samples correct 1,0,0,0 with the verifier trusting only the correct one; prompt 1: nothing kept.
  const correct = [1, 0, 0, 0, 1, 1, 0, 0];
  const pYes = [0.9, 0.2, 0.1, 0.3, 0.4, 0.4, 0.4, 0.4];
  const [c] = gapCurve(correct, pYes, 4, [0.5]);
  // prompt 0: kept acc 1 - plain 0.25 = 0.75; prompt 1: none kept -> 0. Mean 0.375; plain acc 3/8.
  assert.ok(Math.abs(c!.gap - 0.375) < 1e-12);
  assert.ok(Math.abs(c!.kept - 1 / 8) < 1e-12);
  assert.ok(Math.abs(c!.relativeGap - 0.375 / (1 - 3 / 8)) < 1e-12);
  assert.throws(() => gapCurve(correct, pYes, 3, [0.5]), /perPrompt/);
});

test('rocAuc: perfect, reversed, ties, one class', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
  assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]), 0);
  assert.equal(rocAuc([0, 1], [0.5, 0.5]), 0.5);
  assert.ok(Number.isNaN(rocAuc([1, 1], [0.1, 0.2])));
});

test('rocAuc: label and score must have the same length', () => {
  assert.throws(() => rocAuc([0, 1, 1], [0.1, 0.2]), /label \(3\) and score \(2\)/);
});
