/**
 * Advantage functions: per-sample weights that feed the ONE clipped surrogate (`surrogate.ts`). Variants are data,
 * not copies of the loss: GRPO, REINFORCE, PSR, NSR and W-REINFORCE differ only here.
 *
 * Layout: rewards and correctness are flat arrays of length P * G, the G samples of each prompt contiguous
 * (sample i belongs to prompt floor(i / G)); the output is one advantage per sample, `Float32Array [P * G]`.
 */

/** What every advantage function receives. */
export interface AdvantageInput {
  /** Per-sample rewards `[P * G]`, prompt-major. */
  rewards: Float32Array;
  /** G, samples per prompt (TRL's `numGenerations`). */
  groupSize: number;
  /** Per-sample correctness `[P * G]` (1 correct, 0 wrong), for objectives defined on correctness, not reward. */
  correct?: Uint8Array;
}

export type AdvantageFn = (input: AdvantageInput) => Float32Array;

function checkInput(name: string, input: AdvantageInput, minGroup = 1): void {
  const { rewards, groupSize: g } = input;
  if (!(Number.isInteger(g) && g >= minGroup)) {
    throw new Error(`${name}: groupSize must be an integer >= ${minGroup}, got ${g}`);
  }
  if (rewards.length === 0) throw new Error(`${name}: rewards is empty`);
  if (rewards.length % g !== 0) {
    throw new Error(`${name}: rewards.length=${rewards.length} is not divisible by groupSize=${g}`);
  }
  for (let i = 0; i < rewards.length; i++) {
    if (!Number.isFinite(rewards[i])) throw new Error(`${name}: rewards[${i}] must be finite, got ${rewards[i]}`);
  }
}

function requireCorrect(name: string, input: AdvantageInput): Uint8Array {
  const c = input.correct;
  if (c === undefined) throw new Error(`${name}: needs the correct mask (input.correct), which was not given`);
  if (c.length !== input.rewards.length) {
    throw new Error(`${name}: correct.length=${c.length} must equal rewards.length=${input.rewards.length}`);
  }
  for (let i = 0; i < c.length; i++) {
    if (c[i] !== 0 && c[i] !== 1) throw new Error(`${name}: correct[${i}] must be 0 or 1, got ${c[i]}`);
  }
  return c;
}

/** Options of {@link grpoAdvantages}. */
export interface GrpoOptions {
  /** Divide by the group's standard deviation (TRL `scale_rewards`). Default true; Dr. GRPO turns it off. */
  scaleByStd?: boolean;
  /** Added to the std so a constant group gives 0, not NaN. Default 1e-6 (as DeepSeekMath / TRL). */
  stdEpsilon?: number;
}

/**
 * GRPO (Shao et al., "DeepSeekMath", arXiv 2402.03300, section 4.1.2, outcome supervision):
 * `A_i = (r_i - mean(r_group)) / (std(r_group) + 1e-6)` over the G samples of a prompt.
 * Changes from textbook PPO: no value network; the baseline is the group mean and the scale the group std.
 * The std is the unbiased sample std (divides by G - 1), as `torch.std` in TRL's trainer; `scaleByStd: false`
 * gives Dr. GRPO's unscaled `r_i - mean` (Liu et al., arXiv 2503.20783, which argues the std biases toward
 * too-easy and too-hard prompts). G >= 2 is required: one sample has no group statistics.
 */
export function grpoAdvantages(input: AdvantageInput, options: GrpoOptions = {}): Float32Array {
  checkInput('grpoAdvantages', input, 2);
  const scale = options.scaleByStd ?? true;
  const eps = options.stdEpsilon ?? 1e-6;
  if (!(eps >= 0)) throw new Error(`grpoAdvantages: stdEpsilon must be >= 0, got ${eps}`);
  const { rewards: r, groupSize: g } = input;
  const out = new Float32Array(r.length);
  for (let s = 0; s < r.length; s += g) {
    let m = 0;
    for (let j = 0; j < g; j++) m += r[s + j]!;
    m /= g;
    let ss = 0;
    for (let j = 0; j < g; j++) ss += (r[s + j]! - m) ** 2;
    const denom = scale ? Math.sqrt(ss / (g - 1)) + eps : 1;
    for (let j = 0; j < g; j++) out[s + j] = (r[s + j]! - m) / denom;
  }
  return out;
}

/** Options of {@link reinforceAdvantages}. */
export interface ReinforceOptions {
  /**
   * Map a 0/1 reward r to 2r - 1 first, so the advantages are +1 (correct) and -1 (wrong): Zhu et al.'s RLVR =
   * PSR + NSR (arXiv 2506.01347, section 3). Every reward must then be 0 or 1. Default false.
   */
  signedReward?: boolean;
}

/**
 * REINFORCE (Williams 1992): the raw reward is the advantage, `A_i = r_i` (or `2 r_i - 1` with `signedReward`). No
 * baseline, so the gradient has full variance; with rewards in {+1, -1} it is Zhu et al.'s RLVR = PSR + NSR
 * (arXiv 2506.01347, section 3).
 */
export function reinforceAdvantages(input: AdvantageInput, options: ReinforceOptions = {}): Float32Array {
  checkInput('reinforceAdvantages', input, 1);
  if (!options.signedReward) return Float32Array.from(input.rewards);
  return Float32Array.from(input.rewards, (r, i) => {
    if (r !== 0 && r !== 1) throw new Error(`reinforceAdvantages: signedReward needs rewards in {0, 1}, got rewards[${i}] = ${r}`);
    return 2 * r - 1;
  });
}

/**
 * REINFORCE with a group-mean baseline: `A_i = r_i - mean(r_group)`. Same as GRPO with `scaleByStd: false`
 * (Dr. GRPO); kept as its own name because the papers compare it under this name. Change from textbook
 * REINFORCE: the baseline is the mean reward of the other samples of the same prompt (including i itself).
 */
export function reinforceBaselineAdvantages(input: AdvantageInput): Float32Array {
  checkInput('reinforceBaselineAdvantages', input, 2);
  return grpoAdvantages(input, { scaleByStd: false });
}

/**
 * PSR, positive sample reinforcement (Zhu et al., "The Surprising Effectiveness of Negative Reinforcement in LLM
 * Reasoning", arXiv 2506.01347, section 3): `A_i = +1` on correct samples, 0 on wrong ones. Change from REINFORCE
 * with r in {+1, -1}: the negative half is dropped; no normalisation (it would erase the signal). Reads
 * `correct`, not the reward.
 */
export function psrAdvantages(input: AdvantageInput): Float32Array {
  checkInput('psrAdvantages', input, 1);
  const c = requireCorrect('psrAdvantages', input);
  return Float32Array.from(c, (v) => (v ? 1 : 0));
}

/**
 * NSR, negative sample reinforcement (Zhu et al., arXiv 2506.01347, section 3): `A_i = -1` on wrong samples,
 * 0 on correct ones. Change from REINFORCE with r in {+1, -1}: the positive half is dropped. Its gradient lowers
 * the sampled wrong token and raises every other token in proportion to its current probability.
 */
export function nsrAdvantages(input: AdvantageInput): Float32Array {
  checkInput('nsrAdvantages', input, 1);
  const c = requireCorrect('nsrAdvantages', input);
  return Float32Array.from(c, (v) => (v ? 0 : -1));
}

/** Options of {@link wReinforceAdvantages}. */
export interface WReinforceOptions {
  /** Weight of the positive (correct) part. Default 0.1, the paper's choice. Must be >= 0. */
  lambda?: number;
}

/**
 * W-REINFORCE, weighted REINFORCE (Zhu et al., arXiv 2506.01347, section 5): `A_i = lambda` on correct samples,
 * `-1` on wrong ones, lambda = 0.1 by default. Change from REINFORCE: the positive part is down-weighted so NSR's
 * prior-preserving update dominates; no normalisation.
 */
export function wReinforceAdvantages(input: AdvantageInput, options: WReinforceOptions = {}): Float32Array {
  checkInput('wReinforceAdvantages', input, 1);
  const lambda = options.lambda ?? 0.1;
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new Error(`wReinforceAdvantages: lambda must be finite and >= 0, got ${lambda}`);
  const c = requireCorrect('wReinforceAdvantages', input);
  return Float32Array.from(c, (v) => (v ? lambda : -1));
}

/** Names accepted by {@link advantageFn}, for configs. */
export const ADVANTAGE_NAMES = ['grpo', 'reinforce', 'reinforce-baseline', 'psr', 'nsr', 'w-reinforce'] as const;
export type AdvantageName = (typeof ADVANTAGE_NAMES)[number];

/** Options a config may pass with a name; each function reads only its own. */
export interface AdvantageOptions extends GrpoOptions, WReinforceOptions, ReinforceOptions {}

/**
 * The advantage function for a config name, with its options bound. An unknown name is an error listing the
 * valid names; an option the chosen function does not read is an error too (a typo would otherwise be ignored).
 */
export function advantageFn(name: string, options: AdvantageOptions = {}): AdvantageFn {
  const used: Record<AdvantageName, readonly (keyof AdvantageOptions)[]> = {
    grpo: ['scaleByStd', 'stdEpsilon'],
    reinforce: ['signedReward'],
    'reinforce-baseline': [],
    psr: [],
    nsr: [],
    'w-reinforce': ['lambda'],
  };
  if (!(ADVANTAGE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`advantageFn: unknown advantage "${name}"; valid names are ${ADVANTAGE_NAMES.join(', ')}`);
  }
  const n = name as AdvantageName;
  for (const key of Object.keys(options)) {
    if (!(used[n] as readonly string[]).includes(key) && options[key as keyof AdvantageOptions] !== undefined) {
      throw new Error(`advantageFn: option "${key}" does not apply to "${n}" (it accepts: ${used[n].join(', ') || 'none'})`);
    }
  }
  switch (n) {
    case 'grpo':
      return (input) => grpoAdvantages(input, options);
    case 'reinforce':
      return (input) => reinforceAdvantages(input, options);
    case 'reinforce-baseline':
      return reinforceBaselineAdvantages;
    case 'psr':
      return psrAdvantages;
    case 'nsr':
      return nsrAdvantages;
    case 'w-reinforce':
      return (input) => wReinforceAdvantages(input, options);
  }
}
