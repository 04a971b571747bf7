import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { FactsTask } from '../../src/tasks/facts.js';
import { checkExample } from '../../src/tasks/check.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';

test('facts table is seeded, has distinct keys and 2-digit values', () => {
  const a = new FactsTask({ numKeys: 300, tableSeed: 4 });
  const b = new FactsTask({ numKeys: 300, tableSeed: 4 });
  const c = new FactsTask({ numKeys: 300, tableSeed: 5 });
  assert.deepEqual(a.keys, b.keys);
  assert.notDeepEqual(a.keys, c.keys);
  assert.equal(new Set(a.keys).size, 300);
  assert.ok(a.values.every((v) => v >= 10 && v <= 99));
  assert.throws(() => new FactsTask({ numKeys: 5 }), /numKeys/);
});

test('facts renders, evaluates and checks', () => {
  const t = new FactsTask({ numKeys: 50 });
  const p = { index: 7 };
  const k = t.keys[7]!;
  const v = String(t.values[7]);
  assert.equal(t.prompt(p), `${k}=`);
  assert.equal(t.target(p), v);
  assert.equal(t.checkPrompt(p, v), `?${k},${v}=`);
  assert.equal(t.evaluate(p, v).correct, true);
  assert.equal(t.evaluate(p, `0${v}`).answer, null);
  assert.equal(t.key(p), k);
  const tok = Tokenizer.forTasks([t]);
  const rng = new Rng(0);
  let yes = 0;
  for (let i = 0; i < 400; i++) {
    const q = t.sample(rng);
    const ex = checkExample(t, q, rng);
    const cand = ex.prompt.slice(ex.prompt.indexOf(',') + 1, -1);
    assert.equal(ex.completion, t.evaluate(q, cand).correct ? 'Y' : 'N');
    tok.encode(ex.prompt);
    if (ex.completion === 'Y') yes++;
  }
  assert.ok(yes > 160 && yes < 260, `yes ${yes}`);
  assert.throws(() => t.fromJSON({ index: 50 }), /index/);
});
