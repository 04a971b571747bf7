/**
 * A model's own verdict on candidate answers, the verifier score u of the generation-verification gap (Song et al.,
 * "Mind the Gap", arXiv 2412.02674: the "multiple choice" style, the probability the model gives to "correct"): for
 * a `CheckableTask`, u = P(Y) / (P(Y) + P(N)) at the position after the CHECK prompt `?q,a=`, from one teacher-forced
 * forward pass. The true checker never enters it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GPT } from '../model/gpt.js';
import { VERDICT_NO, VERDICT_YES, type CheckableTask } from '../tasks/check.js';
import { Tokenizer } from '../tasks/tokenizer.js';

/**
 * u for each (problem, candidate) pair, in chunks of right-padded rows. Candidates are token ids (a model's sample
 * may hold any token, special ones included), spliced into the CHECK prompt's text where the answer goes.
 */
export function verifyScores<P>(
  model: GPT,
  tokenizer: Tokenizer,
  task: CheckableTask<P>,
  problems: readonly P[],
  candidates: readonly Int32Array[],
): Float32Array {
  if (problems.length !== candidates.length)
    throw new Error(`verifyScores: problems (${problems.length}) and candidates (${candidates.length}) differ in length`);
  const MARK = '0';
  const yes = tokenizer.encode(VERDICT_YES)[0]!;
  const no = tokenizer.encode(VERDICT_NO)[0]!;
  // Render the prompt around a one-character placeholder, then splice in the candidate's ids.
  const rows = problems.map((p, i) => {
    const text = task.checkPrompt(p, MARK);
    const at = text.lastIndexOf(`${MARK}=`);
    const before = tokenizer.encode(text.slice(0, at));
    const after = tokenizer.encode(text.slice(at + 1));
    const c = candidates[i]!;
    const ids = new Int32Array(1 + before.length + c.length + after.length);
    ids[0] = Tokenizer.BOS;
    ids.set(before, 1);
    ids.set(c, 1 + before.length);
    ids.set(after, 1 + before.length + c.length);
    return ids;
  });
  const L = Math.max(...rows.map((r) => r.length));
  if (L > model.config.contextLength)
    throw new Error(`verifyScores: a CHECK prompt needs ${L} positions, more than contextLength ${model.config.contextLength}`);
  const out = new Float32Array(rows.length);
  const chunk = 512;
  for (let r0 = 0; r0 < rows.length; r0 += chunk) {
    const B = Math.min(chunk, rows.length - r0);
    const buf = new Int32Array(B * L); // PAD after each row (causal: harmless)
    for (let b = 0; b < B; b++) buf.set(rows[r0 + b]!, b * L);
    const z = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(buf, [B, L], 'int32')); // [B, L, V]
      return tf.gather(logits, tf.tensor1d([yes, no], 'int32'), 2); // [B, L, 2]
    });
    const zs = z.dataSync();
    z.dispose();
    for (let b = 0; b < B; b++) {
      const t = rows[r0 + b]!.length - 1;
      const zy = zs[(b * L + t) * 2]!;
      const zn = zs[(b * L + t) * 2 + 1]!;
      out[r0 + b] = 1 / (1 + Math.exp(zn - zy));
    }
  }
  return out;
}
