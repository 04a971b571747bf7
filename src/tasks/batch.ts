/**
 * (prompt, completion) pairs to training batches as plain typed arrays, and prompts to generation inputs.
 *
 * Every sequence is  BOS prompt completion EOS  then PAD up to T+1 tokens. Row b of the batch holds its first T
 * tokens as inputs and the next token at each position as targets (targets[t] = sequence[t+1]). The mask is 1
 * exactly where the target is a completion token or the final EOS, 0 where it is a prompt token or PAD, so the loss
 * is on the answer only. A generation input is  BOS prompt , the same prefix the model saw in training.
 */
import { Tokenizer } from './tokenizer.js';

export interface Example {
  prompt: string;
  /** Without EOS (it is appended here). */
  completion: string;
}

/** Already tokenized pieces, e.g. sampled rollouts. `prompt` includes BOS; `completion` includes EOS if emitted. */
export interface TokenizedExample {
  prompt: Int32Array;
  completion: Int32Array;
}

export interface Batch {
  tokens: Int32Array; // [B*T] inputs, row-major
  targets: Int32Array; // [B*T] next token (PAD where none)
  mask: Float32Array; // [B*T] 1 where the target is a completion token or EOS
  batchSize: number; // B
  seqLen: number; // T
}

/** `BOS prompt` for a sampler, one array per prompt. */
export function encodePrompts(tokenizer: Tokenizer, prompts: readonly string[]): Int32Array[] {
  return prompts.map((p) => {
    const ids = tokenizer.encode(p);
    const out = new Int32Array(ids.length + 1);
    out[0] = Tokenizer.BOS;
    out.set(ids, 1);
    return out;
  });
}

/** Tokenize text examples: `BOS prompt` and `completion EOS`. */
export function tokenizeExamples(tokenizer: Tokenizer, examples: readonly Example[]): TokenizedExample[] {
  const prompts = encodePrompts(
    tokenizer,
    examples.map((e) => e.prompt),
  );
  return examples.map((e, i) => {
    const ids = tokenizer.encode(e.completion);
    const completion = new Int32Array(ids.length + 1);
    completion.set(ids);
    completion[ids.length] = Tokenizer.EOS;
    return { prompt: prompts[i]!, completion };
  });
}

/** Input positions an example needs: its token count minus one (the last token is only a target). */
export function inputLength(example: TokenizedExample): number {
  return example.prompt.length + example.completion.length - 1;
}

/** Text examples to a batch of exactly `seqLen` positions per row (see the file comment for the layout). */
export function makeBatch(tokenizer: Tokenizer, examples: readonly Example[], seqLen: number): Batch {
  return packBatch(tokenizeExamples(tokenizer, examples), seqLen);
}

/**
 * Tokenized examples to a batch of exactly `seqLen` positions per row. An example needing more positions than
 * `seqLen` is an error naming its index and length; use `Math.max(...examples.map(inputLength))` for the shortest
 * batch that fits.
 */
export function packBatch(examples: readonly TokenizedExample[], seqLen: number): Batch {
  if (examples.length === 0) throw new Error('packBatch: examples must not be empty');
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`packBatch: seqLen must be a positive integer, got ${seqLen}`);
  const B = examples.length;
  const T = seqLen;
  const tokens = new Int32Array(B * T); // PAD = 0 everywhere not written
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (const [b, ex] of examples.entries()) {
    if (ex.prompt.length < 1 || ex.prompt[0] !== Tokenizer.BOS) {
      throw new Error(`packBatch: examples[${b}].prompt must start with BOS (id ${Tokenizer.BOS})`);
    }
    if (ex.completion.length < 1) throw new Error(`packBatch: examples[${b}].completion must hold at least one token`);
    const need = inputLength(ex);
    if (need > T) {
      throw new Error(
        `packBatch: examples[${b}] needs ${need} positions (prompt ${ex.prompt.length} incl. BOS + completion ` +
          `${ex.completion.length} incl. EOS - 1), more than seqLen ${T}`,
      );
    }
    const row = b * T;
    const P = ex.prompt.length;
    tokens.set(ex.prompt, row);
    tokens.set(ex.completion.subarray(0, ex.completion.length - 1), row + P);
    targets.set(ex.prompt.subarray(1), row);
    targets.set(ex.completion, row + P - 1);
    mask.fill(1, row + P - 1, row + P - 1 + ex.completion.length);
  }
  return { tokens, targets, mask, batchSize: B, seqLen: T };
}

/** A batch with thought slots (src/model/latent.ts): row b's thoughts are slots [thoughtStart[b], +thoughtSteps[b]). */
export interface ThoughtBatch extends Batch {
  /** Prompt length of each row including BOS: its first thought slot. */
  thoughtStart: Int32Array;
  thoughtSteps: Int32Array;
}

/**
 * Like `makeBatch`, with `steps` thought slots (one count for all rows, or one per example) between each prompt
 * and its completion:  BOS prompt, PAD x steps, completion EOS. The thought slots hold PAD (a latent model never
 * reads them) and have mask 0; the last thought's target is the first completion token, so the loss is on the
 * completion only, as in `makeBatch`.
 */
export function makeThoughtBatch(
  tokenizer: Tokenizer,
  examples: readonly Example[],
  steps: number | ArrayLike<number>,
  seqLen: number,
): ThoughtBatch {
  const per = typeof steps === 'number' ? new Int32Array(examples.length).fill(steps) : Int32Array.from(steps);
  if (per.length !== examples.length)
    throw new Error(`makeThoughtBatch: steps has ${per.length} entries, expected one per example (${examples.length})`);
  per.forEach((k, i) => {
    if (!(Number.isInteger(k) && k >= 0)) throw new Error(`makeThoughtBatch: steps[${i}] must be an integer >= 0, got ${k}`);
  });
  const tokenized = tokenizeExamples(tokenizer, examples).map((ex, i) => {
    const prompt = new Int32Array(ex.prompt.length + per[i]!); // trailing PADs are the thought slots
    prompt.set(ex.prompt);
    return { prompt, completion: ex.completion };
  });
  const batch = packBatch(tokenized, seqLen);
  const thoughtStart = Int32Array.from(tokenized, (ex, i) => ex.prompt.length - per[i]!);
  return { ...batch, thoughtStart, thoughtSteps: per };
}
