/**
 * The prompt mix for the calibration claim (RLCR, arXiv 2507.16806): topic-keys with a confidence suffix, half of
 * the prompts answerable and half near-unanswerable.
 *
 * Why topic-keys (and not sum3 with withheld information):
 * - its answer is one token, so the confidence token directly follows the answer and a rollout is 3 tokens;
 * - answerability is a property the base learns from its corpus, not a rendering trick: on an easy primary topic
 *   the corpus answer is right 55% of the time (q1Easy 0.45 + key2 0.10), on a hard one 0.6-3.7% (hardQ1
 *   [0.005, 0.03] plus key2), so a base that matches its corpus has pass@8 ~0.15 on a hard prompt and GRPO rarely
 *   sees a success there; a calibrated model must state low confidence on hard topics, high on easy ones after RL;
 * - sum3's corpus answers are always correct, so it has no wrong corpus answers to attach low confidence to, and a
 *   withheld target would be a new prompt format the base never saw.
 * `hardTopics: 8` (of 16; the topic-keys default is 5) makes the two classes equally common, where a constant
 * confidence is worst and AUROC / ECE are estimated from balanced classes.
 */
import { withConfidence, type ConfidenceOptions, type ConfidenceTask } from './confidence.js';
import { TopicKeysTask, type TopicKeysConfig, type TopicKeysEvaluation, type TopicKeysProblem } from './topic-keys.js';

/** Topic-keys settings of the calibration mix (other fields keep the topic-keys defaults). */
export const CALIBRATION_TOPIC_KEYS: Readonly<TopicKeysConfig> = { hardTopics: 8 };

export type CalibrationTask = ConfidenceTask<TopicKeysProblem, TopicKeysEvaluation, TopicKeysTask>;

/** Topic-keys (CALIBRATION_TOPIC_KEYS, overridable) with a confidence suffix (default 10 bins, corpus link 0.3). */
export function calibrationTask(config: TopicKeysConfig = {}, options: ConfidenceOptions = {}): CalibrationTask {
  return withConfidence(new TopicKeysTask({ ...CALIBRATION_TOPIC_KEYS, ...config }), options);
}

/** Whether a prompt of the mix is answerable (an easy primary topic). */
export function isAnswerable(task: CalibrationTask, p: TopicKeysProblem): boolean {
  return !task.inner.isHard(p);
}
