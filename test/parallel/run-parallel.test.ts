import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/random.js';
import {
  ParallelRunError,
  referenceRun,
  runParallel,
  runParallelReport,
  type ReferenceRunConfig,
  type ReferenceRunResult,
  type RunEvent,
} from '../../src/parallel/index.js';

const FIXTURES = new URL('./fixtures/runs.js', import.meta.url).href;

await initBackend({ quiet: true });

const tiny = (seed: number): ReferenceRunConfig => ({ seed, steps: 12, batch: 16, inputs: 8, hidden: 16, lr: 0.2, progressEvery: 4 });

test('parallel results equal serial results exactly, in input order', async () => {
  const configs = [11, 12, 13, 14].map(tiny);
  const serial = await runParallel<ReferenceRunConfig, ReferenceRunResult>({
    module: FIXTURES,
    exportName: 'referenceRun',
    configs,
    workers: 1,
  });
  const parallel = await runParallelReport<ReferenceRunConfig, ReferenceRunResult>({
    module: FIXTURES,
    exportName: 'referenceRun',
    configs,
    workers: 2,
  });
  assert.equal(parallel.inProcess, false);
  assert.equal(parallel.workers, 2);
  assert.deepEqual(parallel.results, serial); // bit-identical floats, same order
  assert.deepEqual(
    serial.map((r) => r.seed),
    [11, 12, 13, 14],
  );
  // The comparison can fail: different seeds give different models, and training moved the loss.
  assert.notEqual(serial[0]!.weightSum, serial[1]!.weightSum);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const r of serial) {
    assert.ok(mean(r.losses.slice(-3)) < mean(r.losses.slice(0, 3)), `seed ${r.seed}: loss did not decrease`);
  }
  // Both workers ran something and reported their memory.
  assert.deepEqual(parallel.perWorker.map((w) => w.runs).reduce((a, b) => a + b), 4);
  for (const w of parallel.perWorker) if (w.runs > 0) assert.ok(w.peakTensorBytes > 0 && w.peakHeapBytes > 0);
  assert.ok(parallel.peakRssBytes > 0);
});

test('serial in-process equals a direct call, and runs leak no tensors', async () => {
  const direct = await referenceRun(tiny(5));
  const before = tf.memory().numTensors;
  const [viaPool] = await runParallel<ReferenceRunConfig, ReferenceRunResult>({
    module: FIXTURES,
    exportName: 'referenceRun',
    configs: [tiny(5)],
  });
  await referenceRun(tiny(6));
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(viaPool, direct);
});

test('results keep input order when later configs finish first; progress is forwarded', async () => {
  const configs = [0, 1, 2, 3, 4, 5].map((i) => ({ value: i * 10, delayMs: 300 - i * 50 }));
  const events: RunEvent[] = [];
  const results = await runParallel<(typeof configs)[number], { index: number; doubled: number }>({
    module: FIXTURES,
    exportName: 'doubleAfterDelay',
    configs,
    workers: 2,
    onProgress: (e) => events.push(e),
  });
  assert.deepEqual(
    results,
    configs.map((c, i) => ({ index: i, doubled: c.value * 2 })),
  );
  const progress = events.flatMap((e) => (e.kind === 'progress' ? [e] : []));
  assert.deepEqual(
    progress.map((e) => [e.index, e.data]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    configs.map((c, i) => [i, { value: c.value }]),
  );
  const done = events.flatMap((e) => (e.kind === 'done' ? [e] : []));
  assert.deepEqual(
    done.map((e) => e.completed),
    [1, 2, 3, 4, 5, 6],
  );
  assert.ok(done.every((e) => e.total === 6));
  assert.equal(events.filter((e) => e.kind === 'start').length, 6);
  // Every run ended after it started, on the same worker.
  for (const d of done) {
    const s = events.findIndex((e) => e.kind === 'start' && e.index === d.index);
    assert.ok(s >= 0 && s < events.indexOf(d));
    assert.equal((events[s] as { worker: number }).worker, d.worker);
  }
});

for (const workers of [1, 2]) {
  test(`an error in one run rejects with the config index and the worker's stack (workers: ${workers})`, async () => {
    const configs = [0, 1, 2, 3, 4, 5].map((value) => ({ value, failOn: 3 }));
    await assert.rejects(
      runParallel({ module: FIXTURES, exportName: 'failWhenValueIs', configs, workers }),
      (e: unknown) => {
        assert.ok(e instanceof ParallelRunError);
        assert.equal(e.index, 3);
        assert.match(e.message, /config #3 failed: fixture failure for value 3/);
        assert.ok(e.cause instanceof Error);
        assert.equal(e.cause.name, 'RangeError');
        assert.match(e.workerStack ?? '', /throwFromNamedFrame/);
        return true;
      },
    );
  });
}

test('a result that is not plain data is a clear error in both modes', async () => {
  for (const workers of [1, 2]) {
    await assert.rejects(
      runParallel({ module: FIXTURES, exportName: 'returnsTensor', configs: [{}, {}], workers }),
      // With 2 workers either run may fail first (both return a tensor): accept either index, but the same one twice.
      /config #(\d) failed: result of config #\1 is a \w+; configs and results must be plain data/,
    );
  }
});

test('bad options are clear errors', async () => {
  const ok = { module: FIXTURES, exportName: 'referenceRun', configs: [tiny(1)] };
  for (const workers of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(runParallel({ ...ok, workers }), new RegExp(`workers must be an integer >= 1, got ${workers}`));
  }
  await assert.rejects(runParallel({ ...ok, module: '' }), /module must be a non-empty absolute path or file: URL/);
  await assert.rejects(runParallel({ ...ok, module: './fixtures/runs.js' }), /module must be an absolute path or a file: URL/);
  await assert.rejects(runParallel({ ...ok, module: '/nonexistent/experiment.js' }), /does not exist/);
  await assert.rejects(runParallel({ ...ok, exportName: '' }), /exportName must be a non-empty string/);
  await assert.rejects(
    runParallel({ ...ok, configs: [tiny(1), { ...tiny(2), rng: new Rng(1) }] }),
    /configs\[1\] at \.rng is a Rng; configs and results must be plain data/,
  );
  for (const workers of [1, 2]) {
    const configs = [tiny(1), tiny(2)];
    await assert.rejects(
      runParallel({ module: FIXTURES, exportName: 'notAFunction', configs, workers }),
      (e: unknown) => {
        assert.ok(e instanceof ParallelRunError);
        assert.equal(e.index, undefined);
        assert.match(e.message, /exportName "notAFunction" of .*runs\.js is a number, not a function; its function exports are: .*referenceRun/);
        return true;
      },
    );
    await assert.rejects(runParallel({ module: FIXTURES, exportName: 'missing', configs, workers }), /"missing" .* is not exported/);
  }
});

test("workers use the parent's backend unless told otherwise", async () => {
  const parent = (await initBackend({ quiet: true })).name;
  const configs = [{}, {}];
  assert.deepEqual(await runParallel({ module: FIXTURES, exportName: 'backendName', configs, workers: 2 }), [parent, parent]);
  assert.deepEqual(
    await runParallel({ module: FIXTURES, exportName: 'backendName', configs, workers: 2, backend: 'cpu' }),
    ['cpu', 'cpu'],
  );
});

test('no configs: no workers, no results', async () => {
  const r = await runParallelReport({ module: FIXTURES, exportName: 'referenceRun', configs: [] });
  assert.deepEqual(r.results, []);
  assert.equal(r.runs.length, 0);
});

test('default worker count is availableParallelism capped at the number of configs', async () => {
  const configs = [1, 2, 3].map((value) => ({ value, delayMs: 1 }));
  const r = await runParallelReport({ module: FIXTURES, exportName: 'doubleAfterDelay', configs });
  assert.equal(r.workers, Math.min(availableParallelism(), 3));
  assert.equal(r.inProcess, r.workers === 1);
});

test('aborting terminates the workers and rejects with the reason', async () => {
  const controller = new AbortController();
  const t0 = Date.now();
  const pending = runParallel({
    module: FIXTURES,
    exportName: 'slow',
    configs: [{ ms: 60_000 }, { ms: 60_000 }],
    workers: 2,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.kind === 'start') setTimeout(() => controller.abort(new Error('stop the sweep')), 50);
    },
  });
  await assert.rejects(pending, /stop the sweep/);
  assert.ok(Date.now() - t0 < 30_000, 'abort did not stop the 60 s runs');
});

test('no worker outlives a sweep: a process that runs sweeps (one failing) exits by itself', () => {
  const indexUrl = new URL('../../src/parallel/index.js', import.meta.url).href;
  const script = `
    import { runParallel } from ${JSON.stringify(indexUrl)};
    const module = ${JSON.stringify(FIXTURES)};
    const ok = await runParallel({ module, exportName: 'doubleAfterDelay', configs: [1, 2, 3].map((value) => ({ value, delayMs: 10 })), workers: 2 });
    let failed = false;
    try { await runParallel({ module, exportName: 'failWhenValueIs', configs: [0, 1, 2, 3].map((value) => ({ value, failOn: 0 })), workers: 2 }); }
    catch { failed = true; }
    console.log(JSON.stringify({ ok: ok.map((r) => r.doubled), failed }));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    timeout: 60_000,
    encoding: 'utf8',
    env: { ...process.env, RLREPRO_QUIET: '1' },
  });
  assert.equal(child.signal, null, `the process had to be killed (lingering threads?); stderr: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim()), { ok: [2, 4, 6], failed: true });
});
