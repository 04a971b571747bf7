import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy } from '../../src/eval/accuracy.js';
import { rocAuc } from '../../src/eval/auroc.js';
import { brierScore, calibrationSummary, confidentWrongShare, expectedCalibrationError } from '../../src/eval/calibration.js';
import { distinctCorrectAnswers } from '../../src/eval/diversity.js';

test('accuracy', () => {
  assert.equal(accuracy([true, false, true, true]), 0.75);
  assert.equal(accuracy(new Uint8Array([0, 0, 1, 0])), 0.25);
  assert.throws(() => accuracy([]), /empty/);
  assert.throws(() => accuracy([2]), /correct\[0\] must be a boolean or 0\/1/);
});

test('Brier score', () => {
  assert.equal(brierScore([1, 0], [1, 0]), 0);
  assert.equal(brierScore([0.5, 0.5], [1, 0]), 0.25);
  assert.ok(Math.abs(brierScore([0.9, 0.2, 0.6], [true, false, false]) - (0.01 + 0.04 + 0.36) / 3) < 1e-12);
  assert.throws(() => brierScore([1.2], [1]), /confidence\[0\] must be in \[0, 1\]/);
  assert.throws(() => brierScore([0.5], [1, 0]), /lengths differ/);
});

test('expected calibration error', () => {
  // Perfectly calibrated: confidence 0.25 with 1/4 right, 0.75 with 3/4 right.
  const q = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
  const c = [1, 0, 0, 0, 1, 1, 1, 0];
  assert.ok(expectedCalibrationError(q, c).ece < 1e-12);
  // Always 0.9 confident, half right: ECE 0.4.
  const over = expectedCalibrationError([0.9, 0.9, 0.9, 0.9], [1, 0, 1, 0]);
  assert.ok(Math.abs(over.ece - 0.4) < 1e-12);
  assert.equal(over.bins[9]!.count, 4);
  // Confidence exactly 1 falls in the last bin.
  assert.equal(expectedCalibrationError([1], [1], 5).bins[4]!.count, 1);
  assert.throws(() => expectedCalibrationError([0.5], [1], 0), /bins must be an integer >= 1/);
});

test('distinct correct answers per prompt', () => {
  const answers = ['3', '3', '5', null, '1', '2', '7', '7'];
  const correct = [1, 1, 1, 0, 0, 1, 1, 0];
  assert.deepEqual([...distinctCorrectAnswers(answers, correct, 4)], [2, 2]);
  assert.throws(() => distinctCorrectAnswers(['1', null], [1, 1], 2), /sample 1 is correct but its answer is null/);
  assert.throws(() => distinctCorrectAnswers(['1', '2', '3'], [1, 1, 1], 2), /not a multiple/);
});

test('rocAuc: perfect, reversed, ties count half, one class is NaN, a hand-counted case', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
  assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]), 0);
  assert.equal(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  assert.ok(Number.isNaN(rocAuc([1, 1], [0.1, 0.2])));
  // Positives at 0.9, 0.4; negatives at 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1) -> 3/4.
  assert.equal(rocAuc([1, 0, 1, 0], [0.9, 0.5, 0.4, 0.1]), 0.75);
  assert.throws(() => rocAuc([1, 0], [0.5]), /differ in length/);
});

test('confidentWrongShare: the share of wrong answers stated at >= 0.9 (with 10 bins: <c9>)', () => {
  // Wrong answers at 0.95, 0.85, 0.95, 0.05; right ones do not count.
  assert.equal(confidentWrongShare([0.95, 0.85, 0.95, 0.05, 0.95], [0, 0, 0, 0, 1]), 0.5);
  assert.ok(Number.isNaN(confidentWrongShare([0.95], [1])));
  assert.equal(confidentWrongShare([0.85, 0.75], [0, 0], 0.8), 0.5);
  assert.throws(() => confidentWrongShare([0.5], [0], 2), /threshold must be in \[0, 1\]/);
});

test('calibrationSummary: always-<c9> guessing on a half-solvable set is overconfident, a calibrated one is not', () => {
  const correct = [1, 1, 1, 1, 0, 0, 0, 0];
  const guess = calibrationSummary(new Array(8).fill(0.95), correct);
  assert.equal(guess.accuracy, 0.5);
  assert.ok(Math.abs(guess.ece - 0.45) < 1e-12 && Math.abs(guess.overconfidence - 0.45) < 1e-12);
  assert.ok(Math.abs(guess.brier - (0.05 ** 2 + 0.95 ** 2) / 2) < 1e-12);
  assert.equal(guess.auroc, 0.5);
  assert.equal(guess.confidentWrongShare, 1);
  // Right answers at 0.75 (3 of 4 right in that bin), wrong at 0.25 (1 of 4 right): ECE 0, AUROC above 0.5.
  const q = [0.75, 0.75, 0.75, 0.25, 0.75, 0.25, 0.25, 0.25];
  const cal = calibrationSummary(q, correct);
  assert.ok(cal.ece < 1e-12, `ece ${cal.ece}`);
  assert.equal(cal.auroc, (9 + 0.5 * 6) / 16, '9 of 16 positive-negative pairs ordered right, 6 ties');
  assert.equal(cal.confidentWrongShare, 0);
  assert.equal(cal.bins.length, 10);
});
