import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { cacheDirectory, cacheKeyHash, cached, configHash, stableStringify, train } from '../../src/train/index.js';
import { Linear, batches, mse } from './linear-fixture.js';

await initBackend({ quiet: true });

test('stableStringify sorts keys at every level; configHash is order-independent', () => {
  assert.equal(stableStringify({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"e":3,"f":2}]},"b":1}');
  assert.equal(configHash({ x: 1, y: 2 }), configHash({ y: 2, x: 1 }));
  assert.notEqual(configHash({ x: 1, y: 2 }), configHash({ x: 1, y: 3 }));
  assert.equal(stableStringify({ a: undefined, b: null }), '{"b":null}');
});

test('stableStringify rejects values JSON would drop or mangle, naming the path', () => {
  assert.throws(() => stableStringify({ train: { lr: NaN } }), /\(root\).train.lr is NaN/);
  assert.throws(() => stableStringify({ f: () => 1 }), /\(root\).f is a function/);
  assert.throws(() => stableStringify({ m: new Map() }), /\(root\).m is a Map/);
  assert.throws(() => stableStringify({ a: [1, new Float32Array(2)] }), /\(root\).a\[1\] is a Float32Array/);
});

test('cacheDirectory: option > RLREPRO_CACHE_DIR > <project>/.cache/rlrepro', () => {
  const saved = process.env['RLREPRO_CACHE_DIR'];
  try {
    delete process.env['RLREPRO_CACHE_DIR'];
    assert.match(cacheDirectory(), /\/\.cache\/rlrepro$/);
    assert.ok(existsSync(join(cacheDirectory(), '..', '..', 'package.json')));
    process.env['RLREPRO_CACHE_DIR'] = '/tmp/somewhere';
    assert.equal(cacheDirectory(), '/tmp/somewhere');
    assert.equal(cacheDirectory('/tmp/other'), '/tmp/other');
  } finally {
    if (saved === undefined) delete process.env['RLREPRO_CACHE_DIR'];
    else process.env['RLREPRO_CACHE_DIR'] = saved;
  }
});

test('cached: trains once, then returns the stored weights; a changed key trains again', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'rlrepro-cache-'));
  try {
    let trained = 0;
    const opts = (lr: number) => ({
      key: { model: { d: 4 }, data: { task: 'linear' }, train: { steps: 30, lr }, seed: 0 },
      build: () => new Linear(),
      train: async (m: Linear) => {
        trained++;
        const r = await train({ model: m, loss: mse(m), batches: batches(), config: { steps: 30, lr, weightDecay: 0 }, onProgress: false });
        return { finalLoss: r.history.loss.at(-1) };
      },
      modelConfig: { d: 4 },
      tokenizer: { kind: 'none' },
      cacheDir,
    });
    const first = await cached(opts(0.1));
    assert.equal(first.hit, false);
    assert.equal(trained, 1);
    assert.equal(first.dir, join(cacheDir, cacheKeyHash(opts(0.1).key)));
    const w = Array.from(first.model.params['w']!.dataSync());
    const second = await cached(opts(0.1));
    assert.equal(second.hit, true);
    assert.equal(trained, 1, 'no second training');
    assert.deepEqual(Array.from(second.model.params['w']!.dataSync()), w);
    assert.equal(second.meta['finalLoss'], first.meta['finalLoss']);
    const third = await cached(opts(0.05));
    assert.equal(third.hit, false);
    assert.equal(trained, 2);
    assert.equal(readdirSync(cacheDir).length, 2);
    // A cache entry whose model config no longer matches is an error, not a silent reuse.
    await assert.rejects(cached({ ...opts(0.1), modelConfig: { d: 5 } }), /cache entry .* is unusable .*d: expected 5, found 4/);
    [first, second, third].forEach((r) => r.model.dispose());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('the backend is part of the entry hash: wasm keeps the old form, another backend gets its own entry', async () => {
  const key = { model: { d: 4 }, seed: 0 };
  const { TRAIN_CODE_VERSION } = await import('../../src/train/cache.js');
  const old = configHash({ codeVersion: TRAIN_CODE_VERSION, key }).slice(0, 16);
  await initBackend({ backend: 'wasm', quiet: true });
  assert.equal(cacheKeyHash(key), old, 'entries written before backends were told apart stay valid on wasm');
  await initBackend({ backend: 'cpu', quiet: true });
  const onCpu = cacheKeyHash(key);
  assert.notEqual(onCpu, old);
  assert.equal(onCpu, configHash({ codeVersion: TRAIN_CODE_VERSION, key, backend: 'cpu' }).slice(0, 16));
  await initBackend({ quiet: true, backend: 'wasm' });
});
