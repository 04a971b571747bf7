/**
 * "key-chain": multi-hop lookup in a mapping given in the prompt (the toy task of issue 18, in the spirit of
 * Coconut's ProsQA: Hao et al. 2024, arXiv 2412.06769, section 4.1). Each problem draws a fresh random mapping, so it
 * must be read from the prompt, not memorised; answering after h hops takes h sequential lookups.
 *
 * A problem: `nodes` letters (a, b, c, ...), a mapping that sends each node to the next along one random cycle
 * through all of them (so a walk of h < nodes hops never revisits a node and never ends where it started), the
 * edges listed in a random order, a start node and a hop count h.
 *   prompt   "cf,ae,dc,fa,bd,eb|3c"       edges "xy" (x maps to y), then "|", hops, start
 *   walk     c -> f -> a -> e             so the answer is "e"
 *   trace completion   "fae"              every node visited, the answer last (one lookup per token)
 *   answer completion  "e"
 * The prompt ends on the start node, so every lookup (the answer's, each trace token's) reads the edge of the
 * current token, and the prompt plus a trace spells the path ("...|3cfae").
 * `traceAfter(p, d)` is the trace without its first d nodes: Coconut's curriculum replaces written steps by
 * continuous thoughts one stage at a time (d = h - 1 leaves the answer alone).
 *
 * Evaluation reads 1..h node letters; the last one is the answer (correct when it is the walk's end). A shorter
 * completion is a partial trace (its written nodes are checked against the end of the walk); any other text is
 * unparsable. The prompt never forces a format: `written` reports how many nodes the model wrote.
 * `key` is the mapping (by source node), the start and h: the edge order is rendering, so a held-out problem stays
 * held out in every order and format.
 */
import type { Rng } from '../random.js';
import { integerField, type Evaluation, type Task } from './task.js';

export interface KeyChainProblem {
  /** next[i]: the node that node i maps to (one cycle through all nodes). */
  next: number[];
  /** Source nodes in prompt order (a permutation of 0..nodes-1). */
  order: number[];
  start: number;
  hops: number;
}

export interface KeyChainEvaluation extends Evaluation {
  hops: number;
  /** Node letters the completion wrote (1 = answer only, h = the full trace); null when unparsable. */
  written: number | null;
  /** With 2 or more written nodes: whether they are the walk's last `written` nodes; null otherwise. */
  traceCorrect: boolean | null;
}

export type KeyChainFormat = 'trace' | 'answer';

export interface KeyChainConfig {
  /** Number of nodes, 3..26 (letters a..). Default 8. */
  nodes?: number;
  /** Hop counts a problem is drawn from (uniformly), each in [1, min(9, nodes - 1)]. Default [1, 2, 3, 4]. */
  hops?: readonly number[];
  /** Training completion: the walk's nodes ('trace', for chain of thought) or only its end ('answer'). Default 'answer'. */
  format?: KeyChainFormat;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const CONFIG_KEYS = ['nodes', 'hops', 'format'];

export class KeyChainTask implements Task<KeyChainProblem, KeyChainEvaluation> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet: string;
  readonly specials: readonly string[] = [];
  readonly nodes: number;
  readonly hops: readonly number[];
  readonly format: KeyChainFormat;
  private readonly letters: string;

  constructor(config: KeyChainConfig = {}) {
    for (const k of Object.keys(config))
      if (!CONFIG_KEYS.includes(k)) throw new Error(`KeyChainTask: unknown config key ${k} (known: ${CONFIG_KEYS.join(', ')})`);
    const nodes = config.nodes ?? 8;
    if (!(Number.isInteger(nodes) && nodes >= 3 && nodes <= 26))
      throw new Error(`KeyChainTask: nodes must be an integer in [3, 26], got ${nodes}`);
    const maxHops = Math.min(9, nodes - 1);
    const hops = [...(config.hops ?? [1, 2, 3, 4])];
    if (hops.length === 0) throw new Error('KeyChainTask: hops must list at least one hop count');
    for (const h of hops)
      if (!(Number.isInteger(h) && h >= 1 && h <= maxHops))
        throw new Error(`KeyChainTask: hops entries must be integers in [1, ${maxHops}] for ${nodes} nodes, got ${h}`);
    if (new Set(hops).size !== hops.length) throw new Error(`KeyChainTask: hops lists a count twice: ${hops.join(',')}`);
    const format = config.format ?? 'answer';
    if (format !== 'trace' && format !== 'answer')
      throw new Error(`KeyChainTask: format must be "trace" or "answer", got ${JSON.stringify(format)}`);
    this.nodes = nodes;
    this.hops = hops.sort((a, b) => a - b);
    this.format = format;
    this.letters = LETTERS.slice(0, nodes);
    // Every hop digit, whatever `hops` lists, so tasks that differ only in hops share a tokenizer.
    this.alphabet = `${this.letters}123456789,|`;
    this.name = `key-chain-n${nodes}-h${this.hops.join('')}${format === 'trace' ? '-trace' : ''}`;
  }

  sample(rng: Rng): KeyChainProblem {
    return this.sampleWithHops(rng, this.hops[rng.int(this.hops.length)]!);
  }

  /** A problem with exactly `hops` hops (one of this task's hop counts), e.g. for evaluation by hop count. */
  sampleWithHops(rng: Rng, hops: number): KeyChainProblem {
    if (!this.hops.includes(hops)) throw new Error(`KeyChainTask.sampleWithHops: hops must be one of ${this.hops.join(', ')}, got ${hops}`);
    const N = this.nodes;
    const cycle = rng.shuffle([...Array(N).keys()]);
    const next = new Array<number>(N);
    for (let i = 0; i < N; i++) next[cycle[i]!] = cycle[(i + 1) % N]!;
    return { next, order: rng.shuffle([...Array(N).keys()]), start: rng.int(N), hops };
  }

  prompt(p: KeyChainProblem): string {
    const L = this.letters;
    return `${p.order.map((x) => L[x]! + L[p.next[x]!]!).join(',')}|${p.hops}${L[p.start]}`;
  }

  /** The walk's nodes after 1, 2, ..., h hops (the last is the answer): what a probe of thought j should find. */
  walk(p: KeyChainProblem): number[] {
    const out: number[] = [];
    for (let i = 0, x = p.start; i < p.hops; i++) out.push((x = p.next[x]!));
    return out;
  }

  target(p: KeyChainProblem): string {
    return this.format === 'trace' ? this.traceAfter(p, 0) : this.answers(p)[0]!;
  }

  /** The trace without its first `dropped` nodes, dropped in [0, h-1] (h-1: the answer only). */
  traceAfter(p: KeyChainProblem, dropped: number): string {
    if (!(Number.isInteger(dropped) && dropped >= 0 && dropped < p.hops))
      throw new Error(`KeyChainTask.traceAfter: dropped must be an integer in [0, ${p.hops - 1}], got ${dropped}`);
    return this.walk(p).slice(dropped).map((x) => this.letters[x]!).join('');
  }

  answers(p: KeyChainProblem): string[] {
    return [this.letters[this.walk(p).at(-1)!]!];
  }

  evaluate(p: KeyChainProblem, completion: string): KeyChainEvaluation {
    const h = p.hops;
    const n = completion.length;
    if (n < 1 || n > h || [...completion].some((c) => !this.letters.includes(c)))
      return { correct: false, answer: null, hops: h, written: null, traceCorrect: null };
    const answer = completion[n - 1]!;
    const trace = this.traceAfter(p, 0);
    return {
      correct: answer === trace[h - 1],
      answer,
      hops: h,
      written: n,
      traceCorrect: n >= 2 ? completion === trace.slice(h - n) : null,
    };
  }

  key(p: KeyChainProblem): string {
    return `${this.spell(p.next)}:${this.letters[p.start]}${p.hops}`;
  }

  toJSON(p: KeyChainProblem): unknown {
    return { next: this.spell(p.next), order: this.spell(p.order), start: this.letters[p.start], hops: p.hops };
  }

  fromJSON(json: unknown): KeyChainProblem {
    const where = `${this.name}.fromJSON`;
    const hops = integerField(json, 'hops', 1, 9, where);
    if (!this.hops.includes(hops)) throw new Error(`${where}: field hops must be one of ${this.hops.join(', ')}, got ${hops}`);
    const j = json as Record<string, unknown>;
    const next = this.permutation(j['next'], 'next', where);
    const order = this.permutation(j['order'], 'order', where);
    let len = 1;
    for (let x = next[0]!; x !== 0; x = next[x]!) len++;
    if (len !== this.nodes) throw new Error(`${where}: field next must be one cycle through all ${this.nodes} nodes, got ${JSON.stringify(j['next'])}`);
    const s = j['start'];
    if (typeof s !== 'string' || s.length !== 1 || !this.letters.includes(s))
      throw new Error(`${where}: field start must be one of the letters ${this.letters}, got ${JSON.stringify(s)}`);
    return { next, order, start: this.letters.indexOf(s), hops };
  }

  private spell(xs: readonly number[]): string {
    return xs.map((x) => this.letters[x]!).join('');
  }

  private permutation(v: unknown, field: string, where: string): number[] {
    if (typeof v !== 'string' || v.length !== this.nodes || new Set(v).size !== this.nodes || [...v].some((c) => !this.letters.includes(c)))
      throw new Error(`${where}: field ${field} must spell each of the letters ${this.letters} once, got ${JSON.stringify(v)}`);
    return [...v].map((c) => this.letters.indexOf(c));
  }
}
