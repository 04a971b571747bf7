import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { makeBatch } from '../../src/tasks/batch.js';
import { trainExamples } from '../../src/tasks/dataset.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { Sum3Task } from '../../src/tasks/sum3.js';
import { TopicKeysTask, ANSWER_LETTERS } from '../../src/tasks/topic-keys.js';
import { confidenceToken, withConfidence } from '../../src/tasks/confidence.js';
import { calibrationTask, isAnswerable } from '../../src/tasks/calibration-mix.js';

const inner = new TopicKeysTask({ taskSeed: 1 });
const task = withConfidence(inner, { bins: 10 });
const q = { p: 1, c1: 10, c2: 5 };
const [k1] = inner.answers(q) as [string, string];
const wrong = [...ANSWER_LETTERS].find((a) => !inner.answers(q).includes(a))!;

test('evaluate: the answer part is judged by the inner task, the final token states the bin centre', () => {
  const right = task.evaluate(q, `${k1}<c7>`);
  assert.equal(right.correct, true);
  assert.equal(right.answer, k1);
  assert.equal(right.confidenceBin, 7);
  assert.ok(Math.abs(right.confidence! - 0.75) < 1e-12);
  assert.equal(right.inner.which, 'key1');
  const w = task.evaluate(q, `${wrong}<c9>`);
  assert.deepEqual([w.correct, w.answer, w.confidence], [false, wrong, 0.95]);
  assert.equal(task.evaluate(q, `${k1}<c0>`).confidence, 0.05);
  // No confidence token: the answer is still judged, the confidence is null.
  const bare = task.evaluate(q, k1);
  assert.deepEqual([bare.correct, bare.confidence, bare.confidenceBin], [true, null, null]);
  // A confidence token that is not last, or out of range, or two of them: not a stated confidence.
  assert.deepEqual([task.evaluate(q, `<c3>${k1}`).correct, task.evaluate(q, `<c3>${k1}`).confidence], [false, null]);
  assert.equal(task.evaluate(q, `${k1}<c10>`).confidence, null);
  assert.equal(task.evaluate(q, `${k1}<c01>`).confidence, null);
  const two = task.evaluate(q, `${k1}<c2><c3>`);
  assert.deepEqual([two.correct, two.answer, two.confidence], [false, null, 0.35]);
});

test('the wrapper keeps prompts, keys, JSON and answers; its tokenizer adds B confidence specials', () => {
  assert.equal(task.prompt(q), inner.prompt(q));
  assert.equal(task.key(q), inner.key(q));
  assert.deepEqual(task.fromJSON(task.toJSON(q)), q);
  assert.deepEqual(task.answers!(q), inner.answers(q));
  assert.equal(task.name, `${inner.name}+conf-b10-s0.3`);
  const tok = Tokenizer.forTasks([task]);
  assert.equal(tok.vocabSize, Tokenizer.forTasks([inner]).vocabSize + 10);
  assert.deepEqual([...tok.encode(`${k1}<c7>`)].length, 2, 'answer and confidence are one token each');
  assert.equal(tok.decodeCompletion(tok.encode(`${k1}<c7><eos>`)), `${k1}<c7>`);
  // Corpus lines fit a batch: BOS + 4 prompt + 2 completion + EOS.
  const ex = trainExamples(task, new Rng(0), 8, inner.config.heldOutFraction);
  assert.equal(makeBatch(tok, ex, 7).batchSize, 8);
});

test('corpus rule: P(upper half | correct) = (1+s)/2, P(upper half | wrong) = (1-s)/2, checked on draws', () => {
  const d = task.corpusDistribution(true);
  const upper = (x: Float64Array) => x.slice(5).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(Math.abs(upper(d) - 0.65) < 1e-12);
  assert.ok(Math.abs(upper(task.corpusDistribution(false)) - 0.35) < 1e-12);
  // s = 0: confidence independent of correctness; s = 1: always in the verdict's half.
  assert.deepEqual([...withConfidence(inner, { corpusLink: 0 }).corpusDistribution(true)], new Array(10).fill(0.1));
  assert.equal(upper(withConfidence(inner, { corpusLink: 1 }).corpusDistribution(false)), 0);
  // Draws follow the rule: every line ends in a confidence token; upper-half shares by verdict near 0.65 / 0.35.
  const rng = new Rng(3);
  const n = { right: 0, rightUpper: 0, wrong: 0, wrongUpper: 0 };
  for (let i = 0; i < 20000; i++) {
    const p = task.sample(rng);
    const e = task.evaluate(p, task.target(p, rng));
    assert.notEqual(e.confidenceBin, null);
    const up = e.confidenceBin! >= 5 ? 1 : 0;
    if (e.correct) (n.right++, (n.rightUpper += up));
    else (n.wrong++, (n.wrongUpper += up));
  }
  const se = (p: number, m: number) => Math.sqrt((p * (1 - p)) / m);
  assert.ok(Math.abs(n.rightUpper / n.right - 0.65) < 4 * se(0.65, n.right), JSON.stringify(n));
  assert.ok(Math.abs(n.wrongUpper / n.wrong - 0.35) < 4 * se(0.35, n.wrong), JSON.stringify(n));
});

test('options are validated and name the field', () => {
  assert.throws(() => withConfidence(inner, { bins: 1 }), /bins must be an integer in \[2, 100\]/);
  assert.throws(() => withConfidence(inner, { corpusLink: 1.5 }), /corpusLink must be in \[0, 1\]/);
  assert.throws(() => withConfidence(inner, { bin: 10 } as never), /unknown option bin/);
  assert.throws(() => withConfidence(task as never), /already uses the special <c0>/);
  assert.throws(() => task.binCentre(10), /k must be an integer in \[0, 10\)/);
  // A task whose corpus is always right (sum3) still wraps: every line is a correct answer.
  const s3 = withConfidence(new Sum3Task());
  const p = s3.sample(new Rng(1));
  assert.equal(s3.evaluate(p, s3.target(p, new Rng(2))).correct, true);
  assert.equal(confidenceToken(4), '<c4>');
});

test('calibration mix: half the topics hard; corpus accuracy ~0.55 on answerable prompts, < 0.04 on the others', () => {
  const mix = calibrationTask();
  assert.equal(mix.inner.hard.filter(Boolean).length, 8);
  const acc = { easy: [] as number[], hard: [] as number[] };
  for (const p of mix.inner.allTriples()) {
    const dist = mix.inner.corpusDistribution(p);
    const right = mix.inner.answers(p).reduce((s, a) => s + dist[ANSWER_LETTERS.indexOf(a)]!, 0);
    (isAnswerable(mix, p) ? acc.easy : acc.hard).push(right);
  }
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  assert.equal(acc.easy.length, acc.hard.length);
  assert.ok(Math.abs(mean(acc.easy) - 0.55) < 1e-9, `easy ${mean(acc.easy)}`);
  assert.ok(Math.max(...acc.hard) < 0.04 && mean(acc.hard) > 0.005, `hard ${mean(acc.hard)}`);
});
