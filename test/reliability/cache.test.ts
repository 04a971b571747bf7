/**
 * Defect group 5, training cache (issue 20): a damaged entry is retrained with a warning instead of stopping the
 * run: a folder left without its manifest (rename used to fail with ENOTEMPTY) and a corrupt weights file (used
 * to ask the user to delete the entry by hand).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { cacheKeyHash, cached, train } from '../../src/train/index.js';
import { Linear, batches, mse } from '../train/linear-fixture.js';

await initBackend({ quiet: true });

function setup() {
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlrepro-cache-rel-'));
  const counter = { trained: 0 };
  const opts = {
    key: { model: { d: 4 }, data: { task: 'linear' }, train: { steps: 20, lr: 0.1 }, seed: 0 },
    build: () => new Linear(),
    train: async (m: Linear) => {
      counter.trained++;
      await train({ model: m, loss: mse(m), batches: batches(), config: { steps: 20, lr: 0.1, weightDecay: 0 }, onProgress: false });
      return {};
    },
    modelConfig: { d: 4 },
    cacheDir,
  };
  return { cacheDir, counter, opts, dir: join(cacheDir, cacheKeyHash(opts.key)) };
}

async function warnings<T>(fn: () => Promise<T>): Promise<{ value: T; warned: string[] }> {
  const warned: string[] = [];
  const orig = console.warn;
  console.warn = (s: unknown) => warned.push(String(s));
  try {
    return { value: await fn(), warned };
  } finally {
    console.warn = orig;
  }
}

test('an entry folder without its manifest is replaced by the retrained entry (no ENOTEMPTY)', async () => {
  const { cacheDir, counter, opts, dir } = setup();
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'weights.bin'), 'partial');
    const first = await cached(opts);
    assert.equal(first.hit, false);
    assert.equal(counter.trained, 1);
    const again = await cached(opts);
    assert.equal(again.hit, true, 'the retrained entry is whole');
    assert.deepEqual(Array.from(again.model.params['w']!.dataSync()), Array.from(first.model.params['w']!.dataSync()));
    assert.deepEqual(readdirSync(cacheDir), [cacheKeyHash(opts.key)], 'nothing left beside the entry');
    [first, again].forEach((r) => r.model.dispose());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('a corrupt weights file is retrained with a warning, and the new entry loads', async () => {
  const { cacheDir, counter, opts, dir } = setup();
  try {
    (await cached(opts)).model.dispose();
    const bin = join(dir, 'weights.bin');
    const bytes = readFileSync(bin);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(bin, bytes);
    const { value: retrained, warned } = await warnings(() => cached(opts));
    assert.equal(retrained.hit, false);
    assert.equal(counter.trained, 2);
    assert.equal(warned.length, 1);
    assert.match(warned[0]!, /cache entry .* is damaged \(.*weights\.bin: sha256 .* the file is corrupt\); retraining it/);
    const hit = await cached(opts);
    assert.equal(hit.hit, true);
    assert.equal(counter.trained, 2);
    assert.deepEqual(readdirSync(cacheDir), [cacheKeyHash(opts.key)]);
    [retrained, hit].forEach((r) => r.model.dispose());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
