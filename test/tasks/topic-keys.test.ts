import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { isHeldOut } from '../../src/tasks/dataset.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { makeBatch } from '../../src/tasks/batch.js';
import {
  ANSWER_LETTERS,
  sampleTopicKeysTrain,
  topicKeysExamples,
  topicKeysHeldOut,
  TopicKeysTask,
} from '../../src/tasks/topic-keys.js';

const task = new TopicKeysTask({ taskSeed: 3 });

test('prompts, answers and evaluate: two valid answers per primary topic, everything else wrong', () => {
  const q = { p: 1, c1: 10, c2: 5 };
  assert.equal(task.prompt(q), 'bkf=');
  const [k1, k2] = task.answers(q);
  assert.notEqual(k1, k2);
  assert.deepEqual(task.evaluate(q, k1!), { correct: true, answer: k1, which: 'key1' });
  assert.deepEqual(task.evaluate(q, k2!), { correct: true, answer: k2, which: 'key2' });
  const wrong = [...ANSWER_LETTERS].find((a) => a !== k1 && a !== k2)!;
  assert.deepEqual(task.evaluate(q, wrong), { correct: false, answer: wrong, which: null });
  for (const bad of ['', 'AB', 'a', '=', `${k1} `]) assert.deepEqual(task.evaluate(q, bad), { correct: false, answer: null, which: null });
  // the answer depends on the primary topic only
  assert.deepEqual(task.answers({ p: 1, c1: 2, c2: 3 }), [k1, k2]);
  // the vocabulary is 32 tokens: PAD BOS EOS + 16 topics + 12 answers + '='
  assert.equal(Tokenizer.forTasks([task]).vocabSize, 32);
});

test('samples are distinct-topic triples; toJSON round-trips and fromJSON names bad fields', () => {
  const rng = new Rng(0);
  for (let i = 0; i < 2000; i++) {
    const q = task.sample(rng);
    assert.ok(q.p !== q.c1 && q.p !== q.c2 && q.c1 !== q.c2, JSON.stringify(q));
    assert.deepEqual(task.fromJSON(task.toJSON(q)), q);
  }
  assert.equal(task.allTriples().length, 16 * 15 * 14);
  assert.throws(() => task.fromJSON({ p: 1, c1: 1, c2: 2 }), /must be distinct/);
  assert.throws(() => task.fromJSON({ p: 16, c1: 1, c2: 2 }), /field p must be an integer in \[0, 15\]/);
  assert.throws(() => new TopicKeysTask({ q1Easy: 0.95 }), /q1Easy/);
  assert.throws(() => new TopicKeysTask({ hardTopics: 17 }), /hardTopics must be an integer in \[0, 16\]/);
  assert.throws(() => new TopicKeysTask({ hardQ1: [0.05, 0.01] }), /hardQ1/);
  assert.throws(() => new TopicKeysTask({ bogus: 1 } as never), /unknown config key bogus/);
});

test('held-out split is by triple: about the fraction, never in training, seen topics in unseen triples', () => {
  const held = topicKeysHeldOut(task);
  const frac = held.length / task.allTriples().length;
  assert.ok(frac > 0.17 && frac < 0.23, `held-out fraction ${frac}`);
  const heldKeys = new Set(held.map((q) => task.key(q)));
  const rng = new Rng(1);
  const seenTopics = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const q = sampleTopicKeysTrain(task, rng);
    assert.ok(!heldKeys.has(task.key(q)), `training drew held-out ${task.key(q)}`);
    seenTopics.add(q.p);
  }
  assert.equal(seenTopics.size, 16, 'every topic is primary in some training triple');
  for (const q of held) assert.ok(isHeldOut(task, q, 0.2));
  // both classes are present in the held-out set
  assert.ok(held.some((q) => task.isHard(q)) && held.some((q) => !task.isHard(q)));
});

test('corpus statistics match q1 and the key2 share; hard topics are rare-correct', () => {
  assert.equal(task.hard.filter(Boolean).length, 5);
  const rng = new Rng(2);
  const ex = topicKeysExamples(task, rng, 40000);
  let easyN = 0, easyK1 = 0, easyK2 = 0, hardN = 0, hardC = 0;
  for (const e of ex) {
    const q = task.fromJSON({ p: 'abcdefghijklmnop'.indexOf(e.prompt[0]!), c1: 'abcdefghijklmnop'.indexOf(e.prompt[1]!), c2: 'abcdefghijklmnop'.indexOf(e.prompt[2]!) });
    const ev = task.evaluate(q, e.completion);
    if (task.isHard(q)) {
      hardN++;
      if (ev.correct) hardC++;
    } else {
      easyN++;
      if (ev.which === 'key1') easyK1++;
      if (ev.which === 'key2') easyK2++;
    }
  }
  const q1 = easyK1 / easyN;
  assert.ok(Math.abs(q1 - 0.45) < 0.015, `easy key1 share ${q1}`);
  assert.ok(Math.abs(easyK2 / easyN - 0.45 / 4.5) < 0.01, `easy key2 share ${easyK2 / easyN}`);
  const hardRate = hardC / hardN;
  const expected = 0.0175 * (1 + 1 / 4.5); // mean of U(0.005, 0.03), plus key2
  assert.ok(Math.abs(hardRate - expected) < 0.006, `hard correct rate ${hardRate}, expected ~${expected}`);
  // the distribution sums to 1 and puts q1 on key1 exactly
  const d = task.corpusDistribution({ p: 0, c1: 1, c2: 2 });
  assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // batches fit the model's 6 input positions
  const b = makeBatch(Tokenizer.forTasks([task]), ex.slice(0, 8), 6);
  assert.equal(b.tokens.length, 48);
});

test('deterministic by seed: same seed same task and corpus, another seed another task', () => {
  const a = new TopicKeysTask({ taskSeed: 3 });
  assert.deepEqual(a.key1, task.key1);
  assert.deepEqual(a.hard, task.hard);
  assert.deepEqual(topicKeysExamples(a, new Rng(5), 50), topicKeysExamples(task, new Rng(5), 50));
  const b = new TopicKeysTask({ taskSeed: 4 });
  assert.notDeepEqual([b.key1, b.key2, b.hard], [task.key1, task.key2, task.hard]);
  assert.notEqual(a.name, new TopicKeysTask({ taskSeed: 3, q1Easy: 0.4 }).name);
});
