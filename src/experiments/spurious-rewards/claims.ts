/**
 * Claim checks of claim 3 over the result of `spuriousRewards.execute`: per seed, the held-out change from before to
 * after RL (final minus initial, on the same evaluation stream), as `ClaimSpec`s for `checkClaim`. The paper's
 * numbers are Qwen2.5-Math-7B on MATH-500 (Shao et al., arXiv 2506.10947).
 */
import type { ClaimSpec } from '../../notebook/claims.js';
import { seedDeltas } from '../seed-deltas.js';
import type { SpuriousRewardsResult } from './experiment.js';
import type { SpuriousRunResult, StyleEval } from './run.js';

/** "No gain" margin, fixed before the reported run: half the +0.1 per-answer gain the clip-bias analysis predicts at this scale (bandit on the toy's probabilities), a quarter of the paper's +21.4 pts. */
export const NO_GAIN_MARGIN = { value: 0.05, reason: "half the clip-bias gain predicted at this scale (+0.1), a quarter of the paper's +21.4 pts" } as const;
/** gamma = 0 gives every advantage exactly 0: the run must not move (identical evaluation stream), to numerical noise. */
export const NO_MOVE_MARGIN = { value: 0.01, reason: 'gamma = 0 makes every advantage exactly 0, so only numerical noise may move the model' } as const;

/** The runs of one (base, arm). */
function runsOf(result: SpuriousRewardsResult, base: string, arm: string): SpuriousRunResult[] {
  const rs = result.runs.filter((r) => r.base === base && r.arm === arm);
  if (rs.length === 0) throw new Error(`spurious-rewards claims: no runs of base ${base} with arm ${arm}`);
  return rs;
}

/** Final minus initial held-out value of `metric` per seed, for one (base, arm), in seed order. */
export function gainPerSeed(result: SpuriousRewardsResult, base: string, arm: string, metric: keyof StyleEval = 'accuracy'): number[] {
  const at = (i: 'first' | 'last') => (r: SpuriousRunResult) => {
    const v = r.evals.metrics[metric]!;
    return v[i === 'first' ? 0 : v.length - 1]!;
  };
  return seedDeltas({ runs: runsOf(result, base, arm), value: at('last') }, { value: at('first') });
}

const SRC = 'arXiv 2506.10947';

/** The checks of the claim, in the notebook's order. */
export function spuriousRewardsClaims(result: SpuriousRewardsResult): ClaimSpec[] {
  const gain = (b: string, a: string, m: 'accuracy' | 'freqA' = 'accuracy') => gainPerSeed(result, b, a, m);
  const out: ClaimSpec[] = [
    { id: 'spurious-goodA-random-accuracy', statement: 'good-A + random reward (γ 0.5) + clipping: accuracy rises.', paper: { value: '+21.4 pts', source: `${SRC}, Fig. 1`, effect: 0.214 }, ours: gain('good-A', 'random-0.5'), test: { kind: 'greater', than: 0 } },
    { id: 'spurious-goodA-random-freqA', statement: 'good-A + random reward + clipping: the A-style (code) frequency rises.', paper: { value: '65% → ~90%', source: `${SRC}, section 4` }, ours: gain('good-A', 'random-0.5', 'freqA'), test: { kind: 'greater', than: 0 } },
    { id: 'spurious-noA-random', statement: `no-A + random reward: no accuracy gain above ${NO_GAIN_MARGIN.value}.`, paper: { value: 'flat or negative', source: `${SRC}, Fig. 1 (OLMo2, Llama)` }, ours: gain('no-A', 'random-0.5'), test: { kind: 'notAbove', than: 0, margin: NO_GAIN_MARGIN } },
  ];
  for (const abl of ['random-0.5-no-clip', 'random-0.5-one-update']) {
    out.push({ id: `spurious-${abl}`, statement: `good-A, random reward, ablation ${abl}: no accuracy gain above ${NO_GAIN_MARGIN.value}.`, paper: { value: 'no robust gain', source: `${SRC}, section 4.3` }, ours: gain('good-A', abl), test: { kind: 'notAbove', than: 0, margin: NO_GAIN_MARGIN } });
    const clipped = gain('good-A', 'random-0.5');
    const ablated = gain('good-A', abl);
    out.push({ id: `spurious-clip-beats-${abl}`, statement: `good-A, random reward: the gain with clipping exceeds the gain under ${abl} (paired by seed).`, paper: { value: 'clipping needed', source: `${SRC}, section 4.3` }, ours: clipped.map((c, i) => c - ablated[i]!), test: { kind: 'greater', than: 0 } });
  }
  out.push(
    { id: 'spurious-gamma0', statement: 'γ = 0: accuracy does not change (zero advantage).', paper: { value: 'zero gradient', source: `${SRC}, section 4` }, ours: gain('good-A', 'random-0'), test: { kind: 'equivalent', to: 0, margin: NO_MOVE_MARGIN } },
    { id: 'spurious-badA-freqA', statement: 'bad-A + random reward: the A-style frequency rises.', paper: { value: 'code frequency rises', source: `${SRC}, section 4 (bad-code models)` }, ours: gain('bad-A', 'random-0.5', 'freqA'), test: { kind: 'greater', than: 0 } },
    { id: 'spurious-badA-accuracy', statement: `bad-A + random reward: accuracy does not improve by more than ${NO_GAIN_MARGIN.value}.`, paper: { value: 'no gain', source: `${SRC}, section 4 (bad-code models)` }, ours: gain('bad-A', 'random-0.5'), test: { kind: 'notAbove', than: 0, margin: NO_GAIN_MARGIN } },
  );
  for (const b of ['good-A', 'no-A', 'bad-A'])
    out.push({ id: `spurious-${b}-ground-truth`, statement: `Ground-truth reward helps ${b} (positive control).`, paper: { value: '+29.1 pts (Qwen-Math); helps all models', source: `${SRC}, Fig. 1` }, ours: gain(b, 'ground-truth'), test: { kind: 'greater', than: 0 } });
  return out;
}
