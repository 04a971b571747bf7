/**
 * Defect group 1 and 4 (issue 20): the parameter model. Explicit parameters win over --quick and the record says
 * what ran; bad values are errors naming the parameter, before a kernel starts where the runner can see them
 * (names, types, duplicates, `__proto__`, the backend) and before any training where only the notebook can
 * (an unknown preset, empty seeds, a negative step count).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParameterError, presetConfig } from '../../src/notebook/parameters.js';
import { parseNotebook } from '../../src/runner/nbformat.js';
import { injectParameters, parseParamArgs, requestedParameters } from '../../src/runner/parameters.js';
import { declaredTypes, matchesType } from '../../src/runner/parameter-types.js';
import { fixturesDir, kernelPids, repoRoot, runCli } from '../runner/harness.js';
import { configSlices } from './notebook-slices.js';

const PRESETS = {
  default: { seeds: [0, 1, 2, 3, 4], rl: { steps: 30, lr: 3e-3 }, checkpoints: { early: 4, final: 30 }, name: 'd' },
  quick: { seeds: [0, 1], rl: { steps: 4, lr: 3e-3 }, checkpoints: { early: 2, final: 4 }, name: 'q' },
  full: { seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], rl: { steps: 60, lr: 3e-3 }, checkpoints: { early: 4, final: 60 }, name: 'f' },
};
const TARGETS = { rlSteps: ['rl.steps', 'checkpoints.final'] };

/** presetConfig shows what ran; outside a kernel that is one console.log line. */
function quietly<T>(fn: () => T): { value: T; lines: string[] } {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (s: unknown) => lines.push(String(s));
  try {
    return { value: fn(), lines };
  } finally {
    console.log = orig;
  }
}

test('presetConfig: an explicit override wins over the quick preset; null takes the preset value; presets stay unchanged', () => {
  const { value: c, lines } = quietly(() => presetConfig(PRESETS, { quick: true, preset: 'default', seeds: [7], rlSteps: null }, TARGETS));
  assert.deepEqual(c.seeds, [7]);
  assert.equal(c.rl.steps, 4);
  assert.equal(c.name, 'q');
  assert.deepEqual(lines, ['parameters: quick true, preset "quick", seeds [7], rlSteps 4']);
  const full = quietly(() => presetConfig(PRESETS, { preset: 'full', seeds: null, rlSteps: 12 }, TARGETS)).value;
  assert.equal(full.seeds.length, 10, 'null seeds are the chosen preset\'s, not a notebook default');
  assert.deepEqual([full.rl.steps, full.checkpoints.final], [12, 12], 'one parameter may set several fields');
  full.rl.lr = 1;
  assert.equal(PRESETS.full.rl.lr, 3e-3, 'the result is a copy');
  assert.deepEqual(PRESETS.full.seeds.length, 10);
});

test('presetConfig: bad values are ParameterErrors that name the parameter and what it accepts', () => {
  const bad = (params: Record<string, unknown>, re: RegExp) =>
    assert.throws(() => quietly(() => presetConfig(PRESETS, params, TARGETS)), (e: unknown) => e instanceof ParameterError && e.name === 'ParameterError' && re.test(e.message));
  bad({ preset: 'bogus' }, /^preset must be one of "default", "quick", "full", got "bogus"$/);
  bad({ quick: true, preset: 'full' }, /quick = true selects the "quick" preset, but preset = "full"/);
  bad({ seeds: [] }, /^seeds must not be empty \(the preset's is \[0,1,2,3,4\]\), got \[\]$/);
  bad({ seeds: [1, 1] }, /^seeds must not repeat a value/);
  bad({ seeds: [0, 1.5] }, /^seeds\[1\] must be an integer like the preset's elements \(e\.g\. 0\), got 1\.5$/);
  bad({ seeds: [-1] }, /^seeds\[0\] must be non-negative/);
  bad({ seeds: 3 }, /^seeds must be an array like the preset's \[0,1,2,3,4\], got 3$/);
  bad({ rlSteps: -5 }, /^rlSteps must be positive like the preset's 30, got -5$/);
  bad({ rlSteps: 0 }, /^rlSteps must be positive/);
  bad({ quick: 'yes' }, /^quick must be true or false/);
  assert.throws(() => quietly(() => presetConfig(PRESETS, { steps: 5 })), /the "default" preset has no field steps for parameter steps/);
});

test('--param: a duplicate name and __proto__ are errors; --quick with --param quick conflicts', () => {
  assert.throws(() => parseParamArgs(['seeds=[1]', 'seeds=[2]']), /--param seeds is given twice/);
  assert.throws(() => parseParamArgs(['__proto__={"polluted":1}']), /"__proto__" cannot be a parameter name/);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.throws(() => requestedParameters({ quick: false }, true), /--quick and --param quick=false both set quick/);
  assert.deepEqual(requestedParameters({ seeds: [7] }, true), { seeds: [7], quick: true });
});

test('declared types of a parameters cell check --param values before a kernel starts', () => {
  const types = declaredTypes("let quick = false;\nlet preset: 'quick' | 'default' | 'full' = 'default';\nlet seeds: number[] | null = null;\nlet steps = 300;\nlet ks = [1, 4];\nlet opts: Record<string, number> = {};\n");
  const check = (name: string, v: unknown) => matchesType(types.get(name)!.type, v);
  assert.ok(check('preset', 'full') && !check('preset', 'bogus'));
  assert.ok(check('seeds', null) && check('seeds', [7]) && check('seeds', []) && !check('seeds', ['7']) && !check('seeds', 7));
  assert.ok(check('steps', -5) && !check('steps', '5'));
  assert.ok(check('quick', true) && !check('quick', 1));
  assert.ok(check('ks', [2]) && !check('ks', [true]));
  assert.ok(check('opts', 'anything'), 'types it cannot read are left to tslab');
  const nb = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, source: "let preset: 'quick' | 'default' | 'full' = 'default';", outputs: [], execution_count: null }] }), 'x.ipynb');
  assert.throws(() => injectParameters(nb, { preset: 'bogus' }, 'x.ipynb'), /x\.ipynb: parameter preset must be 'quick' \| 'default' \| 'full' \(as the parameters cell declares it\), got "bogus"/);
});

test('an unknown preset, a duplicate --param and __proto__ exit 2 before any kernel starts', async () => {
  const nb = (n: string) => join(repoRoot, 'notebooks', n);
  const out = mkdtempSync(join(tmpdir(), 'rlrepro-params-'));
  for (const n of ['01-verification-gap.ipynb', '02-rlif-collapse.ipynb', '03-spurious-rewards.ipynb', '04-negative-reinforcement.ipynb']) {
    const r = await runCli(['run', nb(n), '--param', 'preset="bogus"', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /parameter preset must be 'quick' \| 'default' \|( 'reported' \|)? 'full'.*got "bogus"/);
    assert.equal(kernelPids(r.stderr).length, 0);
  }
  const dup = await runCli(['run', nb('00-tour.ipynb'), '--param', 'steps=5', '--param', 'steps=6', '--out', out]);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /--param steps is given twice/);
  const proto = await runCli(['run', join(fixturesDir, 'params.ipynb'), '--param', '__proto__={}', '--out', out]);
  assert.equal(proto.code, 2);
  assert.match(proto.stderr, /"__proto__" cannot be a parameter name/);
  for (const r of [dup, proto]) assert.equal(kernelPids(r.stderr).length, 0);
});

test('--quick --param seeds=[7] runs seed 7 in every notebook, and claims.json records what ran', { timeout: 300_000 }, async () => {
  const names = ['00-tour', '01-verification-gap', '02-rlif-collapse', '03-spurious-rewards', '04-negative-reinforcement'];
  const paths = configSlices(names);
  const out = mkdtempSync(join(tmpdir(), 'rlrepro-seeds-'));
  const r = await runCli(['run', ...paths, '--quick', '--param', 'seeds=[7]', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const name of names) {
    const nb = JSON.parse(readFileSync(join(out, `${name}.ipynb`), 'utf8')) as { cells: { outputs: { text?: string[] }[] }[] };
    const printed = nb.cells.flatMap((c) => c.outputs.flatMap((o) => o.text ?? [])).join('');
    assert.match(printed, /^resolved seeds \[7\]$/m, `${name} resolved its config with seed 7`);
    const claims = JSON.parse(readFileSync(join(out, `${name}.claims.json`), 'utf8')) as { parameters: Record<string, unknown>; requested: Record<string, unknown> };
    assert.deepEqual(claims.parameters['seeds'], [7], name);
    assert.equal(claims.parameters['preset'], 'quick', name);
    assert.deepEqual(claims.requested, { seeds: [7], quick: true }, name);
  }
  const tour = JSON.parse(readFileSync(join(out, '00-tour.claims.json'), 'utf8')) as { parameters: Record<string, unknown> };
  assert.equal(tour.parameters['steps'], 60, 'a parameter left at null records the preset value that ran');
});

test('a value only the notebook can judge fails before training, names the parameter, and exits 2', { timeout: 180_000 }, async () => {
  // The reproduction: the tour with steps=-5 said "progress: total must be an integer >= 1".
  const [tour] = configSlices(['00-tour']);
  const r = await runCli(['run', tour!, '--param', 'steps=-5', '--out', mkdtempSync(join(tmpdir(), 'rlrepro-badvalue-'))]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /ParameterError: steps must be positive like the preset's 300, got -5/);
});
