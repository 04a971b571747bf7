/**
 * One held-out split of claim 1, measured: the model samples `perPrompt` answers per prompt, the true checker grades
 * them, and the model's own verifier scores each of its samples (u = P(Y), `verifyScores`). The metrics are
 * functions of those per-sample records: accuracy, the gap curve over tau, AUC of u against correctness, pass@k and
 * distinct answers.
 */
import { gapCurve, type GapAtTau } from '../../eval/gap-curve.js';
import { meanPassAtK } from '../../eval/pass-at-k.js';
import { rocAuc } from '../../eval/roc-auc.js';
import { mean } from '../../eval/stats.js';
import { verifyScores } from '../../eval/verifier.js';
import { generate } from '../../model/generate.js';
import type { GPT } from '../../model/gpt.js';
import type { Rng } from '../../random.js';
import type { CheckableTask } from '../../tasks/check.js';
import { Tokenizer } from '../../tasks/tokenizer.js';

/** Samples of one split: per sample the prompt index, the completion tokens (EOS excluded) and text. */
export interface SampleSet {
  prompts: number;
  perPrompt: number;
  /** [prompts * perPrompt], prompt-major. */
  completions: string[];
  answerIds: Int32Array[];
  correct: Uint8Array;
  answers: (string | null)[];
  /** Self-verification P(Y) of each sample. */
  pYes: Float32Array;
}

export function sampleAndVerify(
  model: GPT,
  task: CheckableTask<unknown>,
  tokenizer: Tokenizer,
  problems: readonly unknown[],
  perPrompt: number,
  maxNewTokens: number,
  temperature: number,
  rng: Rng,
): SampleSet {
  const n = problems.length * perPrompt;
  const completions: string[] = new Array(n);
  const answerIds: Int32Array[] = new Array(n);
  const correct = new Uint8Array(n);
  const answers: (string | null)[] = new Array(n);
  const chunk = 1024;
  const promptIds = problems.map((p) => {
    const ids = tokenizer.encode(task.prompt(p));
    const out = new Int32Array(ids.length + 1);
    out[0] = Tokenizer.BOS;
    out.set(ids, 1);
    return out;
  });
  for (let s0 = 0; s0 < n; s0 += chunk) {
    const rows = Math.min(chunk, n - s0);
    const prompts = Array.from({ length: rows }, (_, r) => promptIds[Math.floor((s0 + r) / perPrompt)]!);
    const g = generate(model, prompts, { maxNewTokens, padId: Tokenizer.PAD, eosId: Tokenizer.EOS, temperature }, rng);
    for (let r = 0; r < rows; r++) {
      const start = r * g.width + g.promptLengths[r]!;
      let ids = g.tokens.slice(start, start + g.lengths[r]!);
      if (ids.length > 0 && ids[ids.length - 1] === Tokenizer.EOS) ids = ids.slice(0, ids.length - 1);
      const i = s0 + r;
      const text = tokenizer.decodeCompletion(ids);
      const e = task.evaluate(problems[Math.floor(i / perPrompt)]!, text);
      completions[i] = text;
      answerIds[i] = ids;
      correct[i] = e.correct ? 1 : 0;
      answers[i] = e.answer;
    }
  }
  const pYes = verifyScores(
    model,
    tokenizer,
    task,
    Array.from({ length: n }, (_, i) => problems[Math.floor(i / perPrompt)]!),
    answerIds,
  );
  return { prompts: problems.length, perPrompt, completions, answerIds, correct, answers, pYes };
}

/** Metrics of one split's samples. */
export interface SplitMetrics {
  accuracy: number;
  /** AUC of P(Y) on the model's own samples, pooled over prompts (also rewards knowing which prompts are hard). */
  auc: number;
  /**
   * Mean over prompts (those with both right and wrong samples) of the AUC among one prompt's own samples: what a
   * per-prompt filter, hence the gap, needs. NaN when no prompt has both.
   */
  aucWithin: number;
  /** Mean P(Y) over samples. */
  meanPYes: number;
  curve: GapAtTau[];
  passAtK: Record<string, number>;
  /** Distinct parsed answers per prompt, and distinct correct ones. */
  distinctAnswers: number;
  distinctCorrect: number;
}

export function splitMetrics(s: SampleSet, taus: readonly number[], ks: readonly number[]): SplitMetrics {
  const counts: number[] = [];
  let distinct = 0;
  let distinctCorrect = 0;
  for (let p = 0; p < s.prompts; p++) {
    const all = new Set<string>();
    const good = new Set<string>();
    let c = 0;
    for (let j = p * s.perPrompt; j < (p + 1) * s.perPrompt; j++) {
      const a = s.answers[j];
      if (a !== null && a !== undefined) all.add(a);
      if (s.correct[j]) {
        c++;
        good.add(a!);
      }
    }
    counts.push(c);
    distinct += all.size;
    distinctCorrect += good.size;
  }
  const passAtK: Record<string, number> = {};
  for (const k of ks) passAtK[String(k)] = meanPassAtK(counts, s.perPrompt, k);
  const within: number[] = [];
  for (let p = 0; p < s.prompts; p++) {
    const a = rocAuc(s.correct.subarray(p * s.perPrompt, (p + 1) * s.perPrompt), s.pYes.subarray(p * s.perPrompt, (p + 1) * s.perPrompt));
    if (!Number.isNaN(a)) within.push(a);
  }
  return {
    accuracy: mean(s.correct),
    auc: rocAuc(s.correct, s.pYes),
    aucWithin: within.length > 0 ? mean(within) : NaN,
    meanPYes: mean(s.pYes),
    curve: gapCurve(s.correct, s.pYes, s.perPrompt, taus),
    passAtK,
    distinctAnswers: distinct / s.prompts,
    distinctCorrect: distinctCorrect / s.prompts,
  };
}

/** AUC of the verifier on pretraining-style CHECK candidates (half valid answers, half noise) for `problems`. */
export function noiseCandidateAuc(model: GPT, task: CheckableTask<unknown>, tokenizer: Tokenizer, problems: readonly unknown[], per: number, rng: Rng): number {
  const probs: unknown[] = [];
  const cands: Int32Array[] = [];
  const label: number[] = [];
  for (const p of problems)
    for (let j = 0; j < per; j++) {
      const a = rng.bernoulli(0.5) ? task.target(p, rng) : task.noiseCandidate(p, rng);
      probs.push(p);
      cands.push(tokenizer.encode(a));
      label.push(task.evaluate(p, a).correct ? 1 : 0);
    }
  return rocAuc(label, verifyScores(model, tokenizer, task, probs, cands));
}
