import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdditionTask, Tokenizer } from '../../src/tasks/index.js';
import { Rng } from '../../src/random.js';

test('addition plain: prompt, target and strict parsing', () => {
  const task = new AdditionTask({ digits: 2 });
  assert.equal(task.name, 'addition-2d');
  const p = { a: 47, b: 85 };
  assert.equal(task.prompt(p), '47+85=');
  assert.equal(task.prompt({ a: 3, b: 4 }), '03+04=');
  assert.equal(task.target(p), '132');
  assert.deepEqual(task.answers(p), ['132']);
  assert.deepEqual(task.evaluate(p, '132'), { correct: true, answer: '132', traceCorrect: null });
  assert.deepEqual(task.evaluate(p, '131'), { correct: false, answer: '131', traceCorrect: null });
  for (const bad of ['', 'garbage', '132+', '132 ', ' 132', '0132', '13:2', '<wait>', '-132']) {
    assert.deepEqual(task.evaluate(p, bad), { correct: false, answer: null, traceCorrect: null }, JSON.stringify(bad));
  }
  assert.deepEqual(task.evaluate({ a: 0, b: 0 }, '0'), { correct: true, answer: '0', traceCorrect: null });
  assert.equal(task.evaluate({ a: 0, b: 0 }, '00').answer, null, 'leading zeros are a format error');
});

test('addition scratchpad: carry trace, answer and trace checked separately', () => {
  const task = new AdditionTask({ digits: 2, scratchpad: true });
  const p = { a: 47, b: 85 };
  assert.equal(task.target(p), '12,13:132');
  assert.equal(new AdditionTask({ digits: 3, scratchpad: true }).target({ a: 3, b: 4 }), '07,00,00:7');
  assert.equal(new AdditionTask({ digits: 3, scratchpad: true }).target({ a: 999, b: 1 }), '10,10,10:1000');
  assert.deepEqual(task.evaluate(p, '12,13:132'), { correct: true, answer: '132', traceCorrect: true });
  assert.deepEqual(task.evaluate(p, '12,12:132'), { correct: true, answer: '132', traceCorrect: false });
  assert.deepEqual(task.evaluate(p, '12,12:122'), { correct: false, answer: '122', traceCorrect: false });
  for (const bad of ['', '132', '12,13:', '12,13:132,', '12,13:0132', '1,13:132', '12,13132', ':132', '12,13:132:']) {
    assert.deepEqual(task.evaluate(p, bad), { correct: false, answer: null, traceCorrect: null }, JSON.stringify(bad));
  }
});

test('addition: every target evaluates correct, sampling is seeded, JSON round trip', () => {
  const rng = new Rng(1);
  for (const cfg of [{ digits: 1 }, { digits: 2 }, { digits: 4, scratchpad: true }]) {
    const task = new AdditionTask(cfg);
    const tok = Tokenizer.forTasks([task]);
    for (let i = 0; i < 300; i++) {
      const p = task.sample(rng);
      const t = task.target(p);
      assert.ok(task.evaluate(p, t).correct, `${task.name} ${task.prompt(p)}${t}`);
      assert.equal(task.evaluate(p, t).answer, String(p.a + p.b));
      tok.encode(task.prompt(p) + t); // alphabet covers the text
      assert.deepEqual(task.fromJSON(JSON.parse(JSON.stringify(task.toJSON(p)))), p);
    }
  }
  const task = new AdditionTask({ digits: 3 });
  const draw = (seed: number) => Array.from({ length: 20 }, ((r) => () => task.sample(r))(new Rng(seed)));
  assert.deepEqual(draw(5), draw(5));
  assert.notDeepEqual(draw(5), draw(6));
});

test('addition: bad config and bad JSON name the field', () => {
  assert.throws(() => new AdditionTask({ digits: 0 }), /digits must be an integer in \[1, 7\], got 0/);
  assert.throws(() => new AdditionTask({ digits: 2.5 }), /digits must be an integer/);
  assert.throws(() => new AdditionTask({ digit: 2 } as never), /unknown config key digit/);
  const task = new AdditionTask({ digits: 2 });
  assert.throws(() => task.fromJSON({ a: 100, b: 1 }), /field a must be an integer in \[0, 99\], got 100/);
  assert.throws(() => task.fromJSON({ a: 1 }), /field b must be an integer/);
  assert.throws(() => task.fromJSON(null), /expected an object/);
});
