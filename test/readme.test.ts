/**
 * The README's code examples are run, not just read: each block tagged `<!-- example:NAME -->` is executed as an
 * ES module that imports the package by its name (the self-reference through `exports`, as notebooks do).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function example(name: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = readme.match(new RegExp(`<!-- example:${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``));
  if (!m) throw new Error(`README.md has no block tagged <!-- example:${name} -->`);
  return m[1]!;
}

test('the README GRPO example runs and improves held-out accuracy', () => {
  const code = example('grpo');
  assert.ok(code.trim().split('\n').length <= 15, 'the example stays within 15 lines');
  // Written inside the package (not /tmp) so that `import 'rlrepro'` resolves to this checkout's build.
  const dir = mkdtempSync(join(root, '.readme-example-'));
  try {
    const file = join(dir, 'grpo.mjs');
    writeFileSync(file, code);
    const res = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, RLREPRO_QUIET: '1' } });
    assert.equal(res.status, 0, `the example failed:\n${res.stderr}`);
    const before = Number(res.stdout.match(/accuracy before RL ([\d.]+)/)?.[1]);
    const after = Number(res.stdout.match(/accuracy after RL ([\d.]+)/)?.[1]);
    assert.ok(after > before, `accuracy ${before} -> ${after}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
