/**
 * Distinct correct answers per prompt: how many different correct answers the model finds among its G samples.
 * A diversity measure for tasks with several valid answers (claims 1 and 4: RL and self-training can collapse onto
 * one answer while pass@1 rises). Answers are compared as strings after the task's own parsing.
 */
export function distinctCorrectAnswers(
  answers: readonly (string | null)[],
  correct: ArrayLike<number | boolean>,
  samplesPerPrompt: number,
): Int32Array {
  const g = samplesPerPrompt;
  if (!(Number.isInteger(g) && g >= 1)) throw new Error(`distinctCorrectAnswers: samplesPerPrompt must be an integer >= 1, got ${g}`);
  if (answers.length !== correct.length) {
    throw new Error(`distinctCorrectAnswers: answers and correct lengths differ (${answers.length} vs ${correct.length})`);
  }
  if (answers.length % g !== 0) {
    throw new Error(`distinctCorrectAnswers: answers.length=${answers.length} is not a multiple of samplesPerPrompt=${g}`);
  }
  const prompts = answers.length / g;
  const out = new Int32Array(prompts);
  for (let p = 0; p < prompts; p++) {
    const seen = new Set<string>();
    for (let j = p * g; j < (p + 1) * g; j++) {
      if (!correct[j]) continue;
      const a = answers[j];
      // A sample judged correct must have an answer; null here is a task bug, not a wrong sample.
      if (a === null || a === undefined) throw new Error(`distinctCorrectAnswers: sample ${j} is correct but its answer is null`);
      seen.add(a);
    }
    out[p] = seen.size;
  }
  return out;
}
