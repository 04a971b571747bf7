/**
 * The wait-scratchpad task: clean traces render and evaluate as correct, wait segments parse and fix, evaluate counts
 * errors by type and fixes, a corpus follows its noise model, and the exploratory segment really varies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random.js';
import { Tokenizer } from '../../src/tasks/tokenizer.js';
import { checkCorpusStyle, waitSegment, waitScratchpadExamples, WaitScratchpadTask, WAIT } from '../../src/tasks/wait-scratchpad.js';

const task = new WaitScratchpadTask({ terms: 4 });
const p = { digits: [8, 3, 1, 5] };

test('clean traces render reversed running sums and evaluate as correct', () => {
  assert.equal(task.prompt(p), '8+3+1+5=');
  assert.equal(task.target(p, new Rng(0)), '11,21,71');
  const e = task.evaluate(p, '11,21,71');
  assert.equal(e.correct, true);
  assert.equal(e.answer, '17');
  assert.equal(e.steps, 3);
  assert.equal(e.carrySteps, 1, '8+3 carries; 11+1 and 12+5 do not');
  assert.equal(e.carryErrors + e.otherErrors + e.waits, 0);
  const tok = Tokenizer.forTasks([task]);
  assert.equal(tok.encode(`11,11${WAIT}0+11+1=21,71`).length, 3 + 2 + 1 + 9 + 3);
  assert.ok(task.maxCompletionTokens >= tok.encode(`11${WAIT}0+8+3=11,`).length * 3 - 1, "room for a wait on every step");
});

test('a wait segment fixes a wrong step; errors are counted by type; unfixed errors propagate', () => {
  // 8+3 with the carry forgotten (1), wait, fixed to 11; then 12, 17
  const fixedCarry = task.evaluate(p, `1${WAIT}3+8+0=11,21,71`);
  assert.deepEqual(
    { c: fixedCarry.correct, ce: fixedCarry.carryErrors, oe: fixedCarry.otherErrors, f: fixedCarry.fixed, w: fixedCarry.waits },
    { c: true, ce: 1, oe: 0, f: 1, w: 1 },
  );
  // a slip on step 2 (12 -> 13) left unfixed: step 3 adds to 13, so the answer is 18 and wrong
  const slip = task.evaluate(p, '11,31,81');
  assert.equal(slip.correct, false);
  assert.equal(slip.answer, '18');
  assert.equal(slip.otherErrors, 1);
  assert.equal(slip.carryErrors, 0, 'step 3 is judged against the written 13, and 13 + 5 = 18 is right locally');
  // a needless check after a right step
  const check = task.evaluate(p, `11${WAIT}8+0+3=11,21,71`);
  assert.equal(check.correct, true);
  assert.equal(check.waitsAfterCorrect, 1);
  assert.equal(check.fixed, 0);
});

test('bad formats are unparsable (wrong, answer null), never thrown', () => {
  for (const bad of ['', '11,21', '11,21,71,81', '11,21,170', `11${WAIT}=21,21,71`, '11,,71', 'x']) {
    const e = task.evaluate(p, bad);
    assert.equal(e.correct, false, bad);
    assert.equal(e.answer, null, bad);
    assert.equal(e.formatted, false, bad);
  }
  assert.throws(() => new WaitScratchpadTask({ terms: 2 }), /terms must be an integer in \[3, 6\]/);
  assert.throws(() => checkCorpusStyle({ forgetCarry: 2, slip: 0, slipMax: 1, waitAfterError: 0, waitAfterCorrect: 0 }), /forgetCarry must be a number in \[0, 1\]/);
  assert.throws(() => task.fromJSON({ digits: [1, 2, 3, 10] }), /must be an integer in \[0, 9\]/);
  assert.deepEqual(task.fromJSON(task.toJSON(p)), p);
});

test('a corpus follows its noise model: errors by type, waits fix them', () => {
  const style = { forgetCarry: 0.6, slip: 0.2, slipMax: 3, waitAfterError: 0.5, waitAfterCorrect: 0.05 };
  const ex = waitScratchpadExamples(task, style, new Rng(3), 4000);
  let carrySteps = 0;
  let carryErr = 0;
  let otherSteps = 0;
  let otherErr = 0;
  let fixed = 0;
  let waits = 0;
  let wrong = 0;
  for (const e of ex) {
    const digits = e.prompt.slice(0, -1).split('+').map(Number);
    const ev = task.evaluate({ digits }, e.completion);
    assert.equal(ev.formatted, true, e.completion);
    carrySteps += ev.carrySteps;
    carryErr += ev.carryErrors;
    otherSteps += ev.steps - ev.carrySteps;
    otherErr += ev.otherErrors;
    fixed += ev.fixed;
    waits += ev.waits;
    if (!ev.correct) wrong++;
  }
  assert.ok(Math.abs(carryErr / carrySteps - 0.6) < 0.03, `carry error rate ${carryErr / carrySteps}`);
  assert.ok(Math.abs(otherErr / otherSteps - 0.2) < 0.03, `other error rate ${otherErr / otherSteps}`);
  assert.ok(Math.abs(fixed / (carryErr + otherErr) - 0.5) < 0.03, `fixed share ${fixed / (carryErr + otherErr)}`);
  assert.ok(waits > fixed && wrong > 0);
  // the instruct style: no waits, the last carry always forgotten, everything else clean
  const instruct = waitScratchpadExamples(task, { forgetCarry: 0, forgetLastCarry: 1, slip: 0, slipMax: 1, waitAfterError: 0, waitAfterCorrect: 0 }, new Rng(4), 500);
  for (const e of instruct) {
    const digits = e.prompt.slice(0, -1).split('+').map(Number);
    const ev = task.evaluate({ digits }, e.completion);
    assert.equal(ev.waits, 0);
    assert.equal(ev.otherErrors, 0);
    const lastCarry = ((digits[0]! + digits[1]! + digits[2]!) % 10) + digits[3]! >= 10;
    assert.equal(ev.correct, !lastCarry, e.completion);
  }
});

test('the segment after <wait> is exploratory: many distinct renderings, always the right value', () => {
  const rng = new Rng(5);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const s = waitSegment(12, 7, rng);
    seen.add(s);
    assert.match(s, /^<wait>[0-9]+\+[0-9]+\+[0-9]+=91$/);
    const parts = s.slice(WAIT.length, s.indexOf('=')).split('+');
    assert.ok(parts.includes('21'), 'the previous sum (reversed) is one of the parts');
  }
  assert.ok(seen.size >= 20, `${seen.size} distinct segments for 12 + 7 (4 unordered splits x 6 orders = 24)`);
});
