/**
 * The experiment contract on a toy experiment: config errors name the field, run ids are stable and unique,
 * serial and parallel execution give the same result, one run executed alone gives what `execute` gave it, and
 * the paired per-seed deltas pair by seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/backend/index.js';
import { defineExperiment, planRun } from '../../src/experiments/contract.js';
import { seedDeltas } from '../../src/experiments/seed-deltas.js';
import { evaluateClaim } from '../../src/notebook/claims.js';
import { toy, type ToyConfig } from './fixtures/toy.js';

await initBackend({ quiet: true });

/** A run function for definitions that are never executed. */
export async function echoRun(spec: unknown): Promise<unknown> {
  return spec;
}

const withField = (patch: (c: Record<string, unknown>) => void): ToyConfig => {
  const c = toy.preset('quick') as unknown as Record<string, unknown>;
  patch(c);
  return c as unknown as ToyConfig;
};

test('config errors name the field', () => {
  const bad: [(c: Record<string, unknown>) => void, RegExp][] = [
    [(c) => (c['stpes'] = 3), /^Error: toy: config\.stpes is not a field of this config \(fields: steps, lrs, seeds, workers, note\)$/],
    [(c) => (c['steps'] = '6'), /^Error: toy: config\.steps must be number, got string "6"$/],
    [(c) => (c['lrs'] = [0.1, 'x']), /^Error: toy: config\.lrs\[1\] must be number, got string "x"$/],
    [(c) => delete c['steps'], /^Error: toy: config\.steps is missing \(every preset sets it\)$/],
    [(c) => (c['seeds'] = []), /^Error: toy: config\.seeds must be a non-empty list of integers, got \[\]$/],
    [(c) => (c['seeds'] = [0, 1.5]), /config\.seeds must be a non-empty list of integers, got \[0,1\.5\]/],
    [(c) => (c['seeds'] = [3, 1, 3]), /^Error: toy: config\.seeds must not repeat a value, got 3 twice$/],
    [(c) => (c['workers'] = 0), /^Error: toy: config\.workers must be an integer >= 1, got 0$/],
    [(c) => (c['note'] = 5), /^Error: toy: config\.note must be string, got number 5$/],
    [(c) => (c['lrs'] = [0.1, -1]), /^Error: toy: config\.lrs must be > 0, got \[0\.1,-1\]$/],
  ];
  for (const [patch, message] of bad) assert.throws(() => toy.runs(withField(patch)), message);
  // Declared optional keys and the contract's own `workers` are accepted.
  assert.equal(toy.runs(withField((c) => Object.assign(c, { note: 'ok', workers: 2 }))).length, 9);
  assert.throws(() => toy.runs(toy.preset('quick'), [{ id: 'fit/lr9/seed0', phase: 'fit', spec: { kind: 'score', seed: 0 }, output: { seed: 0, score: 0, id: '' } }]), /no longer lists the finished run fit\/lr9\/seed0/);
  assert.throws(() => toy.preset('full'), /toy: unknown preset "full"; presets are quick, other/);
  assert.notEqual(toy.preset('quick'), toy.preset('quick'), 'a fresh copy each time');
});

test('run ids: stable, unique, phase first; a bad definition is a clear error', () => {
  const ids = toy.runs(toy.preset('quick')).map((r) => r.id);
  assert.deepEqual(ids, [
    'fit/lr0.1/seed0', 'fit/lr0.1/seed1', 'fit/lr0.1/seed2', 'fit/lr0.3/seed0', 'fit/lr0.3/seed1', 'fit/lr0.3/seed2',
    'score/seed0', 'score/seed1', 'score/seed2',
  ]);
  assert.deepEqual(toy.runs(toy.preset('quick')), toy.runs(toy.preset('quick')), 'pure');
  assert.equal(planRun('RL', ['NSR, SGD 1 update', -1], null).id, 'rl/nsr-sgd-1-update/-1');
  assert.throws(() => planRun('rl', ['  '], null), /"  " gives no usable id part/);
  assert.throws(() => planRun('rl', ['..'], null), /"\.\." gives no usable id part/);
  const base = { name: 'dup', module: import.meta.url, presets: { p: { seeds: [0, 1] } }, run: echoRun, claims: () => [] };
  const dup = defineExperiment({ ...base, runs: (c: { seeds: number[] }) => c.seeds.map(() => planRun('fit', ['same'], {})) });
  assert.throws(() => dup.runs(dup.preset('p')), /^Error: dup: runs\(config\) lists two runs with id fit\/same$/);
  const unplanned = defineExperiment({ ...base, runs: () => [{ id: 'Fit/A', phase: 'fit', spec: {} }] });
  assert.throws(() => unplanned.runs(unplanned.preset('p')), /runs\(config\)\[0\]\.id "Fit\/A" must be "phase\/part\/\.\.\." in lower case/);
  const notPlain = defineExperiment({ ...base, runs: () => [planRun('fit', ['a'], { f: () => 1 })] });
  assert.throws(() => notPlain.runs(notPlain.preset('p')), /spec/);
  const anonymous = [async () => 1][0]!; // no name to import it by
  assert.throws(() => defineExperiment({ ...base, runs: () => [], run: anonymous }), /run must be a named, exported function/);
  assert.throws(() => defineExperiment({ ...base, name: 'Toy Two', runs: () => [] }), /name must be kebab-case/);
});

test('serial and parallel execution give the same result; progress covers every run', async () => {
  const strip = ({ seconds: _s, cpuSeconds: _c, ...rest }: Awaited<ReturnType<typeof toy.execute>>) => rest;
  const events: string[] = [];
  const serial = await toy.execute(toy.preset('quick'), { workers: 1 });
  const parallel = await toy.execute(toy.preset('quick'), {
    workers: 2,
    cacheDir: '/tmp/toy-cache',
    onProgress: (e) => events.push(`${e.kind} ${e.id}${e.kind === 'done' ? ` ${e.completed}/${e.total}` : ''}`),
  });
  const noCache = (r: ReturnType<typeof strip>) => ({ ...r, runs: r.runs.map((x) => ({ ...x, output: { ...x.output, cacheDir: null } })) });
  assert.deepEqual(noCache(strip(parallel)), noCache(strip(serial)));
  assert.ok(serial.seconds > 0 && serial.cpuSeconds > 0);
  assert.deepEqual(serial.runs.map((r) => r.output.id), serial.runs.map((r) => r.id), 'each run saw its own id');
  assert.ok(parallel.runs.every((r) => !('lr' in r.output) || r.output.cacheDir === '/tmp/toy-cache'), 'the cache dir reaches the runs');
  const done = events.filter((e) => e.startsWith('done'));
  assert.equal(done.length, 12);
  assert.ok(done.at(-1)!.endsWith(' 12/12'));
  assert.ok(events.some((e) => e.startsWith('progress fit/')), 'runs report progress');
  // Phases in order: every fit run finished before any score run started, and refit came last.
  const lastDone = (phase: string) => events.map((e) => e.startsWith(`done ${phase}/`)).lastIndexOf(true);
  assert.ok(events.findIndex((e) => e.startsWith('start score/')) > lastDone('fit'));
  assert.ok(events.findIndex((e) => e.startsWith('start refit/')) > lastDone('score'));
  // refit was planned from the fits: each seed at its lr with the lowest final loss.
  const fit = (id: string) => serial.runs.find((r) => r.id === id)!.output as { losses: number[]; lr: number };
  for (const s of [0, 1, 2]) {
    const [a, b] = [fit(`fit/lr0.1/seed${s}`), fit(`fit/lr0.3/seed${s}`)];
    const best = a.losses.at(-1)! <= b.losses.at(-1)! ? a.lr : b.lr;
    assert.equal(fit(`refit/seed${s}`).lr, best);
  }
  // Claims read the combined result; a paired delta is one number per seed, in seed order.
  const claims = toy.claims(serial);
  assert.deepEqual(claims.map((c) => c.id), ['toy-loss-falls', 'toy-lr-pair']);
  const losses = (id: string) => (serial.runs.find((r) => r.id === id)!.output as { losses: number[] }).losses;
  const last = (xs: number[]) => xs[xs.length - 1]!;
  assert.deepEqual(claims[0]!.ours, [0, 1, 2].map((s) => last(losses(`fit/lr0.1/seed${s}`)) - losses(`fit/lr0.1/seed${s}`)[0]!));
  assert.deepEqual(claims[1]!.ours, [0, 1, 2].map((s) => last(losses(`fit/lr0.3/seed${s}`)) - last(losses(`fit/lr0.1/seed${s}`))));
  assert.ok(claims[0]!.ours.every((d) => d < 0), 'every seed\'s loss fell');
  assert.equal(evaluateClaim(claims[1]!).verdict, 'reproduced');
});

test('a run executed alone gives what execute gave it', async () => {
  const config = toy.preset('other');
  const result = await toy.execute(config, { workers: 1 });
  const all = toy.runs(config, result.runs);
  assert.equal(all.length, 3, 'fit, score and the refit planned from the fit');
  for (const run of all) assert.deepEqual(await toy.runOne(run), result.runs.find((r) => r.id === run.id)!.output);
  assert.deepEqual(toy.combine(config, result.runs), { config, runs: result.runs });
});

test('seedDeltas pairs by seed, in seed order, and refuses unpaired sides', () => {
  const a = [{ seed: 2, v: 5 }, { seed: 0, v: 1 }, { seed: 1, v: 4 }];
  const b = [{ seed: 1, v: 1 }, { seed: 2, v: 2 }, { seed: 0, v: 3 }];
  assert.deepEqual(seedDeltas({ runs: a, value: (r) => r.v }, { runs: b, value: (r) => r.v }), [-2, 3, 3]);
  assert.deepEqual(seedDeltas({ runs: a, value: (r) => r.v }, { value: (r) => r.v / 2 }), [0.5, 2, 2.5], 'within each run');
  assert.throws(() => seedDeltas({ runs: a, value: (r) => r.v }, { runs: b.slice(1), value: (r) => r.v }), /same seeds, got \[0, 1, 2\] and \[0, 2\]/);
  assert.throws(() => seedDeltas({ runs: [...a, a[0]!], value: (r) => r.v }, { value: (r) => r.v }), /after has two runs of seed 2/);
  assert.throws(() => seedDeltas({ runs: [], value: () => 0 }, { value: () => 0 }), /after has no runs/);
});
