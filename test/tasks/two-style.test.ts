/**
 * The two-style addition task: both styles render and parse, evaluate reports the style, carry-dropped documents
 * are wrong exactly on problems with a carry, and a corpus follows its mixture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { expectedStyleAccuracy, twoStyleExamples, TwoStyleAdditionTask } from '../../src/tasks/two-style.js';

const task = new TwoStyleAdditionTask({ digits: 2 });

test('both styles render, tokenize and evaluate as correct', () => {
  const p = { a: 47, b: 85 };
  assert.equal(task.prompt(p), '47+85=');
  assert.equal(task.completion(p, 'A', false), '<a>12,13:231');
  assert.equal(task.completion(p, 'B', false), '<b>231');
  const tok = Tokenizer.forTasks([task]);
  assert.equal(tok.encode('<a>12,13:231').length, 1 + 9);
  assert.ok(task.maxCompletionTokens >= 10);
  assert.deepEqual(task.evaluate(p, '<a>12,13:231'), { correct: true, answer: '132', style: 'A', traceCorrect: true });
  assert.deepEqual(task.evaluate(p, '<b>231'), { correct: true, answer: '132', style: 'B', traceCorrect: null });
});

test('carry-dropped completions are wrong on carry problems only; bad formats are unparsable', () => {
  const p = { a: 47, b: 85 };
  assert.equal(task.completion(p, 'A', true), '<a>12,12:22');
  assert.equal(task.completion(p, 'B', true), '<b>22');
  assert.equal(task.evaluate(p, '<a>12,12:22').correct, false);
  assert.equal(task.evaluate(p, '<a>12,12:22').traceCorrect, false);
  assert.equal(task.completion({ a: 5, b: 5 }, 'B', true), '<b>0');
  const q = { a: 12, b: 34 };
  assert.equal(task.hasCarry(q), false);
  assert.equal(task.completion(q, 'A', true), task.completion(q, 'A', false));
  assert.equal(task.evaluate(p, '132').style, null);
  assert.equal(task.evaluate(p, '<a>231').answer, null);
  assert.equal(task.evaluate(p, '<b>2310').answer, null, 'a leading zero of the sum (written last) is a format error');
  assert.throws(() => new TwoStyleAdditionTask({ digits: 0 }), /digits must be an integer in \[1, 7\]/);
});

test('a corpus follows its mixture, and the expected accuracies follow from the carry-drop rates', () => {
  const mixture = { pA: 0.65, dropA: 0.4, dropB: 0.95 };
  const ex = twoStyleExamples(task, mixture, new Rng(1), 4000);
  const evals = ex.map((e) => {
    const [a, b] = e.prompt.slice(0, -1).split('+').map(Number);
    return task.evaluate({ a: a!, b: b! }, e.completion);
  });
  const nA = evals.filter((e) => e.style === 'A').length;
  assert.ok(Math.abs(nA / 4000 - 0.65) < 0.03, `A fraction ${nA / 4000}`);
  const exp = expectedStyleAccuracy(task, mixture);
  assert.ok(Math.abs(exp.accA - (0.3025 + 0.6975 * 0.6)) < 1e-9, `accA ${exp.accA}`);
  const accA = evals.filter((e) => e.style === 'A' && e.correct).length / nA;
  assert.ok(Math.abs(accA - exp.accA) < 0.04, `corpus accA ${accA} vs ${exp.accA}`);
  assert.throws(() => twoStyleExamples(task, { pA: 1.5, dropA: 0, dropB: 0 }, new Rng(1), 1), /mixture\.pA must be a number in \[0, 1\]/);
});

test('a problem-dependent mixture (pACarry) puts A on carry problems only when asked', () => {
  const ex = twoStyleExamples(task, { pA: 0, dropA: 0, dropB: 0, pACarry: 1 }, new Rng(2), 500);
  for (const e of ex) {
    const [a, b] = e.prompt.slice(0, -1).split('+').map(Number);
    const p = { a: a!, b: b! };
    assert.equal(task.evaluate(p, e.completion).style, task.hasCarry(p) ? 'A' : 'B', e.prompt);
  }
  const exp = expectedStyleAccuracy(task, { pA: 0, dropA: 0, dropB: 1, pACarry: 1 });
  assert.ok(Math.abs(exp.pA - 0.6975) < 1e-9 && exp.accA === 1 && exp.accB === 1 && exp.accuracy === 1, JSON.stringify(exp));
  assert.throws(() => twoStyleExamples(task, { pA: 0, dropA: 0, dropB: 0, pACarry: -1 }, new Rng(1), 1), /mixture\.pACarry must be a number in \[0, 1\]/);
});
