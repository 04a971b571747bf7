/**
 * Running-sum arithmetic with a self-correcting scratchpad: the toy analog of an LLM's "wait, let me check"
 * (claim 2, Zhang et al., "No Free Lunch", arXiv 2506.17219).
 *
 * A problem is `terms` single digits; the model writes the running sums, each reversed (units digit first, which a
 * tiny transformer learns far more easily), separated by commas; the last running sum is the answer:
 *
 *   8+3+1+5=  ->  "11,21,71"            (11, 12, 17 written units first)
 *
 * Any step may be followed by a `<wait>` segment that re-derives the step and restates its value. The re-derivation
 * is deliberately EXPLORATORY, not a cheap deterministic fix: the added digit d is split at random into x + (d - x)
 * (x uniform in 0..d) and the three parts (the previous sum, x, d - x) are written in a random order, then `=` and
 * the step's correct value. So the tokens after `<wait>` carry more entropy than an average trace token (a random
 * order and a random split), like the varied text an LLM writes after "wait":
 *
 *   8+3+1+5=  ->  "11,11<wait>0+11+1=21,71"   (12 slipped to 11; wait: 0 + 11 + 1 = 12; then 17)
 *
 * Noise model of a corpus (`CorpusStyle`): on a step that needs a carry (the tens digit of the running sum goes up)
 * the carry is forgotten with probability `forgetCarry` (units right, tens unchanged); any other step slips by
 * +-1..`slipMax` with probability `slip`. After a wrong step the document writes `<wait>` and the correct value with
 * probability `waitAfterError`; after a right step it "checks anyway" with probability `waitAfterCorrect` (the
 * segment then confirms the same value). An unfixed error propagates: the next step adds to the value written.
 * `forgetLastCarry` is the instruct model's systematic error: the carry of the LAST step is forgotten with that
 * probability (in place of `forgetCarry`).
 *
 * `evaluate` judges the final answer and counts, per sample: steps, waits, step errors by type (carry / other), and
 * errors fixed by a wait. A step is judged locally: its first written value against the previous final value plus
 * the step's digit (what the corpus does).
 */
import type { Rng } from '../random.js';
import type { Example } from './batch.js';
import { sampleTrainProblem } from './dataset.js';
import { integerField, type Evaluation, type Task } from './task.js';

export const WAIT = '<wait>';

export interface WaitScratchpadProblem {
  /** The digits to add, each 0..9. */
  digits: number[];
}

export interface WaitScratchpadEvaluation extends Evaluation {
  /** Whether the completion parsed into exactly terms - 1 steps. */
  formatted: boolean;
  /** Steps written (parsed), waits written, and per-step counters. */
  steps: number;
  waits: number;
  /** Steps whose first written value was wrong, split by whether the step needed a carry. */
  carryErrors: number;
  otherErrors: number;
  /** Wrong steps whose value after a `<wait>` segment was right. */
  fixed: number;
  /** Steps that needed a carry (relative to the previous written value). */
  carrySteps: number;
  /** Waits after a right step (needless checks). */
  waitsAfterCorrect: number;
}

export interface WaitScratchpadConfig {
  /** Digits per problem, 3..6 (terms - 1 running sums). Default 4. */
  terms?: number;
}

/** The noise model of one corpus (module comment); every field a probability except slipMax. */
export interface CorpusStyle {
  forgetCarry: number;
  /** Probability of forgetting the carry on the last step (the instruct model's systematic error). Default forgetCarry. */
  forgetLastCarry?: number;
  slip: number;
  /** Largest slip, 1..9. */
  slipMax: number;
  waitAfterError: number;
  waitAfterCorrect: number;
}

export class WaitScratchpadTask implements Task<WaitScratchpadProblem, WaitScratchpadEvaluation> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet = '0123456789+=,';
  readonly specials: readonly string[] = [WAIT];
  readonly terms: number;

  constructor(config: WaitScratchpadConfig = {}) {
    for (const k of Object.keys(config)) if (k !== 'terms') throw new Error(`WaitScratchpadTask: unknown config key ${k} (known: terms)`);
    const terms = config.terms ?? 4;
    if (!Number.isInteger(terms) || terms < 3 || terms > 6) throw new Error(`WaitScratchpadTask: terms must be an integer in [3, 6], got ${terms}`);
    this.terms = terms;
    this.name = `wait-scratchpad-${terms}`;
  }

  /** Room for every step plus one wait segment per step (sums < 100: 2 digits), EOS excluded. */
  get maxCompletionTokens(): number {
    const steps = this.terms - 1;
    // value (2) + <wait> (1) + three parts (2 + 1 + 1) + two '+' + '=' + value (2)
    return steps * (2 + 1 + 4 + 2 + 1 + 2) + (steps - 1);
  }

  sample(rng: Rng): WaitScratchpadProblem {
    return { digits: Array.from({ length: this.terms }, () => rng.int(10)) };
  }

  prompt(p: WaitScratchpadProblem): string {
    return `${p.digits.join('+')}=`;
  }

  /** A clean completion (no errors, no waits). */
  target(p: WaitScratchpadProblem, _rng: Rng): string {
    const out: string[] = [];
    let s = p.digits[0]!;
    for (let k = 1; k < p.digits.length; k++) {
      s += p.digits[k]!;
      out.push(rev(s));
    }
    return out.join(',');
  }

  /** A corpus document under `style` (module comment). */
  document(p: WaitScratchpadProblem, style: CorpusStyle, rng: Rng): string {
    const out: string[] = [];
    let prev = p.digits[0]!;
    const last = p.digits.length - 1;
    for (let k = 1; k <= last; k++) {
      const d = p.digits[k]!;
      const right = prev + d;
      const carry = (prev % 10) + d >= 10;
      let written = right;
      if (carry) {
        const pf = k === last ? (style.forgetLastCarry ?? style.forgetCarry) : style.forgetCarry;
        if (rng.uniform() < pf) written = right - 10;
      } else if (rng.uniform() < style.slip) {
        const m = 1 + rng.int(style.slipMax);
        written = rng.uniform() < 0.5 && right - m >= 0 ? right - m : right + m;
      }
      let step = rev(written);
      let value = written;
      const wait = written !== right ? rng.uniform() < style.waitAfterError : rng.uniform() < style.waitAfterCorrect;
      if (wait) {
        step += waitSegment(prev, d, rng);
        value = right;
      }
      out.push(step);
      prev = value;
    }
    return out.join(',');
  }

  answers(p: WaitScratchpadProblem): string[] {
    return [String(sum(p.digits))];
  }

  evaluate(p: WaitScratchpadProblem, completion: string): WaitScratchpadEvaluation {
    const e: WaitScratchpadEvaluation = {
      correct: false, answer: null, formatted: false, steps: 0, waits: 0, carryErrors: 0, otherErrors: 0, fixed: 0, carrySteps: 0, waitsAfterCorrect: 0,
    };
    const parts = completion.split(',');
    let prev = p.digits[0]!;
    let ok = true;
    for (const [i, part] of parts.entries()) {
      const m = STEP.exec(part);
      const d = p.digits[i + 1];
      if (m === null || d === undefined) {
        ok = false;
        break;
      }
      const first = unrev(m[1]!);
      if (first === null) {
        ok = false;
        break;
      }
      const right = prev + d;
      const carry = (prev % 10) + d >= 10;
      e.steps++;
      if (carry) e.carrySteps++;
      const firstRight = first === right;
      if (!firstRight) carry ? e.carryErrors++ : e.otherErrors++;
      let value = first;
      const waits = m[2] ? m[2].split(WAIT).slice(1) : [];
      for (const w of waits) {
        const wm = SEGMENT.exec(w);
        const v = wm ? unrev(wm[1]!) : null;
        if (v === null) {
          ok = false;
          break;
        }
        e.waits++;
        if (value === right) e.waitsAfterCorrect++;
        value = v;
      }
      if (!ok) break;
      if (!firstRight && waits.length > 0 && value === right) e.fixed++;
      prev = value;
    }
    if (ok && e.steps === p.digits.length - 1) {
      e.formatted = true;
      e.answer = String(prev);
      e.correct = prev === sum(p.digits);
    }
    return e;
  }

  key(p: WaitScratchpadProblem): string {
    return p.digits.join('+');
  }

  toJSON(p: WaitScratchpadProblem): unknown {
    return { digits: [...p.digits] };
  }

  fromJSON(json: unknown): WaitScratchpadProblem {
    const where = `${this.name}.fromJSON`;
    const ds = (json as { digits?: unknown } | null)?.digits;
    if (!Array.isArray(ds) || ds.length !== this.terms) throw new Error(`${where}: field digits must be an array of ${this.terms} digits`);
    return { digits: ds.map((_, i) => integerField(ds, String(i), 0, 9, `${where} digits`)) };
  }
}

// A step: its value (reversed digits) then any number of wait segments "<wait>parts=value".
const STEP = /^([0-9]+)((?:<wait>[0-9+]+=[0-9]+)*)$/;
const SEGMENT = /^[0-9]+(?:\+[0-9]+)*=([0-9]+)$/;

/** The exploratory re-derivation of prev + d (module comment): `<wait>` three parts in random order `=` value. */
export function waitSegment(prev: number, d: number, rng: Rng): string {
  const x = rng.int(d + 1);
  const parts = [rev(prev), String(x), String(d - x)];
  rng.shuffle(parts);
  return `${WAIT}${parts.join('+')}=${rev(prev + d)}`;
}

function rev(n: number): string {
  return [...String(n)].reverse().join('');
}

/** Reversed digits to a number; null for a non-canonical spelling (a trailing zero = a leading zero of the number). */
function unrev(s: string): number | null {
  const t = [...s].reverse().join('');
  return /^(0|[1-9][0-9]*)$/.test(t) ? Number(t) : null;
}

function sum(a: readonly number[]): number {
  return a.reduce((x, y) => x + y, 0);
}

/** Validates a corpus style, naming the bad field. */
export function checkCorpusStyle(s: CorpusStyle, where = 'CorpusStyle'): CorpusStyle {
  if (s === null || typeof s !== 'object') throw new Error(`${where}: expected an object`);
  for (const k of ['forgetCarry', 'forgetLastCarry', 'slip', 'waitAfterError', 'waitAfterCorrect'] as const) {
    const v = s[k];
    if (k === 'forgetLastCarry' && v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where}.${k} must be a number in [0, 1], got ${String(v)}`);
  }
  if (!Number.isInteger(s.slipMax) || s.slipMax < 1 || s.slipMax > 9) throw new Error(`${where}.slipMax must be an integer in [1, 9], got ${String(s.slipMax)}`);
  return s;
}

/** `n` corpus documents under `style` (training problems only: held-out problems never appear). */
export function waitScratchpadExamples(task: WaitScratchpadTask, style: CorpusStyle, rng: Rng, n: number): Example[] {
  checkCorpusStyle(style, 'waitScratchpadExamples: style');
  if (!Number.isInteger(n) || n < 0) throw new Error(`waitScratchpadExamples: n must be a non-negative integer, got ${n}`);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const p = sampleTrainProblem(task, rng);
    out.push({ prompt: task.prompt(p), completion: task.document(p, style, rng) });
  }
  return out;
}
