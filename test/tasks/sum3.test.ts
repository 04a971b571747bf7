import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { Sum3Task } from '../../src/tasks/sum3.js';
import { checkExample } from '../../src/tasks/check.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { isHeldOut } from '../../src/tasks/dataset.js';

const task = new Sum3Task();
const p = { digits: [3, 8, 1, 9, 2, 7], target: 12 };

test('sum3 renders the worked example and lists every valid answer', () => {
  assert.equal(task.prompt(p), '381927,12=');
  assert.deepEqual(task.answers(p), ['129', '138', '237']);
  assert.equal(task.checkPrompt(p, '138'), '?381927,12,138=');
  assert.equal(task.key(p), '381927:12');
});

test('sum3 evaluate is strict: ascending, in the list, right sum, three digits', () => {
  assert.deepEqual(task.evaluate(p, '138'), { correct: true, answer: '138' });
  assert.equal(task.evaluate(p, '318').correct, false); // not ascending
  assert.equal(task.evaluate(p, '156').correct, false); // 5, 6 not in the list
  assert.equal(task.evaluate(p, '129').correct, true);
  assert.equal(task.evaluate(p, '1290').answer, null);
  assert.equal(task.evaluate(p, '').answer, null);
});

test('sum3 samples always have an answer, and targets are valid', () => {
  const rng = new Rng(1);
  for (let i = 0; i < 300; i++) {
    const q = task.sample(rng);
    assert.equal(new Set(q.digits).size, 6);
    const t = task.target(q, rng);
    assert.ok(task.evaluate(q, t).correct, `${task.prompt(q)} ${t}`);
    assert.deepEqual(task.fromJSON(task.toJSON(q)), q);
  }
  assert.throws(() => task.fromJSON({ digits: '112345', target: 9 }), /digits/);
  assert.throws(() => task.fromJSON({ digits: '123456', target: 2 }), /target/);
});

test('sum3 CHECK examples: verdicts from the true checker, a mix of Y and N, noise mostly wrong', () => {
  const rng = new Rng(2);
  const tok = Tokenizer.forTasks([task]);
  let yes = 0;
  let noiseCorrect = 0;
  for (let i = 0; i < 1000; i++) {
    const q = task.sample(rng);
    const ex = checkExample(task, q, rng);
    const cand = ex.prompt.slice(ex.prompt.lastIndexOf(',') + 1, -1);
    assert.equal(ex.completion, task.evaluate(q, cand).correct ? 'Y' : 'N');
    tok.encode(ex.prompt); // every character is in the alphabet
    if (ex.completion === 'Y') yes++;
    if (task.evaluate(q, task.noiseCandidate(q, rng)).correct) noiseCorrect++;
  }
  assert.ok(yes > 450 && yes < 700, `yes ${yes}`);
  assert.ok(noiseCorrect < 250, `noise correct ${noiseCorrect}`);
});

test('sum3 CHECK renderings share the question key (held-out splits keep them out)', () => {
  const rng = new Rng(3);
  const q = task.sample(rng);
  // key(p) ignores the candidate, so the CHECK rendering falls on the same side of the split as the question.
  assert.equal(isHeldOut(task, q), isHeldOut(task, { digits: [...q.digits], target: q.target }));
});
