import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdditionTask, Tokenizer, TwoStyleAdditionTask } from '../../src/tasks/index.js';

test('tokenizer: id layout, round trip and specials', () => {
  const tok = new Tokenizer('0123456789+=', ['<wait>']);
  assert.equal(tok.vocabSize, 3 + 1 + 12);
  assert.equal(tok.id('<pad>'), Tokenizer.PAD);
  assert.equal(tok.id('<bos>'), Tokenizer.BOS);
  assert.equal(tok.id('<eos>'), Tokenizer.EOS);
  assert.equal(tok.id('<wait>'), 3);
  const text = '47+85=12<wait>132<eos>';
  const ids = tok.encode(text);
  assert.deepEqual([...ids.subarray(0, 3)], [8, 11, 4 + 10]);
  assert.equal(ids.length, 13); // each special is one token
  assert.equal(ids[8], 3);
  assert.equal(ids[12], Tokenizer.EOS);
  assert.equal(tok.decode(ids), text);
  assert.equal(tok.decodeCompletion(ids), '47+85=12<wait>132');
  assert.equal(tok.decodeCompletion(tok.encode('12')), '12', 'no EOS: the whole sequence');
  assert.equal(tok.decodeCompletion(tok.encode('<eos>12')), '');
});

test('tokenizer: unknown character and special name the culprit and position', () => {
  const tok = new Tokenizer('0123456789+=');
  assert.throws(() => tok.encode('12a4'), /unknown character "a" \(U\+0061\) at position 2 in "12a4"/);
  assert.throws(() => tok.encode('1<foo>'), /unknown special token "<foo>" at position 1/);
  assert.throws(() => tok.encode('1<eo'), /unknown special token "<eo" at position 1/);
  assert.throws(() => tok.decode([99]), /id 99 is outside the vocabulary \[0, 15\)/);
  assert.throws(() => tok.id('<wait>'), /unknown special "<wait>"/);
});

test('tokenizer: bad construction is a clear error', () => {
  assert.throws(() => new Tokenizer('0120'), /alphabet\[3\] "0" is listed twice/);
  assert.throws(() => new Tokenizer('01<'), /alphabet\[2\] is '<'/);
  assert.throws(() => new Tokenizer(''), /alphabet must be a non-empty string/);
  assert.throws(() => new Tokenizer('01', ['wait']), /specials\[0\] must look like <name>/);
  assert.throws(() => new Tokenizer('01', ['<eos>']), /specials\[0\] <eos> is reserved/);
  assert.throws(() => new Tokenizer('01', ['<a>', '<a>']), /specials\[1\] <a> is listed twice/);
});

test('tokenizer: JSON round trip and forTasks is order independent and small', () => {
  const tok = new Tokenizer('0123456789+=', ['<wait>', '<a>']);
  const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
  assert.ok(back.equals(tok));
  assert.deepEqual([...back.encode('1<a>2')], [...tok.encode('1<a>2')]);
  assert.ok(!tok.equals(new Tokenizer('0123456789+=', ['<a>', '<wait>'])));
  assert.throws(() => Tokenizer.fromJSON({ alphabet: 5, specials: [] }), /field alphabet must be a string/);
  const add = new AdditionTask({ digits: 3, scratchpad: true });
  const mod = new TwoStyleAdditionTask({ digits: 2 });
  const t1 = Tokenizer.forTasks([add, mod]);
  const t2 = Tokenizer.forTasks([mod, add]);
  assert.ok(t1.equals(t2));
  assert.ok(t1.vocabSize <= 32, `vocab ${t1.vocabSize}`);
});
