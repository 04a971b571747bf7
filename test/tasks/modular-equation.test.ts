import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModularEquationTask, Tokenizer } from '../../src/tasks/index.js';
import { Rng } from '../../src/random.js';

test('modular equation: prompt and hand-checked answers (p = 7)', () => {
  const task = new ModularEquationTask({ p: 7 });
  assert.equal(task.name, 'modeq-p7');
  const q = { a: 3, b: 2 }; // 3*3 = 9 = 2 mod 7
  assert.equal(task.prompt(q), '3*x=2;x=');
  assert.deepEqual(task.answers(q), ['3']);
  assert.equal(task.target(q, new Rng(0)), '3');
  assert.deepEqual(task.evaluate(q, '3'), { correct: true, answer: '3' });
  assert.deepEqual(task.evaluate(q, '4'), { correct: false, answer: '4' });
  assert.deepEqual(task.evaluate(q, '10'), { correct: false, answer: '10' }, '10 = 3 mod 7 but out of range [0, 7)');
  for (const bad of ['', 'x', '3;', '03', '3 ', '+3', '3<eos>', '1e1']) {
    assert.deepEqual(task.evaluate(q, bad), { correct: false, answer: null }, JSON.stringify(bad));
  }
  assert.deepEqual(task.evaluate(q, '9'.repeat(40)), { correct: false, answer: '9'.repeat(40) });
});

test('modular equation: several valid answers are all accepted and targets draw all of them', () => {
  const task = new ModularEquationTask({ p: 7, solutions: 3 });
  assert.equal(task.name, 'modeq-p7-k3');
  const q = { a: 3, b: 2 };
  assert.deepEqual(task.answers(q), ['3', '10', '17']);
  for (const x of ['3', '10', '17']) assert.deepEqual(task.evaluate(q, x), { correct: true, answer: x });
  assert.equal(task.evaluate(q, '24').correct, false, '24 = 3 mod 7 but outside [0, 21)');
  const rng = new Rng(3);
  const drawn = new Set(Array.from({ length: 60 }, () => task.target(q, rng)));
  assert.deepEqual([...drawn].sort(), ['10', '17', '3']);
});

test('modular equation: every answer checks by brute force (p = 97)', () => {
  const task = new ModularEquationTask({ p: 97, solutions: 2 });
  const tok = Tokenizer.forTasks([task]);
  const rng = new Rng(9);
  for (let i = 0; i < 300; i++) {
    const q = task.sample(rng);
    assert.ok(q.a >= 1 && q.a < 97 && q.b >= 0 && q.b < 97);
    const brute = [];
    for (let x = 0; x < 194; x++) if ((q.a * x) % 97 === q.b) brute.push(String(x));
    assert.deepEqual(task.answers(q), brute);
    const t = task.target(q, rng);
    assert.ok(task.evaluate(q, t).correct);
    tok.encode(task.prompt(q) + t);
    assert.deepEqual(task.fromJSON(task.toJSON(q)), q);
  }
});

test('modular equation: bad config and JSON name the field', () => {
  assert.throws(() => new ModularEquationTask({ p: 91 }), /p must be a prime in \[3, 46337\], got 91/);
  assert.throws(() => new ModularEquationTask({ p: 2 }), /p must be a prime/);
  assert.throws(() => new ModularEquationTask({ solutions: 0 }), /solutions must be an integer in \[1, 1000\], got 0/);
  assert.throws(() => new ModularEquationTask({ q: 5 } as never), /unknown config key q/);
  const task = new ModularEquationTask({ p: 97 });
  assert.throws(() => task.fromJSON({ a: 0, b: 1 }), /field a must be an integer in \[1, 96\], got 0/);
});
