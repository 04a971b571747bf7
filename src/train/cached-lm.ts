/**
 * A GPT trained with the next-token loss through the training cache: every experiment's pretrained base (and its
 * fine-tuned variants) is one of these, so the cache key, the loss and the stored metadata are written once here.
 * The caller's `key` names everything that determines the weights; `cached` adds the model config's hash input.
 */
import type { GPTConfig } from '../model/config.js';
import type { GPT } from '../model/gpt.js';
import type { Batch } from '../tasks/batch.js';
import { cached } from './cache.js';
import type { TrainConfig } from './config.js';
import { languageModelLoss } from './lm-loss.js';
import { train, type BatchSource } from './trainer.js';

export interface CachedLanguageModelOptions {
  /** Everything that determines the weights besides `modelConfig` (task, data mixture, training config, seeds). */
  key: object;
  modelConfig: GPTConfig;
  /** Stored beside the weights (a Tokenizer's `toJSON()`). */
  tokenizer: unknown;
  /** A fresh model (fresh init, or a copy of a parent's weights to fine-tune). */
  build: () => GPT;
  batches: BatchSource<Batch>;
  config: Partial<TrainConfig>;
  /** Overrides RLREPRO_CACHE_DIR and the default. */
  cacheDir?: string;
}

export interface CachedLanguageModel {
  model: GPT;
  /** True when the weights came from the cache. */
  hit: boolean;
  /** Final training loss, as recorded when the entry was trained. */
  finalLoss: number | null;
  /** Seconds the training took when the entry was made (not this call's time). */
  trainSeconds: number | null;
}

/** Returns the cached model for `key`, or trains one with `languageModelLoss` (silently) and stores it. */
export async function cachedLanguageModel(o: CachedLanguageModelOptions): Promise<CachedLanguageModel> {
  const res = await cached({
    key: o.key,
    modelConfig: o.modelConfig,
    tokenizer: o.tokenizer,
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
    build: o.build,
    train: async (model) => {
      const r = await train({ model, loss: languageModelLoss(model), batches: o.batches, config: o.config, onProgress: false });
      return { seconds: r.seconds, finalLoss: r.history.loss.at(-1) ?? null };
    },
  });
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return { model: res.model, hit: res.hit, finalLoss: num(res.meta['finalLoss']), trainSeconds: num(res.meta['seconds']) };
}
