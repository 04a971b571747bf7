/**
 * Modular equation: find x with a*x = b (mod p), for a prime p. Producing x needs a modular inverse; checking a
 * candidate is one multiplication (the generation-verification gap's "cheap to check" task, CLAIMS.md claim 1).
 *
 * Problem: a uniform in [1, p), b uniform in [0, p). Prompt "a*x=b;x=", e.g. with p = 97: "5*x=3;x=".
 * Valid answers: every x in [0, solutions * p) with a*x mod p = b. With `solutions` = 1 (default) the answer is
 * unique (x = b * a^-1 mod p); with k > 1 there are exactly k valid answers x0, x0 + p, ..., x0 + (k-1)p, which
 * gives tasks with several valid answers (claim 4). `target` draws one of them uniformly. p and the range are
 * properties of the task, not written in the prompt.
 * The completion must be exactly a canonical decimal (no leading zeros, nothing after it); anything else is
 * unparsable (answer null). A parsable x outside [0, solutions * p) is wrong.
 * `key` is "a*x=b mod p": the same equation shares a held-out split whatever `solutions` is.
 */
import type { Rng } from '../random.js';
import { canonicalNatural, integerField, type Evaluation, type Task } from './task.js';

export interface ModularEquationProblem {
  a: number;
  b: number;
}

export interface ModularEquationConfig {
  /** The prime modulus, in [3, 46337] (so products stay exact doubles). Default 97. */
  p?: number;
  /** Number of valid answers: x ranges over [0, solutions * p). Integer in [1, 1000]. Default 1. */
  solutions?: number;
}

export class ModularEquationTask implements Task<ModularEquationProblem> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet = '0123456789*x=;';
  readonly specials: readonly string[] = [];
  readonly p: number;
  readonly solutions: number;

  constructor(config: ModularEquationConfig = {}) {
    for (const k of Object.keys(config)) {
      if (k !== 'p' && k !== 'solutions') throw new Error(`ModularEquationTask: unknown config key ${k} (known: p, solutions)`);
    }
    const p = config.p ?? 97;
    const solutions = config.solutions ?? 1;
    if (!Number.isInteger(p) || p < 3 || p > 46337 || !isPrime(p)) {
      throw new Error(`ModularEquationTask: p must be a prime in [3, 46337], got ${p}`);
    }
    if (!Number.isInteger(solutions) || solutions < 1 || solutions > 1000) {
      throw new Error(`ModularEquationTask: solutions must be an integer in [1, 1000], got ${solutions}`);
    }
    this.p = p;
    this.solutions = solutions;
    this.name = `modeq-p${p}${solutions > 1 ? `-k${solutions}` : ''}`;
  }

  sample(rng: Rng): ModularEquationProblem {
    return { a: 1 + rng.int(this.p - 1), b: rng.int(this.p) };
  }

  prompt(q: ModularEquationProblem): string {
    return `${q.a}*x=${q.b};x=`;
  }

  target(q: ModularEquationProblem, rng: Rng): string {
    const x0 = (q.b * inverse(q.a, this.p)) % this.p;
    return String(x0 + this.p * (this.solutions > 1 ? rng.int(this.solutions) : 0));
  }

  answers(q: ModularEquationProblem): string[] {
    const x0 = (q.b * inverse(q.a, this.p)) % this.p;
    return Array.from({ length: this.solutions }, (_, j) => String(x0 + j * this.p));
  }

  evaluate(q: ModularEquationProblem, completion: string): Evaluation {
    const answer = canonicalNatural(completion);
    if (answer === null) return { correct: false, answer: null };
    const bound = this.solutions * this.p;
    // Compare lengths first so a 40-digit "answer" is wrong rather than a rounded double.
    const inRange = answer.length <= String(bound).length && Number(answer) < bound;
    return { correct: inRange && (q.a * Number(answer)) % this.p === q.b, answer };
  }

  key(q: ModularEquationProblem): string {
    return `${q.a}*x=${q.b} mod ${this.p}`;
  }

  toJSON(q: ModularEquationProblem): unknown {
    return { a: q.a, b: q.b };
  }

  fromJSON(json: unknown): ModularEquationProblem {
    const where = `${this.name}.fromJSON`;
    return { a: integerField(json, 'a', 1, this.p - 1, where), b: integerField(json, 'b', 0, this.p - 1, where) };
  }
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** a^-1 mod p by the extended Euclidean algorithm (a in [1, p), p prime). */
function inverse(a: number, p: number): number {
  let [r0, r1, s0, s1] = [p, a, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % p) + p) % p;
}
