import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfFilter } from '../../src/eval/self-filter.js';

test('selfFilter: threshold, best-of-n per prompt, top fraction of the pool', () => {
  // 2 prompts x 4 samples.
  const pYes = [0.9, 0.2, 0.6, 0.6, 0.3, 0.1, 0.4, 0.35];
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'threshold' }), [0, 2, 3]);
  // Per prompt the 2 highest; the tie at 0.6 keeps both, prompt 1 keeps its 2 best although both are below 0.5.
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'topPerPrompt', keep: 2 }), [0, 2, 6, 7]);
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'topPerPrompt', keep: 1 }), [0, 6]);
  // The top quarter of the pool: 0.9 and the earlier 0.6.
  assert.deepEqual(selfFilter(pYes, 4, 0.5, { kind: 'poolFraction', fraction: 0.25 }), [0, 2]);
  assert.throws(() => selfFilter(pYes, 3, 0.5, { kind: 'threshold' }), /perPrompt/);
});

test('selfFilter: an unknown kind is an error naming it', () => {
  assert.throws(() => selfFilter([0.5], 1, 0.5, { kind: 'best' } as never), /filter.kind must be .*"best"/);
});
