import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodePrompts, inputLength, makeBatch, makeThoughtBatch, packBatch, Tokenizer, tokenizeExamples } from '../../src/tasks/index.js';

const tok = new Tokenizer('0123456789+=', ['<wait>']);
const id = (s: string) => [...tok.encode(s)];
const { PAD, BOS, EOS } = Tokenizer;

test('batch: layout, next-token targets and a mask exactly on completion tokens incl. EOS', () => {
  const batch = makeBatch(tok, [{ prompt: '1+2=', completion: '3' }, { prompt: '9+9=', completion: '1<wait>8' }], 8);
  assert.equal(batch.batchSize, 2);
  assert.equal(batch.seqLen, 8);
  const row = (a: ArrayLike<number>, b: number) => [...Array.prototype.slice.call(a, b * 8, b * 8 + 8)];
  // row 0: BOS 1 + 2 = 3 EOS (7 tokens -> 6 inputs)
  assert.deepEqual(row(batch.tokens, 0), [BOS, ...id('1+2=3'), PAD, PAD]);
  assert.deepEqual(row(batch.targets, 0), [...id('1+2=3'), EOS, PAD, PAD]);
  assert.deepEqual(row(batch.mask, 0), [0, 0, 0, 0, 1, 1, 0, 0]);
  // row 1: the special counts as one completion token
  assert.deepEqual(row(batch.tokens, 1), [BOS, ...id('9+9=1<wait>8')]);
  assert.deepEqual(row(batch.targets, 1), [...id('9+9=1<wait>8'), EOS]);
  assert.deepEqual(row(batch.mask, 1), [0, 0, 0, 0, 1, 1, 1, 1]);
  // the mask selects exactly the completion + EOS as targets
  const masked = batch.targets.filter((_, i) => batch.mask[i] === 1);
  assert.deepEqual([...masked], [...id('3'), EOS, ...id('1<wait>8'), EOS]);
  assert.ok(batch.tokens instanceof Int32Array && batch.targets instanceof Int32Array && batch.mask instanceof Float32Array);
});

test('batch: too-long sequence is an error naming its length; exact fit is fine', () => {
  const ex = [{ prompt: '12+34=', completion: '46' }]; // BOS + 6 + 2 + EOS = 10 tokens -> 9 inputs
  assert.equal(inputLength(tokenizeExamples(tok, ex)[0]!), 9);
  assert.equal(makeBatch(tok, ex, 9).tokens.length, 9);
  assert.throws(() => makeBatch(tok, ex, 8), /examples\[0\] needs 9 positions .* more than seqLen 8/);
  assert.throws(() => makeBatch(tok, [], 8), /examples must not be empty/);
  assert.throws(() => makeBatch(tok, ex, 0), /seqLen must be a positive integer, got 0/);
  assert.throws(() => makeBatch(tok, [{ prompt: '1a', completion: '1' }], 8), /unknown character "a"/);
});

test('batch: tokenized rollouts (no EOS when truncated) and generation prompts', () => {
  const [p] = encodePrompts(tok, ['1+2=']);
  assert.deepEqual([...p!], [BOS, ...id('1+2=')]);
  const b = packBatch([{ prompt: p!, completion: Int32Array.from(id('33')) }], 6);
  assert.deepEqual([...b.targets], [...id('1+2=33')]);
  assert.deepEqual([...b.mask], [0, 0, 0, 0, 1, 1]);
  assert.throws(() => packBatch([{ prompt: Int32Array.from(id('1')), completion: Int32Array.from([EOS]) }], 4), /must start with BOS/);
});

test('thought batch: PAD thought slots after each prompt, the last one predicting the completion; zero steps is makeBatch', () => {
  const ex = [{ prompt: '1+2=', completion: '3' }, { prompt: '9=', completion: '18' }];
  const b = makeThoughtBatch(tok, ex, [2, 1], 8);
  const row = (a: ArrayLike<number>, r: number) => [...Array.prototype.slice.call(a, r * 8, r * 8 + 8)];
  assert.deepEqual(row(b.tokens, 0), [BOS, ...id('1+2='), PAD, PAD, ...id('3')]);
  assert.deepEqual(row(b.targets, 0), [...id('1+2='), PAD, PAD, ...id('3'), EOS]);
  assert.deepEqual(row(b.mask, 0), [0, 0, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual(row(b.tokens, 1), [BOS, ...id('9='), PAD, ...id('18'), PAD, PAD]);
  assert.deepEqual(row(b.mask, 1), [0, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual([...b.thoughtStart], [5, 3]);
  assert.deepEqual([...b.thoughtSteps], [2, 1]);
  const { thoughtStart: _s, thoughtSteps: _k, ...plain } = makeThoughtBatch(tok, ex, 0, 8);
  assert.deepEqual(plain, makeBatch(tok, ex, 8));
  assert.throws(() => makeThoughtBatch(tok, ex, [1], 8), /steps has 1 entries, expected one per example \(2\)/);
  assert.throws(() => makeThoughtBatch(tok, ex, -1, 8), /steps\[0\] must be an integer >= 0, got -1/);
  assert.throws(() => makeThoughtBatch(tok, ex, 3, 8), /examples\[0\] needs 9 positions/);
});
