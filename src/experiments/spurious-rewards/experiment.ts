/**
 * Claim 3 on the experiment contract: the three bases before RL (phase `bases`: pretrained once each, in parallel,
 * measured with the first seed's evaluation stream), then every (base, arm, seed) the arms select (phase `rl`).
 */
import { rlConfig } from '../../rl/trainer.js';
import { checkStyleMixture } from '../../tasks/two-style.js';
import { checkDistinct } from '../config-check.js';
import { defineExperiment, phaseOutputs, planRun } from '../contract.js';
import { spuriousRewardsClaims } from './claims.js';
import { SPURIOUS_PRESETS, type ArmSpec, type SpuriousRewardsConfig } from './config.js';
import { spuriousRewardsRun, spuriousTrainerConfig, type SpuriousRunResult, type SpuriousRunSpec } from './run.js';

export interface SpuriousRewardsResult {
  config: SpuriousRewardsConfig;
  /** Before RL, one per base (seed-independent: the same cached model, evaluated with the first seed's stream). */
  bases: SpuriousRunResult[];
  /** One per (base, arm, seed) the arms select. */
  runs: SpuriousRunResult[];
}

function specOf(c: SpuriousRewardsConfig, base: SpuriousRewardsConfig['bases'][number], arm: ArmSpec | null, seed: number): SpuriousRunSpec {
  return { digits: c.digits, model: c.model, pretrain: c.pretrain, base, rl: c.rl, arm, eval: c.eval, seed };
}

function validate(c: SpuriousRewardsConfig): void {
  if (c.bases.length === 0) throw new Error('config.bases must list at least one base');
  c.bases.forEach((b, i) => checkStyleMixture(b.mixture, `config.bases[${i}] (${b.name}).mixture`));
  checkDistinct(c.arms.map((a) => a.name), 'config.arms[].name');
  c.arms.forEach((a, i) => {
    if (a.reward === 'random' && typeof a.gamma !== 'number') throw new Error(`config.arms[${i}] (${a.name}).gamma is required for the random reward`);
    try {
      rlConfig(spuriousTrainerConfig(c.rl, a, { seed: 0, evalEvery: c.eval.every, maxNewTokens: 1 })); // the RL fields, mini-batch divisibility included
    } catch (e) {
      throw new Error(`config.arms[${i}] (${a.name}): ${(e as Error).message}`);
    }
  });
}

export const spuriousRewards = defineExperiment({
  name: 'spurious-rewards',
  module: new URL('./run.js', import.meta.url),
  presets: SPURIOUS_PRESETS,
  optionalKeys: { 'rl.gradClip': 'number', 'arms[].clip': 'boolean' },
  validate,
  runs: (c: SpuriousRewardsConfig) => [
    ...c.bases.map((b) => planRun('bases', [b.name], specOf(c, b, null, c.seeds[0]!))),
    ...c.bases.flatMap((b) =>
      c.arms.filter((a) => !a.bases || a.bases.includes(b.name)).flatMap((a) => c.seeds.map((seed) => planRun('rl', [b.name, a.name, `seed${seed}`], specOf(c, b, a, seed)))),
    ),
  ],
  run: spuriousRewardsRun,
  combine: (config, done): SpuriousRewardsResult => ({ config, bases: phaseOutputs(done, 'bases'), runs: phaseOutputs(done, 'rl') }),
  claims: spuriousRewardsClaims,
});
