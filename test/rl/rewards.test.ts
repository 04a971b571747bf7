import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { meanCI } from '../../src/eval/stats.js';
import { withConfidence } from '../../src/tasks/confidence.js';
import type { Evaluation, Task } from '../../src/tasks/task.js';
import {
  createReward,
  intrinsicReward,
  type EvaluatingTask,
  type RewardRollout,
} from '../../src/rl/rewards.js';

/** A stub task: the problem is the right answer; a completion "= X" answers X; anything else is unparsable. */
const task: EvaluatingTask<string> = {
  evaluate(p, completion) {
    const m = /^= (\d+)$/.exec(completion);
    if (m === null) return { correct: false, answer: null };
    return { correct: m[1] === p, answer: m[1]! };
  },
};

function rollout(completions: string[], extra: Partial<RewardRollout<string>> = {}): RewardRollout<string> {
  return {
    problems: ['7', '12'],
    groupSize: 2,
    completions,
    lengths: Int32Array.from(completions, () => 2),
    maxNewTokens: 3,
    ...extra,
  };
}

test('verifiable and format rewards come from the task', () => {
  const r = rollout(['= 7', 'x', '= 3', '= 12']);
  const v = createReward({ name: 'verifiable', task }).compute(r);
  assert.deepEqual([...v.rewards], [1, 0, 0, 1]);
  assert.deepEqual([...v.correct!], [1, 0, 0, 1]);
  assert.deepEqual([...v.parts['formatted']!], [1, 0, 1, 1]);
  const f = createReward({ name: 'format', task }).compute(r);
  assert.deepEqual([...f.rewards], [1, 0, 1, 1]);
});

test('rewards never swallow task errors', () => {
  const broken: EvaluatingTask<string> = {
    evaluate() {
      throw new Error('parser bug');
    },
  };
  assert.throws(() => createReward({ name: 'verifiable', task: broken }).compute(rollout(['a', 'b', 'c', 'd'])), /parser bug/);
});

test('random reward: Bernoulli(gamma), seeded, independent of content', () => {
  const make = () => createReward({ name: 'random', gamma: 0.3, rng: new Rng(5), task });
  const a = make().compute(rollout(['= 7', '= 8', '= 12', '= 12']));
  const b = make().compute(rollout(['x', 'y', 'z', 'w']));
  assert.deepEqual([...a.rewards], [...b.rewards], 'same seed, different completions, same rewards');
  assert.deepEqual([...a.correct!], [1, 0, 1, 1]);
  // Rate over many draws is gamma within its CI.
  const reward = createReward({ name: 'random', gamma: 0.3, rng: new Rng(9) });
  const rates: number[] = [];
  for (let s = 0; s < 200; s++) rates.push(meanCI(reward.compute(rollout(['a', 'b', 'c', 'd'])).rewards).mean);
  const ci = meanCI(rates);
  assert.ok(ci.lo < 0.3 && 0.3 < ci.hi, `rate CI [${ci.lo}, ${ci.hi}] should contain 0.3`);
  const zero = createReward({ name: 'random', gamma: 0, rng: new Rng(1) }).compute(rollout(['a', 'b', 'c', 'd']));
  assert.deepEqual([...zero.rewards], [0, 0, 0, 0]);
  assert.throws(() => createReward({ name: 'random', gamma: 1.5, rng: new Rng(1) }), /gamma must be in \[0, 1\]/);
});

test('incorrect-label reward pays the fixed wrong label only', () => {
  const reward = createReward({ name: 'incorrect-label', task, wrongLabel: (p: string) => String(Number(p) + 1) });
  const out = reward.compute(rollout(['= 8', '= 7', '= 13', 'x']));
  assert.deepEqual([...out.rewards], [1, 0, 1, 0]);
  assert.deepEqual([...out.correct!], [0, 1, 0, 0]);
  const bad = createReward({ name: 'incorrect-label', task, wrongLabel: (p: string) => p });
  assert.throws(() => bad.compute(rollout(['= 7', 'x', 'x', 'x'])), /wrong label "7" of prompt 0 is judged correct/);
});

test('intrinsic rewards: token mean and sum over each output', () => {
  // 4 samples x maxNew 3; lengths 1, 2, 3, 2 (values past the length must be ignored).
  const lengths = Int32Array.from([1, 2, 3, 2]);
  const entropies = Float32Array.from([0.5, 9, 9, 1, 3, 9, 1, 1, 4, 0, 2, 9]);
  const logProbs = Float32Array.from([-1, 9, 9, -2, -4, 9, -1, -1, -1, -3, -1, 9]);
  const selfCertainty = Float32Array.from([2, 9, 9, 1, 1, 9, 0, 3, 3, 4, 4, 9]);
  const r = rollout(['= 7', 'x', 'x', '= 12'], { lengths, entropies, logProbs, selfCertainty });
  const near = (a: ArrayLike<number>, b: number[]) => b.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-6, `[${i}] ${a[i]} vs ${v}`));
  near(createReward({ name: 'token-entropy', task }).compute(r).rewards, [-0.5, -2, -2, -1]);
  near(createReward({ name: 'token-entropy', normalisation: 'sum' }).compute(r).rewards, [-0.5, -4, -6, -2]);
  near(createReward({ name: 'trajectory-likelihood' }).compute(r).rewards, [-1, -3, -1, -2]);
  near(createReward({ name: 'self-certainty' }).compute(r).rewards, [2, 1, 2, 4]);
  assert.deepEqual([...createReward({ name: 'self-certainty', task }).compute(r).correct!], [1, 0, 0, 1]);
});

test('intrinsic rewards reject missing arrays, empty outputs and NaN', () => {
  const r = rollout(['a', 'b', 'c', 'd']);
  assert.throws(() => intrinsicReward('token-entropy').compute(r), /needs rollout.entropies/);
  const zeroLen = rollout(['a', 'b', 'c', 'd'], { lengths: Int32Array.from([0, 1, 1, 1]), entropies: new Float32Array(12) });
  assert.throws(() => intrinsicReward('token-entropy').compute(zeroLen), /sample 0 has \|o\| = 0/);
  assert.equal(intrinsicReward('token-entropy', { normalisation: 'sum' }).compute(zeroLen).rewards[0], -0);
  const nan = new Float32Array(12);
  nan[4] = NaN;
  assert.throws(() => intrinsicReward('token-entropy').compute(rollout(['a', 'b', 'c', 'd'], { entropies: nan })), /entropies\[1, 1\] = NaN/);
  assert.throws(() => intrinsicReward('self-certainty', { normalisation: 'mean' as never }), /normalisation must be one of token-mean, sum/);
});

test('registry and layout errors', () => {
  assert.throws(() => createReward({ name: 'majority' } as never), /unknown reward "majority"; valid names are verifiable, format, random/);
  const bad = { ...rollout(['a', 'b', 'c']), lengths: Int32Array.from([1, 1, 1]) };
  assert.throws(() => createReward({ name: 'verifiable', task }).compute(bad), /completions.length=3 must equal problems.length\*groupSize=4/);
});

// Confidence rewards on a wrapped stub task: problem '7' is answered by "= 7"; the suffix <cK> states (K + 0.5) / 10.
const confTask = withConfidence<string, Evaluation, Task<string>>({
  name: 'stub',
  generatorVersion: 1,
  alphabet: '= 0123456789',
  specials: [],
  sample: () => '7',
  prompt: (p) => p,
  target: (p) => `= ${p}`,
  evaluate: (p, c) => task.evaluate(p, c),
  key: (p) => p,
  toJSON: (p) => p,
  fromJSON: (j) => String(j),
});

function confRollout(completions: string[]): RewardRollout<string> {
  return { problems: ['7', '12'], groupSize: 2, completions, lengths: Int32Array.from(completions, () => 3), maxNewTokens: 3 };
}

// right+c9, wrong+c9 | right+c0, wrong with no confidence
const CONF = confRollout(['= 7<c9>', '= 3<c9>', '= 12<c0>', '= 4']);

test('binary-answer: 1[correct] only; the confidence token, present or not, changes nothing', () => {
  const r = createReward({ name: 'binary-answer', task: confTask }).compute(CONF);
  assert.deepEqual([...r.rewards], [1, 0, 1, 0]);
  assert.deepEqual([...r.correct!], [1, 0, 1, 0]);
  assert.deepEqual([...r.parts['hasConfidence']!], [1, 1, 1, 0]);
  const brier = [...r.parts['brier']!];
  [0.0025, 0.9025, 0.9025, 1].forEach((b, i) => assert.ok(Math.abs(brier[i]! - b) < 1e-6, `brier[${i}] ${brier[i]}`));
  assert.deepEqual([...createReward({ name: 'binary-answer', task: confTask }).compute(confRollout(['= 7', '= 3', '= 12', '= 4'])).rewards], [1, 0, 1, 0]);
});

test('binary-with-confidence: 1 when right and some confidence was stated, whatever its value', () => {
  const r = createReward({ name: 'binary-with-confidence', task: confTask }).compute(confRollout(['= 7<c9>', '= 7', '= 12<c0>', '= 4<c9>']));
  assert.deepEqual([...r.rewards], [1, 0, 1, 0]);
  // "always <c9>" is free: <c0> and <c9> on a right answer earn the same.
  const a = createReward({ name: 'binary-with-confidence', task: confTask }).compute(confRollout(['= 7<c9>', '= 7<c0>', '= 12<c5>', '= 12<c9>']));
  assert.deepEqual([...a.rewards], [1, 1, 1, 1]);
});

test('rlcr: 1[c] - (q - 1[c])^2, a missing confidence scores as the worst one', () => {
  const r = createReward({ name: 'rlcr', task: confTask }).compute(CONF);
  const want = [1 - 0.05 ** 2, -(0.95 ** 2), 1 - 0.95 ** 2, -1];
  [...r.rewards].forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-6, `reward[${i}] ${x} vs ${want[i]}`));
  // The expected reward of a prompt solved with probability 0.3 is highest at the bin nearest 0.3 (a proper rule).
  const expected = (k: number) => 0.3 * (1 - (1 - (k + 0.5) / 10) ** 2) + 0.7 * -(((k + 0.5) / 10) ** 2);
  const best = [...Array(10).keys()].reduce((b, k) => (expected(k) > expected(b) ? k : b), 0);
  assert.equal(best, 2, 'bin 2 (q = 0.25) or 3 (0.35) straddle 0.3; 0.25 is nearer');
});

test('rlcr-group-rate: the target is the success rate of the other samples of the prompt', () => {
  // Prompt '7', G = 4: verdicts 1, 1, 0, 1. Leave-one-out rates: 2/3, 2/3, 1, 2/3.
  const r4: RewardRollout<string> = {
    problems: ['7'],
    groupSize: 4,
    completions: ['= 7<c6>', '= 7<c9>', '= 1<c9>', '= 7'],
    lengths: Int32Array.from([3, 3, 3, 2]),
    maxNewTokens: 3,
  };
  const r = createReward({ name: 'rlcr-group-rate', task: confTask }).compute(r4);
  const want = [1 - (0.65 - 2 / 3) ** 2, 1 - (0.95 - 2 / 3) ** 2, 0 - (0.95 - 1) ** 2, 1 - (0 - 2 / 3) ** 2];
  [...r.rewards].forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-6, `reward[${i}] ${x} vs ${want[i]}`));
  assert.throws(
    () => createReward({ name: 'rlcr-group-rate', task: confTask }).compute({ ...r4, problems: ['7', '7', '7', '7'], groupSize: 1 }),
    /groupSize must be >= 2/,
  );
});

test('confidence rewards reject a task without a confidence field', () => {
  for (const name of ['binary-answer', 'rlcr'] as const) {
    const plain = { evaluate: (p: string, c: string) => ({ ...task.evaluate(p, c), confidence: 2 }) } as never;
    assert.throws(() => createReward({ name, task: plain }).compute(CONF), /confidence 2; it must be null or in \[0, 1\]/);
    assert.throws(() => createReward({ name, task: task as never }).compute(CONF), /confidence undefined.*wrap the task with withConfidence/);
  }
});
