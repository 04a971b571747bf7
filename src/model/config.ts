/**
 * The tiny GPT's configuration: a typed record with a documented default per field (nanoGPT's `GPTConfig`), and a
 * validator that turns untyped input (a notebook's parameters cell, a checkpoint's JSON) into one.
 */

export interface GPTConfig {
  /** Number of token ids (the tokenizer's vocabulary size, special tokens included). No default. */
  vocabSize: number;
  /** Longest sequence the model sees (learned positions exist for 0..contextLength-1). Default 64. */
  contextLength: number;
  /** Width of the residual stream. Default 128. */
  dModel: number;
  /** Attention heads per layer; must divide dModel. Default 4. */
  nHeads: number;
  /** Transformer blocks. Default 2. */
  nLayers: number;
  /** MLP hidden width = mlpRatio * dModel. Default 4. */
  mlpRatio: number;
}

/** Defaults for every field but vocabSize (which depends on the tokenizer). */
export const GPT_DEFAULTS: Omit<GPTConfig, 'vocabSize'> = {
  contextLength: 64,
  dModel: 128,
  nHeads: 4,
  nLayers: 2,
  mlpRatio: 4,
};

const KEYS = ['vocabSize', 'contextLength', 'dModel', 'nHeads', 'nLayers', 'mlpRatio'] as const;

/**
 * Validates `partial` and fills defaults. Errors name the offending field: an unknown key (listing the valid ones),
 * a missing vocabSize, a size that is not a positive integer, or dModel not divisible by nHeads.
 */
export function gptConfig(partial: unknown): GPTConfig {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
    throw new Error(`gptConfig: expected an object with fields ${KEYS.join(', ')}, got ${String(partial)}`);
  const given = partial as Record<string, unknown>;
  for (const k of Object.keys(given))
    if (!(KEYS as readonly string[]).includes(k))
      throw new Error(`gptConfig: unknown key "${k}"; valid keys are ${KEYS.join(', ')}`);
  if (given['vocabSize'] === undefined) throw new Error('gptConfig: vocabSize is required (a positive integer)');
  const out = { ...GPT_DEFAULTS } as Record<string, number>;
  for (const k of KEYS) {
    const v = given[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new Error(`gptConfig: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  const cfg = out as unknown as GPTConfig;
  if (cfg.dModel % cfg.nHeads !== 0)
    throw new Error(`gptConfig: dModel (${cfg.dModel}) must be divisible by nHeads (${cfg.nHeads})`);
  return cfg;
}

/** The reference model of the benchmark (issue 2): vocab 32, context 64, dModel 128, 4 heads, 2 layers, MLP 4x. */
export const REFERENCE_CONFIG: GPTConfig = { vocabSize: 32, ...GPT_DEFAULTS };
