/**
 * Multi-digit addition, with or without a carry-trace scratchpad.
 *
 * Prompt: both operands zero-padded to `digits` so every column sits at a fixed offset (as in minGPT's adder):
 *   47 + 85 with digits 2  ->  "47+85="        3 + 4 with digits 3  ->  "003+004="
 * Plain completion: the sum as a canonical decimal (no leading zeros):  "132", "7".
 * Scratchpad completion: one two-digit column total per column, least significant first, then ':' and the sum.
 * Column i's total is a_i + b_i + carry-in (0..19), where carry-in is the tens digit of the previous total, so
 * every carry is written down before it is used:
 *   47+85=  ->  "12,13:132"     (7+5 = 12; 4+8+1 = 13; the sum reads the units digits backwards after the last carry)
 *   003+004= -> "07,00,00:7"
 * Evaluation parses the completion strictly: the whole text must match the format (extra characters after the answer,
 * a missing ':', leading zeros in the sum make it unparsable: answer null). Correctness is the final sum only; for
 * the scratchpad format `traceCorrect` reports separately whether the column totals were right.
 * One valid answer per problem. `key` is "a+b" unpadded, so the same sum in any format and digit count shares a
 * held-out split.
 */
import type { Rng } from '../random.js';
import { canonicalNatural, integerField, type Evaluation, type Task } from './task.js';

export interface AdditionProblem {
  a: number;
  b: number;
}

export interface AdditionEvaluation extends Evaluation {
  /** Scratchpad format: whether every column total was right. Null for the plain format or an unparsable completion. */
  traceCorrect: boolean | null;
}

export interface AdditionConfig {
  /** Digits per operand, 1..7 (operands are uniform in [0, 10^digits)). Default 2. */
  digits?: number;
  /** Write the carry trace before the sum. Default false. */
  scratchpad?: boolean;
}

export class AdditionTask implements Task<AdditionProblem, AdditionEvaluation> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet = '0123456789+=,:';
  readonly specials: readonly string[] = [];
  readonly digits: number;
  readonly scratchpad: boolean;
  private readonly limit: number; // operands are < limit

  constructor(config: AdditionConfig = {}) {
    for (const k of Object.keys(config)) {
      if (k !== 'digits' && k !== 'scratchpad') throw new Error(`AdditionTask: unknown config key ${k} (known: digits, scratchpad)`);
    }
    const digits = config.digits ?? 2;
    if (!Number.isInteger(digits) || digits < 1 || digits > 7) {
      throw new Error(`AdditionTask: digits must be an integer in [1, 7], got ${digits}`);
    }
    this.digits = digits;
    this.scratchpad = config.scratchpad ?? false;
    this.limit = 10 ** digits;
    this.name = `addition-${digits}d${this.scratchpad ? '-scratch' : ''}`;
  }

  sample(rng: Rng): AdditionProblem {
    return { a: rng.int(this.limit), b: rng.int(this.limit) };
  }

  prompt(p: AdditionProblem): string {
    return `${this.pad(p.a)}+${this.pad(p.b)}=`;
  }

  target(p: AdditionProblem): string {
    const sum = String(p.a + p.b);
    return this.scratchpad ? `${this.trace(p).join(',')}:${sum}` : sum;
  }

  answers(p: AdditionProblem): string[] {
    return [String(p.a + p.b)];
  }

  evaluate(p: AdditionProblem, completion: string): AdditionEvaluation {
    const expected = String(p.a + p.b);
    if (!this.scratchpad) {
      const answer = canonicalNatural(completion);
      return { correct: answer === expected, answer, traceCorrect: null };
    }
    const m = /^([0-9]{2}(?:,[0-9]{2})*):([0-9]+)$/.exec(completion);
    const answer = m ? canonicalNatural(m[2]!) : null;
    if (m === null || answer === null) return { correct: false, answer: null, traceCorrect: null };
    return { correct: answer === expected, answer, traceCorrect: m[1] === this.trace(p).join(',') };
  }

  key(p: AdditionProblem): string {
    return `${p.a}+${p.b}`;
  }

  toJSON(p: AdditionProblem): unknown {
    return { a: p.a, b: p.b };
  }

  fromJSON(json: unknown): AdditionProblem {
    const where = `${this.name}.fromJSON`;
    return { a: integerField(json, 'a', 0, this.limit - 1, where), b: integerField(json, 'b', 0, this.limit - 1, where) };
  }

  /** Column totals, least significant first, each as two digits. */
  private trace(p: AdditionProblem): string[] {
    const out: string[] = [];
    let carry = 0;
    for (let i = 0, a = p.a, b = p.b; i < this.digits; i++, a = Math.floor(a / 10), b = Math.floor(b / 10)) {
      const total = (a % 10) + (b % 10) + carry;
      out.push(String(total).padStart(2, '0'));
      carry = total >= 10 ? 1 : 0;
    }
    return out;
  }

  private pad(n: number): string {
    return String(n).padStart(this.digits, '0');
  }
}
