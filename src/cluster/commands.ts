/**
 * The `shard` and `merge` commands of the CLI:
 *
 *   rlrepro shard <notebook.ipynb> --out DIR [--preset P] [--param name=value]... [--quick] [--index i --count n] [--wait minutes]
 *   rlrepro merge <notebook.ipynb> DIR [--preset P] [--param name=value]... [--quick] [--out reportDir]
 *
 * Exit codes: 0 the shard's runs are stored (complete, or its share of the current phase: the next wave moves on) /
 * merged; 1 a run or the notebook failed; 2 bad input (bad shard index, no results folder, results of another
 * config found at merge).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseParamArgs, type ParameterValues } from '../runner/parameters.js';
import { InputError, runNotebooks } from '../runner/run.js';
import { terminalProgress } from '../runner/terminal.js';
import { mergeShards, runShard, shardPosition, ShardInputError } from './shard.js';

const COMMON = {
  param: { type: 'string', multiple: true, short: 'p' },
  preset: { type: 'string' },
  quick: { type: 'boolean' },
  out: { type: 'string' },
  timeout: { type: 'string' },
} as const;

function paramsOf(values: { param?: string[]; preset?: string }): ParameterValues {
  const params = parseParamArgs(values.param ?? []);
  if (values.preset !== undefined) {
    if ('preset' in params) throw new InputError('give the preset once: --preset or --param preset=..., not both');
    params['preset'] = values.preset;
  }
  return params;
}

function timeoutOf(v: string | undefined): number {
  const s = v === undefined ? 3600 : Number(v);
  if (!(Number.isFinite(s) && s > 0)) throw new InputError(`--timeout must be a positive number of seconds, got ${v}`);
  return s;
}

/** Stored run files under a results folder (to see whether other shards have made progress). */
function storedCount(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('shard-'))
    .reduce((n, d) => n + readdirSync(join(dir, d.name)).filter((f) => f.endsWith('.json')).length, 0);
}

export async function shardCommand(args: string[], log: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, index: { type: 'string' }, count: { type: 'string' }, wait: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new InputError(`shard takes one notebook, got ${positionals.length}: rlrepro shard <notebook.ipynb> --out DIR`);
  if (!values.out) throw new InputError('shard needs --out DIR: the results folder every shard writes to (shared by all nodes)');
  const waitMin = values.wait === undefined ? 0 : Number(values.wait);
  if (!(Number.isFinite(waitMin) && waitMin >= 0)) throw new InputError(`--wait must be a number of minutes >= 0, got ${values.wait}`);
  let position;
  try {
    position = shardPosition({ ...(values.index !== undefined ? { index: values.index } : {}), ...(values.count !== undefined ? { count: values.count } : {}) });
  } catch (e) {
    if (e instanceof ShardInputError) throw new InputError(e.message);
    throw e;
  }
  const options = { params: paramsOf(values), quick: values.quick ?? false, timeoutS: timeoutOf(values.timeout), onProgress: terminalProgress() };
  const deadline = Date.now() + waitMin * 60_000;
  for (;;) {
    const seen = storedCount(values.out);
    const outcome = await runShard(runNotebooks, positionals[0]!, position, values.out, options);
    log(`rlrepro: ${outcome.message}`);
    if (outcome.kind !== 'wave-done') return outcome.kind === 'complete' ? 0 : 1;
    if (Date.now() >= deadline) return 0;
    // --wait: every shard runs at once (a Kubernetes Indexed Job): wait for the others' runs of this phase, then go on.
    log(`rlrepro: waiting for other shards (up to ${Math.ceil((deadline - Date.now()) / 60_000)} more minute(s))`);
    while (storedCount(values.out) === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 15_000));
  }
}

export async function mergeCommand(args: string[], log: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...COMMON, 'fail-on-claims': { type: 'boolean' } } });
  if (positionals.length !== 2) throw new InputError('merge takes a notebook and the results folder: rlrepro merge <notebook.ipynb> DIR');
  const [notebook, dir] = positionals as [string, string];
  let merged;
  try {
    merged = await mergeShards(runNotebooks, notebook, dir, {
      params: paramsOf(values),
      quick: values.quick ?? false,
      outDir: values.out ?? 'reports',
      timeoutS: timeoutOf(values.timeout),
      failOnClaims: values['fail-on-claims'] ?? false,
      onProgress: terminalProgress(),
    });
  } catch (e) {
    if (e instanceof ShardInputError) throw new InputError(e.message);
    throw e;
  }
  const { result, unused } = merged;
  if (result.problems.length) log(`${result.problems.length} problem(s):\n${result.problems.map((p) => '  ' + p.replace(/\n/g, '\n  ')).join('\n')}`);
  if (unused.length) {
    log(`rlrepro: merge: ${unused.length} stored run(s) were not part of this notebook's sweep (results of another config or preset?):\n  ${unused.join('\n  ')}`);
    return 2;
  }
  return result.exitCode;
}
