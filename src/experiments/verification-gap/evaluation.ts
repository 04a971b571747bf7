/**
 * One held-out split of claim 1, measured: the model samples `samples` answers per prompt (`evaluatePolicy`, whose
 * records carry the true checker's grade), and scores each of its OWN samples with its own verifier (u = P(Y),
 * `verifyScores`). The metrics are functions of those per-sample records: accuracy, the gap curve over tau, AUC of u
 * against correctness, pass@k and distinct answers.
 */
import { gapCurve, type GapAtTau } from '../../eval/gap-curve.js';
import { evaluatePolicy, type PolicySummary, type SampleRecord } from '../../eval/policy.js';
import { rocAuc } from '../../eval/auroc.js';
import { mean } from '../../eval/stats.js';
import { verifyScores } from '../../eval/verifier.js';
import type { GPT } from '../../model/gpt.js';
import type { Rng } from '../../random.js';
import type { CheckableTask } from '../../tasks/check.js';
import { Tokenizer } from '../../tasks/tokenizer.js';

/** One split's samples with their own verifier scores. */
export interface VerifiedSamples {
  /** [prompts * perPrompt] evaluatePolicy's records, prompt-major. */
  samples: SampleRecord[];
  perPrompt: number;
  /** evaluatePolicy's summary (accuracy, pass@k at the requested ks, distinct correct answers). */
  summary: PolicySummary;
  /** [prompts * perPrompt] 1 where the true checker accepts the sample. */
  correct: Uint8Array;
  /** [prompts * perPrompt] the model's own P(Y) for the sample. */
  pYes: Float32Array;
}

export interface SampleOptions {
  samples: number;
  maxNewTokens: number;
  temperature: number;
  /** pass@k to summarise (each <= samples). Default [1]. */
  ks?: readonly number[];
}

/** Samples `o.samples` answers per problem and scores each with the model's own verifier. */
export function sampleAndVerify(
  model: GPT,
  task: CheckableTask<unknown>,
  tokenizer: Tokenizer,
  problems: readonly unknown[],
  o: SampleOptions,
  rng: Rng,
): VerifiedSamples {
  const ev = evaluatePolicy(model, task, tokenizer, problems, { samples: o.samples, maxNewTokens: o.maxNewTokens, temperature: o.temperature, ks: [...(o.ks ?? [1])] }, rng);
  // The candidate is the sampled ids before EOS: a sample may hold any token, so it is not re-encoded from text.
  const candidates = ev.samples.map((s) => (s.tokens.length > 0 && s.tokens[s.tokens.length - 1] === Tokenizer.EOS ? s.tokens.subarray(0, s.tokens.length - 1) : s.tokens));
  const pYes = verifyScores(model, tokenizer, task, ev.samples.map((s) => problems[s.prompt]!), candidates);
  const { samples, ...summary } = ev;
  return { samples, perPrompt: o.samples, summary, correct: Uint8Array.from(samples, (s) => (s.correct ? 1 : 0)), pYes };
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

export function splitMetrics(v: VerifiedSamples, taus: readonly number[]): SplitMetrics {
  const n = v.perPrompt;
  const prompts = v.samples.length / n;
  let distinct = 0;
  const within: number[] = [];
  for (let p = 0; p < prompts; p++) {
    const all = new Set<string>();
    for (let j = p * n; j < (p + 1) * n; j++) {
      const a = v.samples[j]!.answer;
      if (a !== null) all.add(a);
    }
    distinct += all.size;
    const a = rocAuc(v.correct.subarray(p * n, (p + 1) * n), v.pYes.subarray(p * n, (p + 1) * n));
    if (!Number.isNaN(a)) within.push(a);
  }
  const passAtK: Record<string, number> = {};
  for (const [k, x] of Object.entries(v.summary.passAtK)) passAtK[k] = x;
  return {
    accuracy: v.summary.accuracy,
    auc: rocAuc(v.correct, v.pYes),
    aucWithin: within.length > 0 ? mean(within) : NaN,
    meanPYes: mean(v.pYes),
    curve: gapCurve(v.correct, v.pYes, n, taus),
    passAtK,
    distinctAnswers: distinct / prompts,
    distinctCorrect: v.summary.distinctCorrect,
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
