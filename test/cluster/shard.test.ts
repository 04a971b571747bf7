/**
 * Shards as separate processes with the engines' own variables (Slurm's for shard 0, Kubernetes' for shard 1),
 * one killed mid-run and rerun, merged: the claims equal the serial run's; results of another config fail merge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(root, 'dist/src/cli.js');
const NB = join(root, 'notebooks/03-spurious-rewards.ipynb');

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (pid: number) => void): Promise<Done> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a kill reaches the kernel it starts too.
    const p = spawn(process.execPath, [CLI, ...args], { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += String(d)));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    onSpawn?.(p.pid!);
  });
}

const slurm = (i: number) => ({ SLURM_ARRAY_TASK_ID: String(i + 4), SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '2' });
const k8s = (i: number) => ({ JOB_COMPLETION_INDEX: String(i), RLREPRO_SHARD_COUNT: '2' });
const engineEnv = (i: number) => (i === 0 ? slurm(i) : k8s(i));
const stored = (dir: string, i: number) => {
  const d = join(dir, `shard-${i}-of-2`);
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')) : [];
};
const claimsOf = (dir: string) => (JSON.parse(readFileSync(join(dir, '03-spurious-rewards.claims.json'), 'utf8')) as { claims: unknown[] }).claims;

test('two shards in waves (one killed and rerun) merge into the serial run\'s claims; another config fails merge', { timeout: 900_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'rlrepro-shard-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const env = { RLREPRO_CACHE_DIR: join(tmp, 'cache') };
  const store = join(tmp, 'store');

  const serial = await cli(['run', NB, '--quick', '--out', join(tmp, 'serial')], env);
  assert.equal(serial.code, 0, serial.stderr);

  // Wave 1, shard 0 is killed (with its kernel) as soon as it has stored its first run, then rerun.
  let killed = false;
  const first = await cli(['shard', NB, '--quick', '--out', store], { ...env, ...engineEnv(0) }, (pid) => {
    const poll = setInterval(() => {
      if (stored(store, 0).length > 0) {
        clearInterval(poll);
        killed = true;
        process.kill(-pid, 'SIGKILL');
      }
    }, 50);
  });
  assert.ok(killed && first.signal === 'SIGKILL', `shard 0 was killed mid-run (${first.code}, ${first.signal})`);
  const survivors = stored(store, 0);
  assert.ok(survivors.length >= 1);
  for (const f of survivors) JSON.parse(readFileSync(join(store, 'shard-0-of-2', f), 'utf8')); // whole files only

  const outcomes: string[] = [];
  const complete = () => outcomes.length >= 2 && outcomes.slice(-2).every((o) => /every phase is stored/.test(o));
  for (let wave = 1; wave <= 4 && !complete(); wave++) {
    for (const i of [0, 1]) {
      const r = await cli(['shard', NB, '--quick', '--out', store], { ...env, ...engineEnv(i) });
      assert.equal(r.code, 0, r.stderr);
      const line = r.stderr.split('\n').find((l) => l.startsWith('rlrepro: shard')) ?? r.stderr;
      assert.match(line, /shard \d of 2 \((SLURM_ARRAY_TASK_ID|JOB_COMPLETION_INDEX)\)/);
      outcomes.push(line);
    }
  }
  assert.ok(complete(), outcomes.join('\n'));
  const before = [0, 1].map((i) => stored(store, i).length);
  // A rerun of a finished shard is a no-op.
  const again = await cli(['shard', NB, '--quick', '--out', store], { ...env, ...engineEnv(1) });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual([0, 1].map((i) => stored(store, i).length), before);

  // A stored run nobody asks for (another config's) is named by merge, which still writes the merged outputs.
  const one = stored(store, 1)[0]!;
  const foreign = 'f'.repeat(24);
  const text = readFileSync(join(store, 'shard-1-of-2', one), 'utf8').replace(one.slice(0, -5), foreign);
  writeFileSync(join(store, 'shard-1-of-2', `${foreign}.json`), text);
  const merged = await cli(['merge', NB, store, '--quick', '--out', join(tmp, 'merged')], env);
  assert.equal(merged.code, 2, merged.stderr);
  assert.match(merged.stderr, new RegExp(`not part of this notebook's sweep[\\s\\S]*${foreign}`));
  assert.deepEqual(claimsOf(join(tmp, 'merged')), claimsOf(join(tmp, 'serial')));
  rmSync(join(store, 'shard-1-of-2', `${foreign}.json`));

  // Another config (a seed no shard ran) fails at its experiment cell, naming the missing runs; nothing trains.
  const other = await cli(['merge', NB, store, '--quick', '--param', 'seeds=[0,1,7]', '--out', join(tmp, 'other')], env);
  assert.equal(other.code, 1, other.stderr);
  assert.match(other.stderr, /missing from[\s\S]*seed.?7/);
});
