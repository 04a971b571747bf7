/** Running the CLI with a chosen environment (the runner harness's runCli inherits this process's). */
import { spawn } from 'node:child_process';
import { cliPath, repoRoot, type CliResult } from '../runner/harness.js';

export function runCliWith(args: string[], env: Record<string, string | undefined>, cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
