/**
 * Area under the ROC curve of a score for a binary label, by the Mann-Whitney U statistic: the probability that a
 * random positive scores above a random negative, ties counting half (Hanley & McNeil 1982).
 */

/** AUC of `score` for `label` (truthy = positive); NaN with one class only. */
export function rocAuc(label: ArrayLike<number>, score: ArrayLike<number>): number {
  if (label.length !== score.length) throw new Error(`rocAuc: label (${label.length}) and score (${score.length}) differ in length`);
  const n = label.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[idx[j + 1]!] === score[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (label[idx[k]!]) {
        pos++;
        rankSumPos += rank;
      }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
