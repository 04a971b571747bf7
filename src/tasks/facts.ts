/**
 * "facts": the factual control of the generation-verification gap (claim 1, Song et al., arXiv 2412.02674): a random
 * table of 3-letter keys -> 2-digit values, drawn once from `tableSeed`. Nothing about a value can be computed;
 * generating it and checking it both need the very fact, so a model should verify no better than it recalls.
 *   prompt "qzk="   target "47"   CHECK "?qzk,47=" -> "Y" | "N"
 * Noise candidates: 50% the value of another key, 50% a uniform value 10..99 (either may happen to be right).
 *
 * Hold-out: `key(p)` is the table key, so a held-out split keeps the CHECK renderings of evaluation keys out of
 * training. Their GENERATION examples must be trained on (a fact never seen cannot be recalled): the experiment draws
 * generation examples from the whole table (`sampleAny`) and CHECK examples from the training split only, so the
 * verifier is evaluated on facts it has only ever been asked to produce, as in the paper's Natural Questions setting.
 */
import { Rng } from '../random.js';
import type { CheckableTask } from './check.js';
import { canonicalNatural, integerField, type Evaluation } from './task.js';

export interface FactsProblem {
  /** Row of the table. */
  index: number;
}

export interface FactsConfig {
  /** Table rows, 10..10000 (distinct 3-letter keys). Default 2000 (the prototype's 600 hit the ceiling at 64x2). */
  numKeys?: number;
  /** Seed of the table. Default 0. */
  tableSeed?: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export class FactsTask implements CheckableTask<FactsProblem> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet = `${LETTERS}0123456789,=?YN`;
  readonly specials: readonly string[] = [];
  readonly numKeys: number;
  readonly tableSeed: number;
  readonly keys: readonly string[];
  readonly values: readonly number[];

  constructor(config: FactsConfig = {}) {
    for (const k of Object.keys(config))
      if (k !== 'numKeys' && k !== 'tableSeed') throw new Error(`FactsTask: unknown config key ${k} (known: numKeys, tableSeed)`);
    const numKeys = config.numKeys ?? 2000;
    const tableSeed = config.tableSeed ?? 0;
    if (!Number.isInteger(numKeys) || numKeys < 10 || numKeys > 10000)
      throw new Error(`FactsTask: numKeys must be an integer in [10, 10000], got ${numKeys}`);
    if (!Number.isInteger(tableSeed)) throw new Error(`FactsTask: tableSeed must be an integer, got ${tableSeed}`);
    this.numKeys = numKeys;
    this.tableSeed = tableSeed;
    this.name = `facts-${numKeys}-t${tableSeed}`;
    const rng = new Rng(`facts-table/${tableSeed}`);
    const seen = new Set<string>();
    const keys: string[] = [];
    const values: number[] = [];
    while (keys.length < numKeys) {
      const k = LETTERS[rng.int(26)]! + LETTERS[rng.int(26)]! + LETTERS[rng.int(26)]!;
      if (seen.has(k)) continue;
      seen.add(k);
      keys.push(k);
      values.push(10 + rng.int(90));
    }
    this.keys = keys;
    this.values = values;
  }

  /** A uniform row. Held-out splits use `sample`; generation training uses it directly (see the file comment). */
  sample(rng: Rng): FactsProblem {
    return { index: rng.int(this.numKeys) };
  }

  prompt(p: FactsProblem): string {
    return `${this.keys[p.index]}=`;
  }

  target(p: FactsProblem): string {
    return String(this.values[p.index]);
  }

  answers(p: FactsProblem): string[] {
    return [String(this.values[p.index])];
  }

  evaluate(p: FactsProblem, completion: string): Evaluation {
    const answer = canonicalNatural(completion);
    return { correct: answer === String(this.values[p.index]), answer };
  }

  key(p: FactsProblem): string {
    return this.keys[p.index]!;
  }

  checkPrompt(p: FactsProblem, answer: string): string {
    return `?${this.keys[p.index]},${answer}=`;
  }

  noiseCandidate(_p: FactsProblem, rng: Rng): string {
    if (rng.bernoulli(0.5)) return String(this.values[rng.int(this.numKeys)]);
    return String(10 + rng.int(90));
  }

  toJSON(p: FactsProblem): unknown {
    return { index: p.index };
  }

  fromJSON(json: unknown): FactsProblem {
    return { index: integerField(json, 'index', 0, this.numKeys - 1, `${this.name}.fromJSON`) };
  }
}
