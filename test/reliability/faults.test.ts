/**
 * Defect group 5, runs (issue 20): an error raised from a timer or an unhandled rejection fails the cell instead
 * of passing as "ok"; a runner killed with SIGKILL, even while a cell blocks the kernel's main thread, leaves no
 * kernel process and no connection-file folder behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cliPath, processAlive, repoRoot, runCli } from '../runner/harness.js';
import { scratchNotebook } from './scratch-notebook.js';

const out = () => mkdtempSync(join(tmpdir(), 'rlrepro-faults-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an exception thrown from a timer fails the cell that is running, and the run stops there', async () => {
  const path = scratchNotebook('timer', [
    "setTimeout(() => { throw new RangeError('late boom'); }, 300);\nconsole.log('armed');",
    "await new Promise((r) => setTimeout(r, 1500));\nconsole.log('second cell done');",
    "console.log('third cell');",
  ]);
  const dir = out();
  const r = await runCli(['run', path, '--out', dir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cell 1 \(code cell 2, id c1\) failed: UncaughtException: RangeError: late boom \(raised while this cell ran/);
  const claims = JSON.parse(readFileSync(join(dir, 'timer.claims.json'), 'utf8')) as { status: string };
  assert.match(claims.status, /^failed at cell 1: UncaughtException/);
  const nb = JSON.parse(readFileSync(join(dir, 'timer.ipynb'), 'utf8')) as { cells: { execution_count: number | null }[] };
  assert.equal(nb.cells[2]!.execution_count, null, 'the cell after the failure does not run');
});

test('an unhandled rejection fails its cell; a timer the last cell left due fails the run', async () => {
  const rejection = await runCli(['run', scratchNotebook('rejection', ["Promise.reject(new Error('nobody catches me'));\nawait new Promise((r) => setTimeout(r, 300));"]), '--out', out()]);
  assert.equal(rejection.code, 1, rejection.stderr);
  assert.match(rejection.stderr, /failed: UnhandledRejection: Error: nobody catches me/);
  const last = await runCli(['run', scratchNotebook('last', ["console.log('one');", "setTimeout(() => { throw new Error('after the end'); }, 0);"]), '--out', out()]);
  assert.equal(last.code, 1, last.stderr);
  assert.match(last.stderr, /cell 1 \(code cell 2, id c1\) failed: UncaughtException: Error: after the end \(raised (while this cell ran|after this cell finished)/);
});

/** The kernel child of a runner, once it exists, with the connection file it was given (Linux /proc). */
async function kernelOf(runner: number): Promise<{ pid: number; connectionDir: string }> {
  for (let i = 0; i < 400; i++) {
    let rows: string[] = [];
    try {
      rows = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(runner)], { encoding: 'utf8' }).split('\n');
    } catch {
      // ps exits 1 while the runner has no child yet
    }
    const row = rows.find((l) => /tslab kernel --config-path /.test(l));
    if (row) {
      const pid = Number(row.trim().split(/\s+/)[0]);
      const file = /--config-path (\S+)/.exec(row)![1]!;
      return { pid, connectionDir: dirname(file) };
    }
    await sleep(50);
  }
  throw new Error(`runner ${runner} started no kernel`);
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (let t = 0; t < withinMs; t += 100) {
    if (!processAlive(pid)) return true;
    await sleep(100);
  }
  return !processAlive(pid);
}

function startRunner(path: string): { pid: number; stderr: () => string } {
  const child = spawn(process.execPath, [cliPath, 'run', path, '--out', out()], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { pid: child.pid!, stderr: () => stderr };
}

test('kill -9 of the runner while a cell blocks synchronously ends the kernel and removes its connection folder', { skip: process.platform !== 'linux' && 'reads the process table the Linux way', timeout: 120_000 }, async () => {
  // 60 s of synchronous work: the kernel's own event loop cannot run until it ends.
  const runner = startRunner(scratchNotebook('blocking', ["console.log('ready');", 'const t0 = Date.now();\nwhile (Date.now() - t0 < 60_000) {}']));
  const kernel = await kernelOf(runner.pid);
  for (let i = 0; i < 1200 && !/cell 2\/2/.test(runner.stderr()) && !/cell 1\/2 ok/.test(runner.stderr()); i++) await sleep(50);
  assert.match(runner.stderr(), /cell 1\/2 ok/, 'the blocking cell started');
  await sleep(500);
  process.kill(runner.pid, 'SIGKILL');
  assert.ok(await gone(kernel.pid, 15_000), `kernel ${kernel.pid} still runs after its runner was killed`);
  assert.equal(existsSync(kernel.connectionDir), false, `${kernel.connectionDir} was left behind`);
});

test('kill -9 of the runner while the kernel starts ends the kernel and removes its connection folder', { skip: process.platform !== 'linux' && 'reads the process table the Linux way', timeout: 120_000 }, async () => {
  const runner = startRunner(scratchNotebook('starting', ["console.log('never reached');"]));
  const kernel = await kernelOf(runner.pid);
  process.kill(runner.pid, 'SIGKILL');
  assert.ok(await gone(kernel.pid, 15_000), `kernel ${kernel.pid} still runs after its runner was killed`);
  assert.equal(existsSync(kernel.connectionDir), false, `${kernel.connectionDir} was left behind`);
});
