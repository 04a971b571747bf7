/**
 * The interface every synthetic task implements. A task owns its problem distribution, prompt rendering, training
 * targets, answer parsing and `evaluate`; rewards, datasets and accuracy metrics are all built on these methods, so a
 * parsing rule lives in exactly one place.
 *
 * Conventions every task follows:
 * - Text is what the tokenizer sees: specials appear by name (`<wait>`). A prompt and a completion exclude BOS and
 *   EOS (batch.ts adds them). `evaluate` receives `Tokenizer.decodeCompletion(ids)`, i.e. the text before EOS.
 * - An unparsable completion is simply wrong: `{ correct: false, answer: null }`. `evaluate` never catches errors:
 *   a bug in a task must throw, not turn into a reward of 0.
 * - `prompt(p)` must not force a solution style when a task has several (the model chooses; `evaluate` reports it).
 * - `key(p)` names the underlying problem independently of rendering and of any candidate answer in the prompt (a
 *   CHECK problem "q a -> YES/NO" has the key of q), so held-out splits (dataset.ts) keep every rendering of an
 *   evaluation problem out of training.
 */
import type { Rng } from '../random.js';

/** What `evaluate` returns. Tasks extend it with per-sample metadata (a style, counters, a trace check). */
export interface Evaluation {
  correct: boolean;
  /** The parsed final answer in canonical form, or null if the completion could not be parsed. */
  answer: string | null;
}

export interface Task<P, E extends Evaluation = Evaluation> {
  /** Unique per configuration (e.g. `addition-3d-scratch`); datasets and manifests are keyed by it. */
  readonly name: string;
  /** Bump whenever `sample`, `prompt`, `key` or the JSON form changes, so stale datasets fail to load. */
  readonly generatorVersion: number;
  /** Characters this task's text uses (prompts, targets, any answer a model should be able to write). */
  readonly alphabet: string;
  /** Special tokens this task's text uses, by name (e.g. `<wait>`); usually empty. */
  readonly specials: readonly string[];

  /** Draw a problem. */
  sample(rng: Rng): P;
  /** The prompt text. */
  prompt(p: P): string;
  /** A training completion (without EOS). With several valid completions, `rng` chooses among them. */
  target(p: P, rng: Rng): string;
  /** Judge a completion (the text before EOS). Unparsable means wrong with answer null; bugs throw. */
  evaluate(p: P, completion: string): E;
  /** Every valid final answer, canonical form, when the set is finite and small. */
  answers?(p: P): string[];
  /** Identity of the underlying problem, shared by all its renderings (see the file comment). */
  key(p: P): string;
  /** JSON form of a problem for dataset files. */
  toJSON(p: P): unknown;
  /** Inverse of toJSON; validates every field and names the bad one. */
  fromJSON(json: unknown): P;
}

/** Any task, for code that handles tasks generically (datasets, tokenizers). */
export type AnyTask = Task<any, Evaluation>;

/**
 * Answers are canonical non-negative decimals: digits only, no sign, no spaces, no leading zeros ("0" itself is
 * fine). Returns the string when it is canonical, else null. A leading zero ("07") is a format error, not a
 * different spelling of 7: the targets never contain one, and a strict format keeps "correct" unambiguous.
 */
export function canonicalNatural(s: string): string | null {
  return /^(0|[1-9][0-9]*)$/.test(s) ? s : null;
}

/** Reads an integer field of a problem's JSON, in [min, max], naming the field when it is not. */
export function integerField(json: unknown, field: string, min: number, max: number, where: string): number {
  if (json === null || typeof json !== 'object') throw new Error(`${where}: expected an object, got ${JSON.stringify(json)}`);
  const v = (json as Record<string, unknown>)[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${where}: field ${field} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}
