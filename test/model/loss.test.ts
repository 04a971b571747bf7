import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { maskedCrossEntropy } from '../../src/model/loss.js';

await initBackend({ quiet: true });

function lse(z: number[]): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
}

test('masked cross-entropy equals a hand computation, and its gradient is (softmax - onehot) * mask / sum(mask)', () => {
  const z = [
    [[1, 2, 0.5], [0, 0, 0]],
    [[3, -1, 2], [0.2, 0.1, -0.3]],
  ];
  const tgt = [[1, 0], [2, 0]];
  const msk = [[1, 0], [1, 1]];
  let num = 0, den = 0;
  for (let b = 0; b < 2; b++)
    for (let t = 0; t < 2; t++) {
      const row = z[b]![t]!;
      num += msk[b]![t]! * (lse(row) - row[tgt[b]![t]!]!);
      den += msk[b]![t]!;
    }
  const logits = tf.tensor3d(z);
  const targets = tf.tensor2d(tgt, [2, 2], 'int32');
  const mask = tf.tensor2d(msk);
  const loss = maskedCrossEntropy(logits, targets, mask);
  assert.ok(Math.abs(loss.dataSync()[0]! - num / den) < 1e-6);
  const g = tf.grad((l: tf.Tensor) => maskedCrossEntropy(l as tf.Tensor3D, targets, mask))(logits);
  const gd = g.arraySync() as number[][][];
  for (let b = 0; b < 2; b++)
    for (let t = 0; t < 2; t++)
      for (let v = 0; v < 3; v++) {
        const row = z[b]![t]!;
        const want = (msk[b]![t]! * (Math.exp(row[v]! - lse(row)) - (v === tgt[b]![t]! ? 1 : 0))) / den;
        assert.ok(Math.abs(gd[b]![t]![v]! - want) < 1e-6, `grad [${b},${t},${v}]`);
      }
  tf.dispose([logits, targets, mask, loss, g]);
});

test('huge logit gaps give a finite loss; NaN logits give NaN; shape and dtype errors name the argument', () => {
  const targets = tf.tensor2d([[0, 1]], [1, 2], 'int32');
  const mask = tf.ones([1, 2]) as tf.Tensor2D;
  const huge = tf.tensor3d([[[1e4, 0, -1e4], [1e4, 0, -1e4]]]);
  const l1 = maskedCrossEntropy(huge, targets, mask).dataSync()[0]!;
  assert.ok(Math.abs(l1 - 5e3) < 1, `expected (0 + 1e4)/2, got ${l1}`);
  const nan = tf.tensor3d([[[NaN, 0, 1], [0, 1, 2]]]);
  assert.ok(Number.isNaN(maskedCrossEntropy(nan, targets, mask).dataSync()[0]!));
  const wrong = tf.ones([1, 3]) as tf.Tensor2D;
  assert.throws(() => maskedCrossEntropy(huge, targets, wrong), /mask must have shape \[1,2\]/);
  const ft = tf.zeros([1, 2]) as tf.Tensor2D;
  assert.throws(() => maskedCrossEntropy(huge, ft, mask), /targets must be int32/);
  tf.dispose([targets, mask, huge, nan, wrong, ft]);
});
