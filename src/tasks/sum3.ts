/**
 * "sum3": a verifiable task where checking is much cheaper than producing, the verifiable side of claim 1 (Song et
 * al., "Mind the Gap", arXiv 2412.02674).
 *
 * A problem is 6 distinct digits in random order and a target T, the sum of some 3 of them (so at least one answer
 * exists; often several). An answer is any 3 digits of the list in strictly ascending order summing to T.
 *   prompt  "381927,12="      (T always two digits, so every prompt has the same length)
 *   answers "129", "138", "237"   (every ascending triple of list digits summing to 12; training picks one)
 * Checking an answer is three lookups and an addition; producing one is a search over 20 triples.
 *
 * CHECK rendering (see check.ts): "?381927,12,138=" -> "Y" | "N". Noise candidates (the prototype's process):
 * 40% a random ascending triple of list digits, 40% two list digits plus the digit that fixes the sum (sorted; it may
 * be missing from the list or repeat one), 20% three uniform digits (sorted).
 *
 * `key` is "digits:T" (the list in its order and the target), shared by the generation and CHECK renderings.
 */
import type { Rng } from '../random.js';
import type { CheckableTask } from './check.js';
import { integerField, type Evaluation } from './task.js';

export interface Sum3Problem {
  /** 6 distinct digits, in prompt order. */
  digits: number[];
  /** The target sum, 3..24. */
  target: number;
}

export const SUM3_LIST_LENGTH = 6;

export class Sum3Task implements CheckableTask<Sum3Problem> {
  readonly name = 'sum3';
  readonly generatorVersion = 1;
  readonly alphabet = '0123456789,=?YN';
  readonly specials: readonly string[] = [];

  sample(rng: Rng): Sum3Problem {
    const digits = rng.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).slice(0, SUM3_LIST_LENGTH);
    const pick = rng.shuffle([0, 1, 2, 3, 4, 5]).slice(0, 3);
    const target = pick.reduce((s, i) => s + digits[i]!, 0);
    return { digits, target };
  }

  prompt(p: Sum3Problem): string {
    return `${p.digits.join('')},${String(p.target).padStart(2, '0')}=`;
  }

  /** A uniformly chosen valid answer. */
  target(p: Sum3Problem, rng: Rng): string {
    const all = this.answers(p);
    return all[rng.int(all.length)]!;
  }

  /** Every ascending triple of list digits summing to the target, in lexicographic order. */
  answers(p: Sum3Problem): string[] {
    const d = [...p.digits].sort((a, b) => a - b);
    const out: string[] = [];
    for (let i = 0; i < d.length; i++)
      for (let j = i + 1; j < d.length; j++)
        for (let k = j + 1; k < d.length; k++) if (d[i]! + d[j]! + d[k]! === p.target) out.push(`${d[i]}${d[j]}${d[k]}`);
    return out;
  }

  /** Strict: exactly three digits, strictly ascending, each in the list, summing to the target. */
  evaluate(p: Sum3Problem, completion: string): Evaluation {
    if (!/^[0-9]{3}$/.test(completion)) return { correct: false, answer: null };
    const [a, b, c] = [...completion].map(Number) as [number, number, number];
    const correct = a < b && b < c && [a, b, c].every((x) => p.digits.includes(x)) && a + b + c === p.target;
    return { correct, answer: completion };
  }

  key(p: Sum3Problem): string {
    return `${p.digits.join('')}:${p.target}`;
  }

  checkPrompt(p: Sum3Problem, answer: string): string {
    return `?${p.digits.join('')},${String(p.target).padStart(2, '0')},${answer}=`;
  }

  noiseCandidate(p: Sum3Problem, rng: Rng): string {
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b).join('');
    const u = rng.uniform();
    if (u < 0.4) return sorted(rng.shuffle([...p.digits]).slice(0, 3));
    if (u < 0.8) {
      const [a, b] = rng.shuffle([...p.digits]).slice(0, 2) as [number, number];
      const fix = p.target - a - b;
      // The fixing digit must be a digit; otherwise fall back to a random list triple (the first branch).
      if (fix >= 0 && fix <= 9) return sorted([a, b, fix]);
      return sorted(rng.shuffle([...p.digits]).slice(0, 3));
    }
    return sorted([rng.int(10), rng.int(10), rng.int(10)]);
  }

  toJSON(p: Sum3Problem): unknown {
    return { digits: p.digits.join(''), target: p.target };
  }

  fromJSON(json: unknown): Sum3Problem {
    const where = `${this.name}.fromJSON`;
    const target = integerField(json, 'target', 3, 24, where);
    const s = (json as Record<string, unknown>)['digits'];
    if (typeof s !== 'string' || !/^[0-9]{6}$/.test(s) || new Set(s).size !== SUM3_LIST_LENGTH)
      throw new Error(`${where}: field digits must be a string of 6 distinct digits, got ${JSON.stringify(s)}`);
    return { digits: [...s].map(Number), target };
  }
}
