/**
 * Claim 1's two tasks and their data. sum3 (verifiable): six distinct digits and a target T, answer any ascending
 * triple of list digits summing to T (`381927,12=` -> `129`); checking is three look-ups and an addition, producing
 * is a search. facts (control): a random table of three-letter keys -> two-digit values (`qzk=` -> `47`); checking
 * needs the very fact. A pretraining corpus mixes generation examples with `?q,a=` -> `Y`/`N` CHECK examples whose
 * candidates come from the task's noise process and whose verdicts come from the true checker.
 */
import { gptConfig, type GPTConfig } from '../../model/config.js';
import { Rng } from '../../random.js';
import { makeBatch, type Example } from '../../tasks/batch.js';
import { checkExample, type CheckableTask } from '../../tasks/check.js';
import { DEFAULT_HELD_OUT_FRACTION, generateHeldOutSet, sampleTrainProblem } from '../../tasks/dataset.js';
import { FactsTask } from '../../tasks/facts.js';
import { Sum3Task } from '../../tasks/sum3.js';
import { Tokenizer } from '../../tasks/tokenizer.js';
import type { GapTaskName, ModelSize, PretrainSpec } from './config.js';

/** The task object of a name (facts depends on the table size). */
export function gapTask(name: GapTaskName, factsKeys: number): CheckableTask<unknown> {
  if (name === 'sum3') return new Sum3Task() as CheckableTask<unknown>;
  if (name === 'facts') return new FactsTask({ numKeys: factsKeys }) as unknown as CheckableTask<unknown>;
  throw new Error(`verification-gap: task must be 'sum3' or 'facts', got ${JSON.stringify(name)}`);
}

/** Generation answers are at most this many tokens before EOS (3 digits for sum3, 2 for facts). */
export function answerTokens(name: GapTaskName): number {
  return name === 'sum3' ? 3 : 2;
}

export function sizeLabel(s: ModelSize): string {
  return `d${s.dModel}x${s.nLayers}`;
}

export function modelConfig(size: ModelSize, tokenizer: Tokenizer): GPTConfig {
  return gptConfig({
    vocabSize: tokenizer.vocabSize,
    contextLength: 24,
    dModel: size.dModel,
    nLayers: size.nLayers,
    nHeads: Math.max(1, Math.floor(size.dModel / 16)), // head width ~16
  });
}

/**
 * Fraction of problems held out. facts: 45% of the table's keys lose their CHECK renderings (their generation examples
 * stay), so a 500-key table leaves ~225 evaluation + tau keys; sum3: the library's default.
 */
export function heldOut(name: GapTaskName): number {
  return name === 'facts' ? 0.45 : DEFAULT_HELD_OUT_FRACTION;
}

/**
 * A generation training problem. sum3: the training split. facts: any row (a fact must be seen to be recalled; the
 * held-out split only keeps its CHECK renderings out, see facts.ts).
 */
export function genProblem(name: GapTaskName, task: CheckableTask<unknown>, rng: Rng): unknown {
  return name === 'facts' ? task.sample(rng) : sampleTrainProblem(task, rng, heldOut(name));
}

/** A pretraining / replay batch's examples: CHECK examples, then generation examples, in the given proportion (rounded). */
export function corpusExamples(name: GapTaskName, task: CheckableTask<unknown>, rng: Rng, n: number, checkFraction: number): Example[] {
  const nCheck = Math.round(n * checkFraction);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    if (i < nCheck) out.push(checkExample(task, sampleTrainProblem(task, rng, heldOut(name)), rng));
    else {
      const p = genProblem(name, task, rng);
      out.push({ prompt: task.prompt(p), completion: task.target(p, rng) });
    }
  }
  return out;
}

/** A batch padded to its longest example. */
export function batchOf(tokenizer: Tokenizer, examples: Example[]) {
  const seqLen = Math.max(...examples.map((e) => e.prompt.length + e.completion.length + 1));
  return makeBatch(tokenizer, examples, seqLen);
}

/** Held-out splits: eval prompts and tau prompts from one held-out draw, disjoint by key. */
export function heldOutSplits(name: GapTaskName, task: CheckableTask<unknown>, evalPrompts: number, tauPrompts: number) {
  const both = generateHeldOutSet(task, 1701, evalPrompts + tauPrompts, heldOut(name));
  return { evalSet: both.slice(0, evalPrompts), tauSet: both.slice(evalPrompts) };
}

/** Input positions seen in pretraining: re-draws the batch stream's shapes (cheap: no model involved). */
export function pretrainTokens(c: { task: GapTaskName; factsKeys: number; pretrain: PretrainSpec }): number {
  // Every batch is padded to its longest example; for these fixed-format tasks that is the CHECK example's length
  // whenever a batch holds one, so tokens = steps * batchSize * seqLen of a CHECK-bearing batch.
  const task = gapTask(c.task, c.factsKeys);
  const ex = corpusExamples(c.task, task, new Rng(0), Math.max(2, c.pretrain.batchSize), c.pretrain.checkFraction);
  const seqLen = Math.max(...ex.map((e) => e.prompt.length + e.completion.length + 1));
  return c.pretrain.steps * c.pretrain.batchSize * seqLen;
}
