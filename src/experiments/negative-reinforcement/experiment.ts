/**
 * Claim 4 on the experiment contract: each seed's base alone (phase `base`: pretrained in parallel through the
 * cache, measured on the seed's evaluation stream), then every (arm, seed) from that seed's cached base (phase
 * `rl`). Every claim's delta is paired per seed with the seed's own base.
 */
import { rlConfig } from '../../rl/trainer.js';
import { TopicKeysTask } from '../../tasks/topic-keys.js';
import { checkDistinct } from '../config-check.js';
import { defineExperiment, phaseOutputs, planRun } from '../contract.js';
import { negativeReinforcementClaims } from './claims.js';
import { armRL, basePretrain, NEG_PRESETS, type NegArm, type NegativeReinforcementConfig } from './config.js';
import { armAdvantage, negativeReinforcementRun, negTrainerConfig, type NegRunResult, type NegRunSpec } from './run.js';

export interface NegativeReinforcementResult {
  config: NegativeReinforcementConfig;
  /** Each seed's base alone (arm null), in seed order, evaluated with that seed's stream. */
  bases: NegRunResult[];
  /** One per (arm, seed), arms in config order, seeds in order. */
  runs: NegRunResult[];
}

function specOf(c: NegativeReinforcementConfig, arm: NegArm | null, seed: number): NegRunSpec {
  return { task: c.task, model: c.model, pretrain: basePretrain(c.pretrain, seed), rl: c.rl, arm, eval: c.eval, footprintSteps: c.footprintSteps, seed };
}

function validate(c: NegativeReinforcementConfig): void {
  if (!Number.isInteger(c.pretrain.seed)) throw new Error(`config.pretrain.seed must be an integer, got ${c.pretrain.seed}`);
  if (c.arms.length === 0) throw new Error('config.arms must list at least one arm');
  checkDistinct(c.arms.map((a) => a.name), 'config.arms[].name');
  c.arms.forEach((a, i) => {
    try {
      armAdvantage(a); // the advantage name and lambda
      rlConfig(negTrainerConfig(armRL(c.rl, a), 0)); // the RL fields, mini-batch divisibility included
    } catch (e) {
      throw new Error(`config.arms[${i}] (${a.name}): ${(e as Error).message}`);
    }
  });
  const kMax = Math.max(...c.eval.ks);
  if (!(c.eval.samples >= 2 * kMax))
    throw new Error(`config.eval.samples (${c.eval.samples}) must be >= 2 * max k (${2 * kMax}) for the unbiased pass@k estimator`);
  if (!(Number.isInteger(c.footprintSteps) && c.footprintSteps >= 0)) throw new Error(`config.footprintSteps must be an integer >= 0, got ${c.footprintSteps}`);
  try {
    new TopicKeysTask(c.task);
  } catch (e) {
    throw new Error(`config.task: ${(e as Error).message}`);
  }
}

export const negativeReinforcement = defineExperiment({
  name: 'negative-reinforcement',
  module: new URL('./run.js', import.meta.url),
  presets: NEG_PRESETS,
  optionalKeys: { 'arms[].rl.miniBatchSize': 'number', 'arms[].rl.epochs': 'number', 'arms[].rl.epsilon': 'number', 'arms[].rl.gradClip': 'number' },
  delegatedKeys: ['task'],
  validate,
  runs: (c: NegativeReinforcementConfig) => [
    ...c.seeds.map((seed) => planRun('base', [`seed${seed}`], specOf(c, null, seed))),
    ...c.arms.flatMap((arm) => c.seeds.map((seed) => planRun('rl', [arm.name, `seed${seed}`], specOf(c, arm, seed)))),
  ],
  run: negativeReinforcementRun,
  combine: (config, done): NegativeReinforcementResult => ({ config, bases: phaseOutputs(done, 'base'), runs: phaseOutputs(done, 'rl') }),
  claims: negativeReinforcementClaims,
});
