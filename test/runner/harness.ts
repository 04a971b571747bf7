/** Shared by the runner tests: paths, fixture copies, running the CLI, and the process table. */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root (the folder whose package.json is rlrepro's). */
export const repoRoot = (() => {
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rlrepro') return dir;
  }
  throw new Error(`no rlrepro package.json above ${here}`);
})();

/** The compiled build these tests belong to (dist/ in CI, .build/<name>/ for a helper). */
export const buildRoot = join(here, '..', '..');
export const cliPath = join(buildRoot, 'src', 'cli.js');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/**
 * Copies a fixture notebook into a fresh temp folder, pointing its `RLREPRO_NOTEBOOK` import at the compiled
 * `src/notebook` of this build (fixtures must not depend on dist/ being current).
 */
export function fixtureCopy(name: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rlrepro-test-'));
  const text = readFileSync(join(fixturesDir, name), 'utf8').replaceAll(
    'RLREPRO_NOTEBOOK',
    join(buildRoot, 'src', 'notebook', 'index.js').replaceAll('\\', '/'),
  );
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. `onStderr` sees output as it arrives (e.g. to signal the process). */
export function runCli(args: string[], options: { cwd?: string; onStderr?: (all: string, pid: number) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, child.pid ?? -1);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Kernel pids the CLI reported ("kernel started in 2.1s (pid 1234)"). */
export function kernelPids(stderr: string): number[] {
  return [...stderr.matchAll(/kernel started in [\d.]+s \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

/** Whether a pid is in the process table (and not a zombie). */
export function processAlive(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false; // ps exits 1 when the pid is not listed
  }
}
