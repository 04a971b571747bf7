/**
 * Multi-digit addition with two solution styles, chosen by the model's FIRST output token (the toy analog of
 * Qwen2.5-Math answering with Python code or in language; Shao et al., "Spurious Rewards", arXiv 2506.10947):
 *
 *   style A, `<a>` then a carry trace then the sum:   47+85=  ->  "<a>12,13:231"
 *   style B, `<b>` then the sum directly:             47+85=  ->  "<b>231"
 *
 * Both styles write the sum least significant digit first (132 as "231"): a tiny transformer cannot learn the
 * most-significant-first sum in a few minutes (measured here: 2.5% accuracy after 1500 steps of a B-only corpus),
 * while reversed output is learnable (Lee et al., "Teaching Arithmetic to Small Transformers", arXiv 2307.03381); one
 * order for both styles keeps B from borrowing A's order (measured: 3% accuracy with B when only B was reversed).
 * B is still a direct answer: no carry is written down.
 * The trace is the scratchpad of addition.ts: one two-digit column total per column, least significant first, each
 * a_i + b_i + carry-in. The prompt never names a style: which style a model uses is learned from its pretraining
 * corpus, and `evaluate` reports it.
 *
 * Noise model of the pretraining corpus (`twoStyleExamples`): a corpus is a mixture of four kinds of documents,
 * A-clean, A-carry-dropped, B-clean, B-carry-dropped. A fraction `pA` of documents uses style A; independently, an
 * A document drops every carry with probability `dropA` (a B document with `dropB`). A carry-dropped document adds
 * each column mod 10 and ignores carries, consistently in its trace and its sum (47+85 -> "<a>12,12:22", "<b>22").
 * Problems without any carry (about 30% of 2-digit problems) are unaffected, so a model that learns its corpus
 * exactly answers in style s with accuracy about 0.30 + 0.70 (1 - drop_s). The three bases of the claim-3 notebook
 * differ only in (pA, dropA, dropB).
 */
import type { Rng } from '../random.js';
import { canonicalNatural, integerField, type Evaluation, type Task } from './task.js';
import type { Example } from './batch.js';
import { sampleTrainProblem } from './dataset.js';

export interface TwoStyleProblem {
  a: number;
  b: number;
}

export type Style = 'A' | 'B';

export interface TwoStyleEvaluation extends Evaluation {
  /** The style the completion chose by its first token, or null when it starts with neither `<a>` nor `<b>`. */
  style: Style | null;
  /** Style A: whether every column total of the trace was right; null otherwise. */
  traceCorrect: boolean | null;
}

export interface TwoStyleConfig {
  /** Digits per operand, 1..7. Default 2. */
  digits?: number;
}

/** The corpus mixture of one pretrained base (see the module comment). */
export interface StyleMixture {
  /** Fraction of documents in style A, in [0, 1]. */
  pA: number;
  /** Probability that an A document drops its carries, in [0, 1]. */
  dropA: number;
  /** Probability that a B document drops its carries, in [0, 1]. */
  dropB: number;
  /**
   * Optional problem-dependent style: the fraction of A documents among problems WITH a carry (where the style
   * matters); `pA` then applies to problems without one. Default: `pA` for every problem.
   */
  pACarry?: number;
}

export const STYLE_TOKENS = { A: '<a>', B: '<b>' } as const;

export class TwoStyleAdditionTask implements Task<TwoStyleProblem, TwoStyleEvaluation> {
  readonly name: string;
  readonly generatorVersion = 3;
  readonly alphabet = '0123456789+=,:';
  readonly specials: readonly string[] = [STYLE_TOKENS.A, STYLE_TOKENS.B];
  readonly digits: number;
  private readonly limit: number;

  constructor(config: TwoStyleConfig = {}) {
    for (const k of Object.keys(config)) {
      if (k !== 'digits') throw new Error(`TwoStyleAdditionTask: unknown config key ${k} (known: digits)`);
    }
    const digits = config.digits ?? 2;
    if (!Number.isInteger(digits) || digits < 1 || digits > 7) {
      throw new Error(`TwoStyleAdditionTask: digits must be an integer in [1, 7], got ${digits}`);
    }
    this.digits = digits;
    this.limit = 10 ** digits;
    this.name = `two-style-addition-${digits}d`;
  }

  /** Longest completion in tokens, EOS excluded: style token, trace (3 per column, minus a comma), ':', sum. */
  get maxCompletionTokens(): number {
    return 1 + 3 * this.digits + (this.digits + 1);
  }

  sample(rng: Rng): TwoStyleProblem {
    return { a: rng.int(this.limit), b: rng.int(this.limit) };
  }

  prompt(p: TwoStyleProblem): string {
    return `${this.pad(p.a)}+${this.pad(p.b)}=`;
  }

  /** A clean completion in a style drawn 50/50 (corpora with other mixtures use `twoStyleExamples`). */
  target(p: TwoStyleProblem, rng: Rng): string {
    return this.completion(p, rng.uniform() < 0.5 ? 'A' : 'B', false);
  }

  /** The completion in `style`; `dropCarries` gives the corpus's noisy version (each column mod 10, no carries). */
  completion(p: TwoStyleProblem, style: Style, dropCarries: boolean): string {
    const cols = this.columns(p, dropCarries);
    const sum = dropCarries ? String(Number(cols.map((c) => c % 10).reverse().join(''))) : String(p.a + p.b);
    if (style === 'B') return `${STYLE_TOKENS.B}${reverse(sum)}`;
    return `${STYLE_TOKENS.A}${cols.map((c) => String(c).padStart(2, '0')).join(',')}:${reverse(sum)}`;
  }

  /** Whether adding `p` involves any carry (only such problems can be answered wrongly by a carry-dropping corpus). */
  hasCarry(p: TwoStyleProblem): boolean {
    return this.columns(p, false).some((c) => c >= 10);
  }

  answers(p: TwoStyleProblem): string[] {
    return [String(p.a + p.b)];
  }

  evaluate(p: TwoStyleProblem, completion: string): TwoStyleEvaluation {
    const expected = String(p.a + p.b);
    if (completion.startsWith(STYLE_TOKENS.B)) {
      const answer = canonicalNatural(reverse(completion.slice(STYLE_TOKENS.B.length)));
      return { correct: answer === expected, answer, style: 'B', traceCorrect: null };
    }
    if (completion.startsWith(STYLE_TOKENS.A)) {
      const m = /^([0-9]{2}(?:,[0-9]{2})*):([0-9]+)$/.exec(completion.slice(STYLE_TOKENS.A.length));
      const answer = m ? canonicalNatural(reverse(m[2]!)) : null;
      if (m === null || answer === null) return { correct: false, answer: null, style: 'A', traceCorrect: null };
      const trace = this.columns(p, false).map((c) => String(c).padStart(2, '0')).join(',');
      return { correct: answer === expected, answer, style: 'A', traceCorrect: m[1] === trace };
    }
    return { correct: false, answer: null, style: null, traceCorrect: null };
  }

  key(p: TwoStyleProblem): string {
    return `${p.a}+${p.b}`;
  }

  toJSON(p: TwoStyleProblem): unknown {
    return { a: p.a, b: p.b };
  }

  fromJSON(json: unknown): TwoStyleProblem {
    const where = `${this.name}.fromJSON`;
    return { a: integerField(json, 'a', 0, this.limit - 1, where), b: integerField(json, 'b', 0, this.limit - 1, where) };
  }

  /** Column totals, least significant first; without carries each is a_i + b_i. */
  private columns(p: TwoStyleProblem, dropCarries: boolean): number[] {
    const out: number[] = [];
    let carry = 0;
    for (let i = 0, a = p.a, b = p.b; i < this.digits; i++, a = Math.floor(a / 10), b = Math.floor(b / 10)) {
      const total = (a % 10) + (b % 10) + (dropCarries ? 0 : carry);
      out.push(total);
      carry = total >= 10 ? 1 : 0;
    }
    return out;
  }

  private pad(n: number): string {
    return String(n).padStart(this.digits, '0');
  }
}

function reverse(s: string): string {
  return [...s].reverse().join('');
}

/** Validates a mixture, naming the bad field. */
export function checkStyleMixture(m: StyleMixture, where = 'StyleMixture'): StyleMixture {
  if (m === null || typeof m !== 'object') throw new Error(`${where}: expected an object {pA, dropA, dropB}`);
  for (const k of ['pA', 'dropA', 'dropB', 'pACarry'] as const) {
    const v = m[k];
    if (k === 'pACarry' && v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}.${k} must be a number in [0, 1], got ${String(v)}`);
  }
  return m;
}

/** `n` pretraining documents drawn from `mixture` (training problems only: held-out problems never appear). */
export function twoStyleExamples(task: TwoStyleAdditionTask, mixture: StyleMixture, rng: Rng, n: number): Example[] {
  checkStyleMixture(mixture, 'twoStyleExamples: mixture');
  if (!Number.isInteger(n) || n < 0) throw new Error(`twoStyleExamples: n must be a non-negative integer, got ${n}`);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const p = sampleTrainProblem(task, rng);
    const pA = mixture.pACarry !== undefined && task.hasCarry(p) ? mixture.pACarry : mixture.pA;
    const style: Style = rng.uniform() < pA ? 'A' : 'B';
    const drop = rng.uniform() < (style === 'A' ? mixture.dropA : mixture.dropB);
    out.push({ prompt: task.prompt(p), completion: task.completion(p, style, drop) });
  }
  return out;
}

/** What a corpus mixture implies for a model that learned it exactly: P(A) and accuracy per style and overall. */
export function expectedStyleAccuracy(task: TwoStyleAdditionTask, mixture: StyleMixture): { pA: number; accA: number; accB: number; accuracy: number } {
  checkStyleMixture(mixture, 'expectedStyleAccuracy: mixture');
  let noCarry = 0;
  const n = task.digits <= 3 ? 10 ** task.digits : 0;
  if (n === 0) throw new Error(`expectedStyleAccuracy: digits must be <= 3 for the exact count, got ${task.digits}`);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (!task.hasCarry({ a, b })) noCarry++;
  const q = noCarry / (n * n);
  const pC = mixture.pACarry ?? mixture.pA; // P(A) on carry problems
  const pA = q * mixture.pA + (1 - q) * pC;
  // P(correct | style): no-carry problems are always right; carry problems are right unless the carries are dropped.
  const accA = pA > 0 ? (q * mixture.pA + (1 - q) * pC * (1 - mixture.dropA)) / pA : NaN;
  const accB = pA < 1 ? (q * (1 - mixture.pA) + (1 - q) * (1 - pC) * (1 - mixture.dropB)) / (1 - pA) : NaN;
  return { pA, accA, accB, accuracy: q * 1 + (1 - q) * (pC * (1 - mixture.dropA) + (1 - pC) * (1 - mixture.dropB)) };
}
