// Re-exports only: the public API of rlrepro, by name. Notebook execution and reports are `rlrepro/runner`, the
// benchmarks `rlrepro/bench` (neither loads with the package root: the runner brings the ZeroMQ Jupyter client).

export { BACKEND_NAMES, backendInfo, initBackend, parseBackendName, type BackendChoice, type BackendInfo } from './backend/index.js';
export { Rng, type RngState } from './random.js';

export {
  ANSWER_LETTERS, AdditionTask, DEFAULT_HELD_OUT_FRACTION, FactsTask, HELD_OUT_SETS, STYLE_TOKENS, SUM3_LIST_LENGTH, Sum3Task,
  TOPIC_LETTERS, Tokenizer, TopicKeysTask, TwoStyleAdditionTask, VERDICT_NO, VERDICT_YES, WAIT, WaitScratchpadTask,
  canonicalNatural, checkCorpusStyle, checkExample, checkStyleMixture, defaultDatasetDir, encodePrompts, expectedStyleAccuracy,
  generateHeldOutSet, heldOutScore, inputLength, integerField, isHeldOut, loadHeldOutSet, makeBatch, packBatch, readManifest,
  sampleTopicKeysTrain, sampleTrainProblem, serializeHeldOutSet, sha256Hex, tokenizeExamples, topicKeysExamples, topicKeysHeldOut,
  trainExamples, twoStyleExamples, waitScratchpadExamples, waitSegment, writeAllHeldOutSets, writeHeldOutSet,
  CALIBRATION_TOPIC_KEYS, ConfidenceTask, calibrationTask, confidenceToken, isAnswerable, withConfidence,
  type CalibrationTask, type ConfidenceEvaluation, type ConfidenceOptions,
  type AdditionConfig, type AdditionEvaluation, type AdditionProblem, type AnyTask, type Batch, type CheckableTask, type CorpusStyle,
  type Evaluation, type Example, type FactsConfig, type FactsProblem, type HeldOutSet, type HeldOutSetSpec, type HeldOutSpec,
  type Manifest, type ManifestEntry, type Style, type StyleMixture, type Sum3Problem, type Task, type TokenizedExample,
  type TokenizerJSON, type TopicKeysConfig, type TopicKeysEvaluation, type TopicKeysProblem, type TwoStyleConfig,
  type TwoStyleEvaluation, type TwoStyleProblem, type WaitScratchpadConfig, type WaitScratchpadEvaluation, type WaitScratchpadProblem,
} from './tasks/index.js';

export {
  GPT, GPT_DEFAULTS, KVCache, REFERENCE_CONFIG, generate, generateFullRecompute, gptConfig, maskedCrossEntropy, mixWeights,
  paramSpecs, scoresFromLogits, tokenLogProbs, tokenLogProbsArrays,
  type FusedQKV, type GPTConfig, type GPTWeights, type GenerateOptions, type Generation, type LayerKV, type TokenScores,
} from './model/index.js';

export {
  AdamW, SGD, TRAIN_CODE_VERSION, TRAIN_CONFIG_KEYS, assignWeights, cacheDirectory, cacheKeyHash, cached, cachedLanguageModel,
  checkGradShape, clipByGlobalNorm, configDiff, configHash, constantSchedule, cosineSchedule, decayMatricesOnly, languageModelLoss,
  loadCheckpoint, optimizerFromConfig, pretrainSchedule, printProgress, readTensors, saveCheckpoint, scheduleFromConfig,
  stableStringify, train, trainConfig, trainStep, writeCheckpointFiles, writeTensors,
  type AdamWOptions, type BatchSource, type CachedLanguageModel, type CachedLanguageModelOptions, type CachedOptions,
  type CachedResult, type CheckpointData, type CheckpointOptions, type CosineScheduleOptions, type EvalHistory, type LanguageModel,
  type LoadedCheckpoint, type NamedArray, type Optimizer, type OptimizerState, type SGDOptions, type Schedule, type StepResult,
  type TrainConfig, type TrainHistory, type TrainOptions, type TrainProgress, type TrainResult, type Trainable,
} from './train/index.js';

export {
  ADVANTAGE_NAMES, INTRINSIC_NORMALISATIONS, LOSS_AGGREGATIONS, REWARD_NAMES, SoftmaxBandit, advantageFn, aggregateTokens,
  clipTrustBand, clippedSurrogate, collectRollout, completionScores, concatGenerations, createReward, formatReward, grpoAdvantages,
  incorrectLabelReward, intrinsicReward, k3KL, nsrAdvantages, policyGradientLogitStep, printRLProgress, psrAdvantages,
  randomReward, readSurrogateMetrics, reinforceAdvantages, reinforceBaselineAdvantages, rlConfig, rolloutClipFlags, runBandit,
  softmaxProbs, trainRL, updateBatch, updateTensors, updatesPerStep, verifiableReward, wReinforceAdvantages,
  CONFIDENCE_REWARD_KINDS, confidenceReward, type ConfidenceEvaluatingTask, type ConfidenceRewardKind,
  type AdvantageFn, type AdvantageInput, type AdvantageName, type AdvantageOptions, type BanditRunConfig, type BanditRunResult,
  type BanditUpdateOptions, type BanditUpdateResult, type ClipBounds, type EvaluatingTask, type GrpoOptions,
  type IncorrectLabelRewardOptions, type IntrinsicNormalisation, type IntrinsicRewardOptions, type LossAggregation,
  type MetricHistory, type RLConfig, type RLOptimConfig, type RLOptions, type RLProgress, type RLResult, type RandomRewardOptions,
  type ReinforceOptions, type Reward, type RewardName, type RewardOutput, type RewardRollout, type RewardSpec, type Rollout,
  type RolloutStep, type SamplingOptions, type SurrogateInputs, type SurrogateMetricValues, type SurrogateMetrics,
  type SurrogateOptions, type SurrogateOutput, type UpdateBatch, type WReinforceOptions,
} from './rl/index.js';

export {
  accuracy, bootstrapCI, brierScore, correctCountsPerPrompt, distinctCorrectAnswers, evaluatePolicy, expectedCalibrationError,
  gapCurve, linearSlopeCI, mean, meanCI, meanPassAtK, pairedDiffCI, passAtK, passAtKCurve, pearson, quantileSorted, ranks, rocAuc,
  sampleSd, spearman, summarizeSamples, tCdf, tQuantile,
  bfloat16Array, bfloat16Bits, calibrationSummary, changeTable, changedFractions, changedMasks, confidentWrongShare, criterionLabel,
  energyRank, energyShare, expectedJaccard, groupChangeTable, maskOverlap, numericalRank, parameterLocation, parameterShapes,
  roundToBfloat16, selfFilter, setOverlap, singularValues, updateSpectra, verifyScores,
  type CalibrationSummary, type ChangeCriterion, type ChangeRow, type ChangeTable, type MaskOverlap, type SetOverlap,
  type SingularValueOptions, type UpdateSpectrum,
  type BootstrapOptions, type CalibrationBin, type GapAtTau, type MeanCI, type PolicyEval, type PolicyEvalOptions,
  type PolicySummary, type SampleRecord, type SampleTrace, type SelfFilter, type SlopeFit,
} from './eval/index.js';

export {
  ParallelRunError, assertPlainData, phaseRunner, runParallel, runParallelReport,
  type PhaseRunnerOptions, type RunContext, type RunEvent, type RunFunction, type RunParallelOptions, type SweepReport, type WorkerStats,
} from './parallel/index.js';

export {
  CLAIM_KINDS, MIN_SEEDS, POWER, ParameterError, ProgressBar, bandTraces, checkClaim, claimBundle, displayBundle, evaluateClaim, formatEstimate, lineChart,
  marginText, minimumDetectableEffect, plotlyBundle, powerText, presetConfig, progress, seedsNeeded, showClaimsSummary, showPlot, showTable,
  tableBundle, toDataFrame,
  type ClaimKind, type ClaimPower, type ClaimResult, type ClaimSpec, type ClaimTest, type DataFrameLike, type DisplayOptions,
  type LineChartOptions, type LineSeries, type Margin, type MimeBundle, type PlotlyFigure, type PlotlyTrace, type ProgressOptions,
  type BandSeries, type OverrideTargets, type PresetChoice, type Row, type TableOptions,
} from './notebook/index.js';

// The experiment contract.
export {
  checkDistinct, checkSeeds, defineExperiment, phaseOutputs, planRun, seedDeltas,
  type CompletedRun, type DefaultResult, type ExecuteOptions, type ExecutionTimes, type Experiment, type ExperimentConfig,
  type ExperimentDefinition, type ExperimentEvent, type ExperimentRunContext, type ExperimentRunFunction, type PlannedRun, type Seeded,
} from './experiments/index.js';

// Claim 1: the generation-verification gap.
export {
  GAP_MARGIN, VERIFICATION_GAP_PRESETS, chooseTau, gapAtChosenTau, sizeLabel, validateVerificationGapConfig, verificationGap,
  verificationGapClaims, verificationGapRun,
  type GapTaskName, type ModelSize, type PretrainSpec, type RoundRecord, type SelfImproveArm, type SelfImproveRunConfig,
  type SelfImproveRunResult, type SelfImproveSpec, type SizeRunConfig, type SizeRunResult, type SplitMetrics, type TauChoice,
  type VerificationGapConfig, type VerificationGapResult, type VerificationGapSpec,
} from './experiments/index.js';

// Claim 2: RL from internal feedback collapses.
export {
  FALL_MARGIN, GAIN_MARGIN, INTRINSIC_REWARDS, RLIF_PRESETS, RLIF_REWARDS, evalAt, intrinsicRewardAgreement, peakAccuracy,
  pretrainedModels, rlifArmRuns, rlifClaimSpecs, rlifCollapse, trajectoryEntropyGradientCheck,
  type RlifArm, type RlifCollapseConfig, type RlifCollapseResult, type RlifRunResult, type WaitEval,
} from './experiments/index.js';

// Claim 3: spurious rewards and the clipping bias.
export {
  BASE_MIXTURES, BASE_NAMES, NO_GAIN_MARGIN, NO_MOVE_MARGIN, SPURIOUS_PRESETS, evaluateStyles, gainPerSeed, positionClipStats,
  pretrainedBase, spuriousRewards, spuriousRewardsClaims, spuriousRewardsRun, standardArms, styleCounts,
  type ArmReward, type ArmSpec, type BaseName, type SpuriousRLConfig, type SpuriousRewardsConfig, type SpuriousRewardsResult,
  type SpuriousRunResult, type SpuriousRunSpec, type StyleEval,
} from './experiments/index.js';

// Claim 4: negative-only reinforcement.
export {
  ENTROPY_MARGIN, NEG_PRESETS, PASS_MARGIN, armAdvantage, armDiff, armGain, armRL, armRuns, armValues, basePretrain, comparisonStep,
  controlArms, evaluateTopicKeys, evaluationProblems, lateArms, mainArms, negativeReinforcement, negativeReinforcementClaims,
  negativeReinforcementRun, slFootprint, topicKeysBase, valueAt,
  type ClassEval, type EvalMetric, type NegArm, type NegEvalConfig, type NegModelConfig, type NegPretrainConfig, type NegRLConfig,
  type NegRunResult, type NegRunSpec, type NegativeReinforcementConfig, type NegativeReinforcementResult, type PromptClass,
  type TopicKeysEval,
} from './experiments/index.js';

// Latent reasoning (notebook 07's foundations): thought slots fed back (Coconut) or pause embeddings, and a multi-hop task.
export { LatentGPT, type LatentOptions, type ThoughtLayout, type ThoughtMode } from './model/index.js';
export { KeyChainTask, makeThoughtBatch, type KeyChainConfig, type KeyChainEvaluation, type KeyChainFormat, type KeyChainProblem, type ThoughtBatch } from './tasks/index.js';
export { thoughtModelLoss, type ThoughtLanguageModel } from './train/index.js';
