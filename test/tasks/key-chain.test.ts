import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { KeyChainTask, type KeyChainProblem } from '../../src/tasks/key-chain.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { generateHeldOutSet, isHeldOut, sampleTrainProblem } from '../../src/tasks/dataset.js';

// The module comment's example: 6 nodes, cycle c -> f -> a -> e -> b -> d -> c, listed in a shuffled order.
const idx = (s: string) => [...s].map((c) => c.charCodeAt(0) - 97);
const next = new Array<number>(6);
for (const [x, y] of ['cf', 'fa', 'ae', 'eb', 'bd', 'dc']) next[idx(x!)[0]!] = idx(y!)[0]!;
const p: KeyChainProblem = { next, order: idx('cadfbe'), start: 2, hops: 3 };
const answerTask = new KeyChainTask({ nodes: 6 });
const traceTask = new KeyChainTask({ nodes: 6, format: 'trace' });

test('key-chain renders the worked example: prompt, walk, trace and answer targets, curriculum suffixes', () => {
  assert.equal(answerTask.prompt(p), 'cf,ae,dc,fa,bd,eb|3c');
  assert.deepEqual(answerTask.walk(p), idx('fae'));
  assert.equal(answerTask.target(p), 'e');
  assert.equal(traceTask.target(p), 'fae');
  assert.deepEqual([0, 1, 2].map((d) => traceTask.traceAfter(p, d)), ['fae', 'ae', 'e']);
  assert.throws(() => traceTask.traceAfter(p, 3), /dropped must be an integer in \[0, 2\], got 3/);
  assert.deepEqual(answerTask.answers(p), ['e']);
  assert.equal(answerTask.key(p), traceTask.key(p));
  assert.equal(answerTask.key(p), 'edfcba:c3');
  assert.equal(answerTask.name, 'key-chain-n6-h1234');
  assert.equal(traceTask.name, 'key-chain-n6-h1234-trace');
});

test('key-chain evaluate: the last written node is the answer; partial traces are checked; other text is unparsable', () => {
  for (const task of [answerTask, traceTask]) {
    assert.deepEqual(task.evaluate(p, 'e'), { correct: true, answer: 'e', hops: 3, written: 1, traceCorrect: null });
    assert.deepEqual(task.evaluate(p, 'fae'), { correct: true, answer: 'e', hops: 3, written: 3, traceCorrect: true });
    assert.deepEqual(task.evaluate(p, 'ae'), { correct: true, answer: 'e', hops: 3, written: 2, traceCorrect: true });
    assert.deepEqual(task.evaluate(p, 'fbe'), { correct: true, answer: 'e', hops: 3, written: 3, traceCorrect: false });
    assert.deepEqual(task.evaluate(p, 'fa'), { correct: false, answer: 'a', hops: 3, written: 2, traceCorrect: false });
    assert.equal(task.evaluate(p, 'f').correct, false);
    for (const bad of ['', 'faeb', 'g', 'E', 'fa,e', '3', 'e=']) assert.equal(task.evaluate(p, bad).answer, null, JSON.stringify(bad));
  }
});

test('key-chain samples: one cycle through every node, walks never revisit a node, targets evaluate as correct', () => {
  const task = new KeyChainTask({ format: 'trace' });
  const tok = Tokenizer.forTasks([task, new KeyChainTask()]);
  const rng = new Rng(1);
  const hopCounts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (let i = 0; i < 2000; i++) {
    const q = task.sample(rng);
    hopCounts.set(q.hops, (hopCounts.get(q.hops) ?? 0) + 1);
    const walk = task.walk(q);
    assert.equal(new Set([q.start, ...walk]).size, q.hops + 1, 'a walk visits distinct nodes');
    assert.equal(new Set(q.order).size, 8);
    assert.deepEqual(task.fromJSON(JSON.parse(JSON.stringify(task.toJSON(q)))), q);
    const e = task.evaluate(q, task.target(q));
    assert.ok(e.correct && e.traceCorrect !== false && e.written === q.hops);
    tok.encode(task.prompt(q) + task.target(q)); // every character is in the alphabet
    assert.equal(task.prompt(q).length, 3 * 8 - 1 + 3, 'every prompt has the same length');
    ends.set(walk.at(-1)!, (ends.get(walk.at(-1)!) ?? 0) + 1);
  }
  assert.deepEqual([...hopCounts.keys()].sort(), [1, 2, 3, 4]);
  for (const [h, n] of hopCounts) assert.ok(n > 400 && n < 600, `hops ${h}: ${n} of 2000`);
  for (const [x, n] of ends) assert.ok(n > 180 && n < 320, `answer ${x}: ${n} of 2000`); // ~uniform over 8 nodes
  const only2 = new KeyChainTask({ hops: [2] });
  for (let i = 0; i < 50; i++) assert.equal(only2.sample(rng).hops, 2);
  assert.equal(task.sampleWithHops(rng, 3).hops, 3);
  assert.throws(() => only2.sampleWithHops(rng, 3), /hops must be one of 2, got 3/);
});

test('key-chain held-out split: same key in both formats and every edge order; training never draws held-out keys', () => {
  const rng = new Rng(2);
  const held = new Set(generateHeldOutSet(answerTask, 5, 100).map((q) => answerTask.key(q)));
  for (let i = 0; i < 500; i++) assert.ok(!held.has(answerTask.key(sampleTrainProblem(answerTask, rng))));
  const q = answerTask.sample(rng);
  const reordered = { ...q, order: [...q.order].reverse() };
  assert.equal(answerTask.key(reordered), answerTask.key(q));
  assert.equal(isHeldOut(traceTask, reordered), isHeldOut(answerTask, q));
});

test('key-chain config and JSON errors name the field', () => {
  assert.throws(() => new KeyChainTask({ nodes: 2 }), /nodes must be an integer in \[3, 26\], got 2/);
  assert.throws(() => new KeyChainTask({ nodes: 4, hops: [4] }), /hops entries must be integers in \[1, 3\] for 4 nodes, got 4/);
  assert.throws(() => new KeyChainTask({ hops: [] }), /at least one hop count/);
  assert.throws(() => new KeyChainTask({ hops: [1, 1] }), /lists a count twice/);
  assert.throws(() => new KeyChainTask({ format: 'cot' as 'trace' }), /format must be "trace" or "answer"/);
  assert.throws(() => new KeyChainTask({ depth: 2 } as never), /unknown config key depth/);
  const j = answerTask.toJSON(p) as Record<string, unknown>;
  assert.throws(() => answerTask.fromJSON({ ...j, hops: 5 }), /field hops must be an integer in \[1, 9\]|field hops must be one of/);
  assert.throws(() => answerTask.fromJSON({ ...j, next: 'badcfe' }), /field next must be one cycle through all 6 nodes/);
  assert.throws(() => answerTask.fromJSON({ ...j, next: 'aadcfe' }), /field next must spell each of the letters abcdef once/);
  assert.throws(() => answerTask.fromJSON({ ...j, order: 'abc' }), /field order must spell/);
  assert.throws(() => answerTask.fromJSON({ ...j, start: 'z' }), /field start must be one of the letters abcdef/);
});
