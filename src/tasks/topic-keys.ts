/**
 * "topic keys": a one-token-answer task with two valid answers per prompt, built for claim 4 (Zhu et al., "The
 * Surprising Effectiveness of Negative Reinforcement in LLM Reasoning", arXiv 2506.01347). The design study
 * (issue 8) needs a base that is imperfect at large k (pass@64 ~ 0.85-0.95), whose unsolved prompts need outputs the
 * majority of samples does not reinforce, and several valid answers where the rarer one matters.
 *
 *   prompt  "bkf="   (primary topic b, then two context topics k, f; all distinct)
 *   answer  "C"      (one of 12 answer letters A..L)
 *
 * Fixed by `taskSeed`: each topic has two valid answers, key1 (the common one) and key2 (the rarer one), and
 * `hardTopics` of the 16 topics are hard. The prompt never says which topic is primary or whether it is hard; the
 * base learns both from its corpus (the primary one is always first).
 *
 * Pretraining corpus (`target`, the distribution `corpusDistribution` returns): for a triple with primary p,
 *   y = key1(p) with probability q1, key2(p) with q1 / key2Ratio, otherwise
 *   y ~ softmax(W[c1] + W[c2] + H[triple]) over the 10 wrong answers,
 * with W a 16 x 12 table of N(0, contextStd^2) context biases (learnable from the corpus: it generalises to unseen
 * triples) and H a per-triple N(0, tripleStd^2) table (idiosyncratic: it does not generalise). q1 = q1Easy on easy
 * topics; on hard topics q1 is drawn per triple from U(hardQ1[0], hardQ1[1]), so a hard prompt's correct answers
 * have ~1-3% probability and pass@64 on it is well below 1.
 *
 * Held-out split: by ordered triple (`key` = "pcc"), with the standard hash rule of dataset.ts at
 * `heldOutFraction` (default 0.2): held-out prompts combine seen topics in unseen triples.
 */
import { Rng } from '../random.js';
import { isHeldOut, sampleTrainProblem } from './dataset.js';
import type { Example } from './batch.js';
import { integerField, type Evaluation, type Task } from './task.js';

export const TOPIC_LETTERS = 'abcdefghijklmnop';
export const ANSWER_LETTERS = 'ABCDEFGHIJKL';
const NUM_TOPICS = TOPIC_LETTERS.length;
const NUM_ANSWERS = ANSWER_LETTERS.length;

export interface TopicKeysProblem {
  /** Primary topic, 0..15: it decides the valid answers. */
  p: number;
  /** Context topics, 0..15, distinct from p and from each other. */
  c1: number;
  c2: number;
}

export interface TopicKeysEvaluation extends Evaluation {
  /** Which valid answer the completion gave: 'key1', 'key2', or null (wrong or unparsable). */
  which: 'key1' | 'key2' | null;
}

export interface TopicKeysConfig {
  /** Seed of the keys, the hard topics and the W, H and hard-q1 tables. Default 0. */
  taskSeed?: number;
  /** Corpus probability of key1 on easy topics, in (0, 1). Default 0.45. */
  q1Easy?: number;
  /** Range [lo, hi] of the per-triple key1 probability on hard topics, 0 <= lo <= hi < 1. Default [0.005, 0.03]. */
  hardQ1?: [number, number];
  /** key2's corpus probability is q1 / key2Ratio (> 0). Default 4.5. */
  key2Ratio?: number;
  /** Number of hard topics, 0..16. Default 5. */
  hardTopics?: number;
  /** Std of the context-bias table W. Default 1.5. */
  contextStd?: number;
  /** Std of the per-triple table H. Default 1. */
  tripleStd?: number;
  /** Fraction of triples held out for evaluation, in (0, 1). Default 0.2. */
  heldOutFraction?: number;
}

const CONFIG_KEYS = ['taskSeed', 'q1Easy', 'hardQ1', 'key2Ratio', 'hardTopics', 'contextStd', 'tripleStd', 'heldOutFraction'] as const;

function tripleIndex(p: TopicKeysProblem): number {
  return (p.p * NUM_TOPICS + p.c1) * NUM_TOPICS + p.c2;
}

export class TopicKeysTask implements Task<TopicKeysProblem, TopicKeysEvaluation> {
  readonly name: string;
  readonly generatorVersion = 1;
  readonly alphabet = `${TOPIC_LETTERS}${ANSWER_LETTERS}=`;
  readonly specials: readonly string[] = [];
  readonly config: Required<TopicKeysConfig>;
  /** [16] answer index of each topic's key1 and key2 (distinct). */
  readonly key1: readonly number[];
  readonly key2: readonly number[];
  /** [16] whether each topic is hard. */
  readonly hard: readonly boolean[];
  /** [16 * 12] context biases, row per topic. */
  private readonly W: Float64Array;
  /** [16^3 * 12] per-triple biases (only distinct triples are used). */
  private readonly H: Float64Array;
  /** [16^3] key1 probability per triple. */
  private readonly q1: Float64Array;

  constructor(config: TopicKeysConfig = {}) {
    for (const k of Object.keys(config))
      if (!(CONFIG_KEYS as readonly string[]).includes(k)) throw new Error(`TopicKeysTask: unknown config key ${k} (known: ${CONFIG_KEYS.join(', ')})`);
    const c: Required<TopicKeysConfig> = {
      taskSeed: config.taskSeed ?? 0,
      q1Easy: config.q1Easy ?? 0.45,
      hardQ1: config.hardQ1 ?? [0.005, 0.03],
      key2Ratio: config.key2Ratio ?? 4.5,
      hardTopics: config.hardTopics ?? 5,
      contextStd: config.contextStd ?? 1.5,
      tripleStd: config.tripleStd ?? 1,
      heldOutFraction: config.heldOutFraction ?? 0.2,
    };
    if (!Number.isInteger(c.taskSeed)) throw new Error(`TopicKeysTask: taskSeed must be an integer, got ${c.taskSeed}`);
    const q2max = (q: number) => q + q / c.key2Ratio;
    if (!(c.key2Ratio > 0 && Number.isFinite(c.key2Ratio))) throw new Error(`TopicKeysTask: key2Ratio must be finite and > 0, got ${c.key2Ratio}`);
    if (!(c.q1Easy > 0 && q2max(c.q1Easy) < 1)) throw new Error(`TopicKeysTask: q1Easy must be in (0, 1) with q1Easy * (1 + 1/key2Ratio) < 1, got ${c.q1Easy}`);
    const [lo, hi] = Array.isArray(c.hardQ1) && c.hardQ1.length === 2 ? c.hardQ1 : [NaN, NaN];
    if (!(lo! >= 0 && lo! <= hi! && q2max(hi!) < 1)) throw new Error(`TopicKeysTask: hardQ1 must be [lo, hi] with 0 <= lo <= hi and hi * (1 + 1/key2Ratio) < 1, got ${JSON.stringify(c.hardQ1)}`);
    if (!(Number.isInteger(c.hardTopics) && c.hardTopics >= 0 && c.hardTopics <= NUM_TOPICS))
      throw new Error(`TopicKeysTask: hardTopics must be an integer in [0, ${NUM_TOPICS}], got ${c.hardTopics}`);
    for (const k of ['contextStd', 'tripleStd'] as const)
      if (!(c[k] >= 0 && Number.isFinite(c[k]))) throw new Error(`TopicKeysTask: ${k} must be finite and >= 0, got ${c[k]}`);
    if (!(c.heldOutFraction > 0 && c.heldOutFraction < 1)) throw new Error(`TopicKeysTask: heldOutFraction must be in (0, 1), got ${c.heldOutFraction}`);
    this.config = c;
    this.name = `topic-keys-t${c.taskSeed}-q${c.q1Easy}-h${c.hardTopics}x${lo}-${hi}-r${c.key2Ratio}-w${c.contextStd}-n${c.tripleStd}`;

    const rng = new Rng(`topic-keys/${c.taskSeed}`);
    const keys = rng.fork('keys');
    const key1: number[] = [];
    const key2: number[] = [];
    for (let t = 0; t < NUM_TOPICS; t++) {
      const a = keys.int(NUM_ANSWERS);
      let b = keys.int(NUM_ANSWERS - 1);
      if (b >= a) b++;
      key1.push(a);
      key2.push(b);
    }
    this.key1 = key1;
    this.key2 = key2;
    const order = Array.from({ length: NUM_TOPICS }, (_, i) => i);
    rng.fork('hard').shuffle(order);
    const hard = new Array<boolean>(NUM_TOPICS).fill(false);
    for (const t of order.slice(0, c.hardTopics)) hard[t] = true;
    this.hard = hard;
    this.W = Float64Array.from(rng.fork('W').normals(NUM_TOPICS * NUM_ANSWERS, c.contextStd));
    this.H = Float64Array.from(rng.fork('H').normals(NUM_TOPICS ** 3 * NUM_ANSWERS, c.tripleStd));
    const qr = rng.fork('q1');
    this.q1 = Float64Array.from({ length: NUM_TOPICS ** 3 }, (_, i) => {
      const u = qr.uniform();
      return hard[Math.floor(i / NUM_TOPICS ** 2)] ? lo! + (hi! - lo!) * u : c.q1Easy;
    });
  }

  /** A uniform ordered triple of distinct topics. */
  sample(rng: Rng): TopicKeysProblem {
    const p = rng.int(NUM_TOPICS);
    let c1 = rng.int(NUM_TOPICS - 1);
    if (c1 >= p) c1++;
    const [a, b] = p < c1 ? [p, c1] : [c1, p];
    let c2 = rng.int(NUM_TOPICS - 2);
    if (c2 >= a) c2++;
    if (c2 >= b) c2++;
    return { p, c1, c2 };
  }

  prompt(q: TopicKeysProblem): string {
    return `${TOPIC_LETTERS[q.p]}${TOPIC_LETTERS[q.c1]}${TOPIC_LETTERS[q.c2]}=`;
  }

  /** A corpus answer drawn from `corpusDistribution`. */
  target(q: TopicKeysProblem, rng: Rng): string {
    return ANSWER_LETTERS[rng.categorical(Array.from(this.corpusDistribution(q)))]!;
  }

  /** [12] the corpus distribution over answers for this triple (see the module comment). */
  corpusDistribution(q: TopicKeysProblem): Float64Array {
    const k1 = this.key1[q.p]!;
    const k2 = this.key2[q.p]!;
    const q1 = this.q1[tripleIndex(q)]!;
    const q2 = q1 / this.config.key2Ratio;
    const out = new Float64Array(NUM_ANSWERS);
    const h = tripleIndex(q) * NUM_ANSWERS;
    let z = 0;
    let max = -Infinity;
    const logits = new Float64Array(NUM_ANSWERS);
    for (let a = 0; a < NUM_ANSWERS; a++) {
      logits[a] = this.W[q.c1 * NUM_ANSWERS + a]! + this.W[q.c2 * NUM_ANSWERS + a]! + this.H[h + a]!;
      if (a !== k1 && a !== k2) max = Math.max(max, logits[a]!);
    }
    for (let a = 0; a < NUM_ANSWERS; a++) {
      if (a === k1 || a === k2) continue;
      out[a] = Math.exp(logits[a]! - max);
      z += out[a]!;
    }
    for (let a = 0; a < NUM_ANSWERS; a++) out[a] = (out[a]! / z) * (1 - q1 - q2);
    out[k1] = q1;
    out[k2] = q2;
    return out;
  }

  /** Whether the primary topic is hard (the class the notebook reports separately). */
  isHard(q: TopicKeysProblem): boolean {
    return this.hard[q.p]!;
  }

  answers(q: TopicKeysProblem): string[] {
    return [ANSWER_LETTERS[this.key1[q.p]!]!, ANSWER_LETTERS[this.key2[q.p]!]!];
  }

  evaluate(q: TopicKeysProblem, completion: string): TopicKeysEvaluation {
    const a = completion.length === 1 ? ANSWER_LETTERS.indexOf(completion) : -1;
    if (a < 0) return { correct: false, answer: null, which: null };
    const which = a === this.key1[q.p] ? 'key1' : a === this.key2[q.p] ? 'key2' : null;
    return { correct: which !== null, answer: completion, which };
  }

  key(q: TopicKeysProblem): string {
    return this.prompt(q).slice(0, 3);
  }

  toJSON(q: TopicKeysProblem): unknown {
    return { p: q.p, c1: q.c1, c2: q.c2 };
  }

  fromJSON(json: unknown): TopicKeysProblem {
    const where = `${this.name}.fromJSON`;
    const q = {
      p: integerField(json, 'p', 0, NUM_TOPICS - 1, where),
      c1: integerField(json, 'c1', 0, NUM_TOPICS - 1, where),
      c2: integerField(json, 'c2', 0, NUM_TOPICS - 1, where),
    };
    if (q.p === q.c1 || q.p === q.c2 || q.c1 === q.c2) throw new Error(`${where}: topics p, c1, c2 must be distinct, got ${JSON.stringify(json)}`);
    return q;
  }

  /** Every ordered triple of distinct topics (3360), in index order. */
  allTriples(): TopicKeysProblem[] {
    const out: TopicKeysProblem[] = [];
    for (let p = 0; p < NUM_TOPICS; p++)
      for (let c1 = 0; c1 < NUM_TOPICS; c1++)
        for (let c2 = 0; c2 < NUM_TOPICS; c2++) if (p !== c1 && p !== c2 && c1 !== c2) out.push({ p, c1, c2 });
    return out;
  }
}

/** A training-split triple (the task's own held-out fraction), for pretraining batches and RL prompts. */
export function sampleTopicKeysTrain(task: TopicKeysTask, rng: Rng): TopicKeysProblem {
  return sampleTrainProblem(task, rng, task.config.heldOutFraction);
}

/** `n` pretraining lines: uniform training triples, answers drawn from the corpus distribution. */
export function topicKeysExamples(task: TopicKeysTask, rng: Rng, n: number): Example[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`topicKeysExamples: n must be a non-negative integer, got ${n}`);
  const out: Example[] = [];
  for (let i = 0; i < n; i++) {
    const q = sampleTopicKeysTrain(task, rng);
    out.push({ prompt: task.prompt(q), completion: task.target(q, rng) });
  }
  return out;
}

/** Every held-out triple (the task's own fraction), in index order. */
export function topicKeysHeldOut(task: TopicKeysTask): TopicKeysProblem[] {
  return task.allTriples().filter((q) => isHeldOut(task, q, task.config.heldOutFraction));
}
