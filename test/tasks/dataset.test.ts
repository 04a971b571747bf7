import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdditionTask,
  generateHeldOutSet,
  isHeldOut,
  loadHeldOutSet,
  TwoStyleAdditionTask,
  readManifest,
  sampleTrainProblem,
  trainExamples,
  writeHeldOutSet,
} from '../../src/tasks/index.js';
import { Rng } from '../../src/random.js';

const add2 = new AdditionTask({ digits: 2 });

test('dataset: train stream is deterministic per seed and differs across seeds', () => {
  assert.deepEqual(trainExamples(add2, new Rng(1), 50), trainExamples(add2, new Rng(1), 50));
  assert.notDeepEqual(trainExamples(add2, new Rng(1), 50), trainExamples(add2, new Rng(2), 50));
  const ex = trainExamples(add2, new Rng(1), 3);
  assert.match(ex[0]!.prompt, /^\d\d\+\d\d=$/);
  assert.throws(() => trainExamples(add2, new Rng(1), -1), /n must be a non-negative integer/);
  assert.throws(() => sampleTrainProblem(add2, new Rng(1), 1), /heldOutFraction must be in \[0, 1\), got 1/);
});

test('dataset: hold-out split has the right size, ignores rendering, and training never draws it', () => {
  let held = 0;
  for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) held += isHeldOut(add2, { a, b }) ? 1 : 0;
  assert.ok(held > 850 && held < 1150, `held out ${held} of 10000 at fraction 0.1`);
  const scratch3 = new AdditionTask({ digits: 3, scratchpad: true });
  for (let a = 0; a < 100; a += 7) for (let b = 0; b < 100; b += 3) {
    assert.equal(isHeldOut(scratch3, { a, b }), isHeldOut(add2, { a, b }), 'split depends on the problem, not its format');
  }
  const rng = new Rng(4);
  for (let i = 0; i < 3000; i++) assert.ok(!isHeldOut(add2, sampleTrainProblem(add2, rng)));
  const evalSet = generateHeldOutSet(add2, 7, 300);
  assert.equal(new Set(evalSet.map((p) => add2.key(p))).size, 300, 'distinct problems');
  assert.ok(evalSet.every((p) => isHeldOut(add2, p)));
  assert.deepEqual(generateHeldOutSet(add2, 7, 300), evalSet);
  assert.notDeepEqual(generateHeldOutSet(add2, 8, 300), evalSet);
  assert.throws(() => generateHeldOutSet(new AdditionTask({ digits: 1 }), 1, 50), /found only \d+ distinct held-out addition-1d problems/);
});

test('dataset: write, load, and the hash check catches a tampered file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-ds-'));
  try {
    const mod = new TwoStyleAdditionTask({ digits: 2 });
    const e1 = writeHeldOutSet(add2, { name: 'a', seed: 3, size: 40 }, dir);
    writeHeldOutSet(mod, { name: 'm', seed: 3, size: 40 }, dir);
    assert.deepEqual(Object.keys(readManifest(dir)), ['a', 'm']);
    assert.deepEqual(e1, { ...readManifest(dir)['a']!, task: 'addition-2d', generatorVersion: 1, seed: 3, size: 40, heldOutFraction: 0.1 });
    const set = loadHeldOutSet(add2, 'a', dir);
    assert.deepEqual(set.problems, generateHeldOutSet(add2, 3, 40));
    assert.equal(loadHeldOutSet(mod, 'm', dir).problems.length, 40);

    assert.throws(() => loadHeldOutSet(mod, 'a', dir), /generated for task addition-2d, not two-style-addition-2d/);
    assert.throws(() => loadHeldOutSet(add2, 'zzz', dir), /no entry zzz in/);
    const stale = Object.assign(new AdditionTask({ digits: 2 }), { generatorVersion: 2 });
    assert.throws(() => loadHeldOutSet(stale, 'a', dir), /generatorVersion 1 but addition-2d is at 2/);

    // Alter one byte (a digit in the first problem) in the file.
    const file = join(dir, 'a.jsonl');
    const bytes = readFileSync(file);
    const at = bytes.indexOf('"a":') + 4;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(file, bytes);
    assert.throws(() => loadHeldOutSet(add2, 'a', dir), /a\.jsonl has sha256 [0-9a-f]{64} but the manifest says [0-9a-f]{64}: the file was modified/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
