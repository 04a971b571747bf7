import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdArena } from '../../src/backend/simd-arena.js';
import { Rng } from '../../src/random.js';

test('mix: the SIMD kernel equals the JS loop and a float64 reference (strided rows, offsets, tails)', () => {
  const simd = simdArena(4096);
  const js = simdArena(4096, { forceJs: true });
  assert.equal(simd.simd, true, 'Node has WebAssembly SIMD');
  assert.equal(js.simd, false);
  const rng = new Rng('mix');
  for (const [n, len, stride, p, v, out] of [
    [1, 32, 32, 0, 100, 2000],
    [7, 32, 13, 3, 101, 2001],
    [32, 64, 64, 50, 200, 3000],
    [0, 32, 4, 0, 10, 3500],
  ] as const) {
    const init = rng.normals(4096, 1);
    simd.f32.set(init);
    js.f32.set(init);
    simd.mix(p, v, out, n, len, stride);
    js.mix(p, v, out, n, len, stride);
    for (let d = 0; d < len; d++) {
      let want = 0;
      for (let j = 0; j < n; j++) want += init[p + j]! * init[v + j * stride + d]!;
      assert.ok(Math.abs(simd.f32[out + d]! - want) < 1e-4, `simd n=${n} d=${d}: ${simd.f32[out + d]} vs ${want}`);
      assert.ok(Math.abs(js.f32[out + d]! - want) < 1e-4, `js n=${n} d=${d}`);
    }
    // nothing outside out[0, len) is written
    for (let i = 0; i < 4096; i++) if (i < out || i >= out + len) assert.equal(simd.f32[i], init[i], `simd wrote ${i}`);
  }
});

test('mix: the JS fallback rejects a length that is not whole blocks of 32', () => {
  assert.throws(() => simdArena(128, { forceJs: true }).mix(0, 8, 32, 2, 4, 4), /len must be a multiple of 32/);
});
