import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend, parseBackendName, backendInfo } from '../../src/backend/index.js';

const indexJs = fileURLToPath(new URL('../../src/backend/index.js', import.meta.url));

test('parseBackendName accepts the four names and rejects others with the list', () => {
  assert.equal(parseBackendName('WASM'), 'wasm');
  assert.equal(parseBackendName(' cpu '), 'cpu');
  assert.equal(parseBackendName('Blas'), 'blas');
  assert.throws(() => parseBackendName('gpu'), /unknown backend "gpu"; valid names are node, blas, wasm, cpu/);
});

test('initBackend picks a working backend and reports the same info twice', async () => {
  const a = await initBackend({ quiet: true });
  const b = await initBackend({ quiet: true });
  assert.deepEqual(a, b);
  assert.deepEqual(backendInfo(), a);
  assert.ok(['node', 'blas', 'wasm', 'cpu'].includes(a.name));
  assert.ok(a.threads >= 1);
});

// A fresh process per case: the env var is read at selection time, and a process keeps its first choice.
function runWith(env: Record<string, string | undefined>, calls = 1): { out: string; err: string; code: number | null } {
  const script =
    `import(${JSON.stringify(indexJs)}).then(async m => {` +
    ` let i; for (let k = 0; k < ${calls}; k++) i = await m.initBackend(); console.log(i.name); })`;
  const res = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { out: res.stdout.trim(), err: res.stderr, code: res.status };
}

test('RLREPRO_BACKEND forces a backend; an unknown name is a clear error', () => {
  assert.equal(runWith({ RLREPRO_BACKEND: 'cpu', RLREPRO_QUIET: '1' }).out, 'cpu');
  const bad = runWith({ RLREPRO_BACKEND: 'tpu' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /RLREPRO_BACKEND: unknown backend "tpu"; valid names are node, blas, wasm, cpu/);
});

test('the chosen backend is reported once on stderr, however often initBackend is called', () => {
  const res = runWith({ RLREPRO_BACKEND: 'wasm', RLREPRO_QUIET: undefined }, 3);
  assert.equal(res.code, 0);
  assert.equal(res.out, 'wasm');
  const lines = res.err.split('\n').filter((l) => l.startsWith('rlrepro: tfjs backend'));
  assert.deepEqual(lines, ['rlrepro: tfjs backend wasm (1 thread(s) per engine)']);
});

test('asking for node without a usable @tensorflow/tfjs-node says how to get it', () => {
  const res = runWith({ RLREPRO_BACKEND: 'node' });
  if (res.code === 0) return; // a machine where the native binding really works: nothing to check
  assert.match(res.err, /@tensorflow\/tfjs-node is not usable here/);
});
