/** Accuracy: the fraction of samples judged correct (booleans or 0/1 numbers). An empty set is an error. */
export function accuracy(correct: ArrayLike<number | boolean>): number {
  if (correct.length === 0) throw new Error('accuracy: correct is empty (need at least one sample)');
  let c = 0;
  for (let i = 0; i < correct.length; i++) {
    const v = correct[i];
    if (v !== true && v !== false && v !== 0 && v !== 1) {
      throw new Error(`accuracy: correct[${i}] must be a boolean or 0/1, got ${String(v)}`);
    }
    if (v) c++;
  }
  return c / correct.length;
}
