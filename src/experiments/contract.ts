/**
 * The experiment contract: every claim's experiment is a definition, and this module owns what they all share:
 * validating a config once (errors name the field), enumerating its runs as plain data with stable ids, running
 * them phase by phase on every core (`phaseRunner` / `runParallel`) with progress, and combining the outputs.
 *
 * - `runs(config, done)` is pure: the same config and finished runs give the same list of `{ id, phase, spec }`. A
 *   spec is plain data and, with its id, all a run needs, so the list can be split across machines and each run
 *   executed alone (`runOne`); `combine` only reads the outputs, so results of runs made elsewhere can be merged.
 * - Phases run one at a time, in the order they first appear in the list. A later phase may rely on what an earlier
 *   one left in the training cache (a pretrained base). A run whose spec needs earlier outputs (a threshold chosen
 *   on one phase and used by the next) is listed once `done` holds them: `runs` is called again after every phase
 *   with the runs finished so far, and must list those again, unchanged.
 * - `run(spec, ctx)` is one run (a worker imports it from `module` under its function name); `ctx.id` names it,
 *   `ctx.cacheDir` is the training cache to use, `ctx.progress` reports to the caller.
 * - The paired per-seed deltas of the claim checks are `seedDeltas` (./seed-deltas.ts).
 *
 * ```ts
 * // an experiment module (the tests run this one: test/experiments/fixtures/toy.ts)
 * export async function toyRun(spec: { seed: number; steps: number }, ctx: ExperimentRunContext) {
 *   ctx.progress({ seed: spec.seed });
 *   return { seed: spec.seed, value: new Rng(spec.seed).uniform() * spec.steps };
 * }
 * export const toy = defineExperiment({
 *   name: 'toy',
 *   module: import.meta.url,
 *   presets: { quick: { steps: 3, seeds: [0, 1] } },
 *   runs: (c) => c.seeds.map((seed) => planRun('train', [`seed${seed}`], { seed, steps: c.steps })),
 *   run: toyRun,
 *   combine: (config, done) => ({ config, runs: done.map((d) => d.output) }),
 *   claims: (r) => [{ id: 'toy-positive', statement: 'values are positive', paper: { value: '> 0', source: 'none' },
 *     ours: seedDeltas({ runs: r.runs, value: (x) => x.value }, { value: () => 0 }), test: { kind: 'greater', than: 0 } }],
 * });
 * // a notebook
 * const result = await toy.execute(toy.preset('quick'), { onProgress: (e) => e.kind === 'done' && bar.update(e.completed) });
 * for (const spec of toy.claims(result)) checkClaim(spec);
 * ```
 */
import type { ClaimSpec } from '../notebook/claims.js';
import { phaseRunner } from '../parallel/phases.js';
import { assertPlainData } from '../parallel/plain-data.js';
import { loadRunFunction, resolveModuleUrl, type RunContext } from '../parallel/run-function.js';
import { checkConfigShape, checkSeeds, configShape, type JsonType } from './config-check.js';

/** The package root (`dist/src/experiments/` is three levels down): job modules are stored relative to it. */
const PACKAGE_ROOT = new URL('../../../', import.meta.url);

/** What every experiment config has. */
export interface ExperimentConfig {
  /** The claim-check seeds: a non-empty list of distinct integers. */
  seeds: number[];
  /** Worker threads (default: all cores). */
  workers?: number;
}

/** One run of an experiment, as `runs(config)` lists it. */
export interface PlannedRun<S> {
  /** Stable and unique within the config, e.g. `rl/nsr/seed0`: lower case, `/`-separated, the phase first. */
  readonly id: string;
  readonly phase: string;
  /** Everything the run needs (plain data). */
  readonly spec: S;
}

export interface CompletedRun<S, O> extends PlannedRun<S> {
  readonly output: O;
}

/** What a run function receives besides its spec. */
export interface ExperimentRunContext extends RunContext {
  readonly id: string;
  /** Training-cache directory to use (unset: the cache's default, `RLREPRO_CACHE_DIR` or the project's). */
  readonly cacheDir?: string;
}

export type ExperimentRunFunction<S, O> = (spec: S, ctx: ExperimentRunContext) => Promise<O>;

interface DefinitionBase<C extends ExperimentConfig, S, O, R> {
  /** Kebab-case; prefixes every validation error. */
  name: string;
  /** The compiled module that exports `run` under its own function name (workers import it): its `import.meta.url`. */
  module: string | URL;
  /** The presets, which are also the schema of the config's keys (./config-check.ts). */
  presets: Readonly<Record<string, C>>;
  /** Keys no preset sets, by path (`rl.gradClip`, `arms[].lambda`) with their JSON type; `workers` is always allowed. */
  optionalKeys?: Readonly<Record<string, JsonType>>;
  /** Paths whose contents the code that reads them checks, naming bad keys (a task's config: its constructor). */
  delegatedKeys?: readonly string[];
  /** Checks beyond the key schema and the seeds (a value's range, a relation between fields); throws naming the field. */
  validate?: (config: C) => void;
  /**
   * Every run of a validated config that can be planned from the config and the runs finished so far (`done`, phase
   * by phase; empty at first), in order (see the module comment).
   */
  runs: (config: C, done: readonly CompletedRun<S, O>[]) => PlannedRun<S>[];
  run: ExperimentRunFunction<S, O>;
  /** The claim checks of a result, for `checkClaim`. */
  claims: (result: R) => ClaimSpec[];
}

/** The result when a definition has no `combine`: the config and every completed run, in planned order. */
export interface DefaultResult<C, S, O> {
  config: C;
  runs: CompletedRun<S, O>[];
}

export interface ExperimentDefinition<C extends ExperimentConfig, S, O, R> extends DefinitionBase<C, S, O, R> {
  /** The result from the completed runs, in planned order (pure: it may be given runs made elsewhere). */
  combine: (config: C, runs: CompletedRun<S, O>[]) => R;
}

/** Progress of `execute`: a run started, reported, or finished (`completed` of `total` runs of the whole experiment). */
export type ExperimentEvent =
  | { kind: 'start'; phase: string; id: string; worker: number }
  | { kind: 'progress'; phase: string; id: string; worker: number; data: unknown }
  | { kind: 'done'; phase: string; id: string; worker: number; ms: number; completed: number; total: number };

export interface ExecuteOptions {
  onProgress?: (event: ExperimentEvent) => void;
  /** Training-cache directory for every run. */
  cacheDir?: string;
  /** Worker threads; overrides `config.workers`. */
  workers?: number;
}

/** Wall-clock and CPU time (all threads of this process) of an `execute`. */
export interface ExecutionTimes {
  seconds: number;
  cpuSeconds: number;
}

export interface Experiment<C extends ExperimentConfig, S, O, R> {
  readonly name: string;
  readonly presets: Readonly<Record<string, C>>;
  /** A fresh copy of a preset, to edit freely. */
  preset(name: string): C;
  /** Throws, naming the field, unless `config` is valid; returns it. */
  validate(config: C): C;
  /** The runs of a config (validated first) that `done` (default: none) lets it plan. */
  runs(config: C, done?: readonly CompletedRun<S, O>[]): PlannedRun<S>[];
  /** Executes one planned run in this thread: what a worker, or a job on another machine, does. */
  runOne(run: PlannedRun<S>, options?: { cacheDir?: string; onProgress?: (data: unknown) => void }): Promise<O>;
  combine(config: C, runs: CompletedRun<S, O>[]): R;
  /** Validates, runs every phase in parallel, and combines. */
  execute(config: C, options?: ExecuteOptions): Promise<R & ExecutionTimes>;
  claims(result: R): ClaimSpec[];
}

/** An id part: safe as a file name (issue 19 writes one result file per run). */
const ID_PART = /^(?!\.\.?$)[a-z0-9.+_-]+$/;

function slug(part: string | number, where: string): string {
  const s = String(part).trim().toLowerCase().replace(/[^a-z0-9.+_-]+/g, '-');
  if (!ID_PART.test(s)) throw new Error(`${where}: ${JSON.stringify(part)} gives no usable id part`);
  return s;
}

/**
 * A planned run whose id is `phase/part/part...`, each part lower-cased with runs of other characters as one `-`
 * ("NSR, SGD 1 update" -> "nsr-sgd-1-update"; -1 stays "-1").
 */
export function planRun<S>(phase: string, parts: readonly (string | number)[], spec: S): PlannedRun<S> {
  const p = slug(phase, 'planRun phase');
  return { id: [p, ...parts.map((x) => slug(x, 'planRun'))].join('/'), phase: p, spec };
}

/** The outputs of one phase's runs, in planned order (for `combine`). */
export function phaseOutputs<S, O>(done: readonly CompletedRun<S, O>[], phase: string): O[] {
  return done.filter((d) => d.phase === phase).map((d) => d.output);
}

/** What a worker receives: which run function, and the run. */
interface RunJob<S> {
  /** Relative to the package root when inside it, so a run's identity (run-store key) does not depend on where the package is installed. */
  module: string;
  exportName: string;
  id: string;
  spec: S;
  cacheDir?: string;
}

/** The worker entry of every experiment: loads the experiment's run function and runs one job. */
export async function runExperimentJob<S, O>(job: RunJob<S>, ctx: RunContext): Promise<O> {
  const run = await loadRunFunction<S, O>(new URL(job.module, PACKAGE_ROOT).href, job.exportName);
  const context: ExperimentRunContext = {
    index: ctx.index,
    progress: (data) => ctx.progress(data),
    id: job.id,
    ...(job.cacheDir !== undefined ? { cacheDir: job.cacheDir } : {}),
  };
  return run(job.spec, context);
}

/**
 * Defines an experiment (see the module comment). Without `combine` the result is `{ config, runs }` with every
 * completed run.
 */
export function defineExperiment<C extends ExperimentConfig, S, O, R>(def: ExperimentDefinition<C, S, O, R>): Experiment<C, S, O, R>;
export function defineExperiment<C extends ExperimentConfig, S, O>(def: DefinitionBase<C, S, O, DefaultResult<C, S, O>>): Experiment<C, S, O, DefaultResult<C, S, O>>;
export function defineExperiment<C extends ExperimentConfig, S, O, R>(
  def: DefinitionBase<C, S, O, R> & { combine?: (config: C, runs: CompletedRun<S, O>[]) => R },
): Experiment<C, S, O, R> {
  const name = def.name;
  if (typeof name !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new Error(`defineExperiment: name must be kebab-case, got ${JSON.stringify(name)}`);
  const fail = (field: string, msg: string): never => {
    throw new Error(`defineExperiment(${name}): ${field} ${msg}`);
  };
  const moduleUrl = resolveModuleUrl(def.module);
  const jobModule = moduleUrl.startsWith(PACKAGE_ROOT.href) ? moduleUrl.slice(PACKAGE_ROOT.href.length) : moduleUrl;
  if (typeof def.run !== 'function' || def.run.name === '') fail('run', 'must be a named, exported function (workers import it by name)');
  const exportName = def.run.name;
  const presetNames = Object.keys(def.presets);
  if (presetNames.length === 0) fail('presets', 'must hold at least one preset');
  const shape = configShape(Object.values(def.presets));
  const optional: Record<string, JsonType> = { workers: 'number', ...(def.optionalKeys ?? {}) };
  const delegated = new Set(def.delegatedKeys ?? []);
  const combine = def.combine ?? ((config: C, runs: CompletedRun<S, O>[]) => ({ config, runs }) as unknown as R);

  const validate = (config: C): C => {
    try {
      checkConfigShape(config, shape, optional, 'config', delegated);
      checkSeeds(config.seeds);
      if (config.workers !== undefined && !(Number.isInteger(config.workers) && config.workers >= 1))
        throw new Error(`config.workers must be an integer >= 1, got ${config.workers}`);
      def.validate?.(config);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
    }
    return config;
  };

  const plan = (config: C, done: readonly CompletedRun<S, O>[]): PlannedRun<S>[] => {
    const runs = def.runs(config, done);
    if (!Array.isArray(runs) || runs.length === 0) throw new Error(`${name}: runs(config) listed no runs`);
    const ids = new Set<string>();
    runs.forEach((r, i) => {
      if (typeof r.id !== 'string' || !r.id.split('/').every((p) => ID_PART.test(p)) || r.id.split('/')[0] !== r.phase)
        throw new Error(`${name}: runs(config)[${i}].id ${JSON.stringify(r.id)} must be "phase/part/..." in lower case (use planRun)`);
      if (ids.has(r.id)) throw new Error(`${name}: runs(config) lists two runs with id ${r.id}`);
      ids.add(r.id);
      assertPlainData(r.spec, `${name}: runs(config)[${i}] (${r.id}).spec`);
    });
    for (const d of done)
      if (!ids.has(d.id)) throw new Error(`${name}: runs(config, done) no longer lists the finished run ${d.id} (it must list every run again)`);
    return runs;
  };

  return {
    name,
    presets: def.presets,
    preset(preset: string): C {
      const p = def.presets[preset];
      if (p === undefined) throw new Error(`${name}: unknown preset "${preset}"; presets are ${presetNames.join(', ')}`);
      return structuredClone(p);
    },
    validate,
    runs: (config, done = []) => plan(validate(config), done),
    runOne: (run, options = {}) =>
      def.run(run.spec, {
        index: 0,
        progress: options.onProgress ?? (() => {}),
        id: run.id,
        ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      }),
    combine,
    claims: (result) => def.claims(result),
    async execute(config, options = {}) {
      validate(config);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const workers = options.workers ?? config.workers;
      const done: CompletedRun<S, O>[] = [];
      let phaseRuns: PlannedRun<S>[] = [];
      let total = 0;
      const onProgress = options.onProgress;
      const runPhase = phaseRunner<RunJob<S>, O, string>({
        module: import.meta.url,
        exportName: runExperimentJob.name,
        ...(workers !== undefined ? { workers } : {}),
        ...(onProgress
          ? {
              onProgress: (e) => {
                const { phase, id } = phaseRuns[e.index]!;
                if (e.kind === 'start') onProgress({ kind: 'start', phase, id, worker: e.worker });
                else if (e.kind === 'progress') onProgress({ kind: 'progress', phase, id, worker: e.worker, data: e.data });
                else onProgress({ kind: 'done', phase, id, worker: e.worker, ms: e.ms, completed: done.length + e.completed, total });
              },
            }
          : {}),
      });
      // One phase at a time: plan, run the first phase that has unfinished runs, plan again with its outputs.
      for (;;) {
        const planned = plan(config, done);
        const finished = new Set(done.map((d) => d.id));
        const todo = planned.filter((r) => !finished.has(r.id));
        total = planned.length;
        if (todo.length === 0) {
          const byId = new Map(done.map((d) => [d.id, d]));
          const result = combine(config, planned.map((r) => byId.get(r.id)!));
          const cpu = process.cpuUsage(cpu0);
          return { ...result, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
        }
        const phase = todo[0]!.phase;
        phaseRuns = todo.filter((r) => r.phase === phase);
        const jobs = phaseRuns.map((r): RunJob<S> => ({
          module: jobModule,
          exportName,
          id: r.id,
          spec: r.spec,
          ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
        }));
        const outs = await runPhase(phase, jobs);
        phaseRuns.forEach((r, i) => done.push({ ...r, output: outs[i]! }));
      }
    },
  };
}
