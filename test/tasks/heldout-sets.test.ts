import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHeldOutSet, HELD_OUT_SETS, loadHeldOutSet, readManifest, serializeHeldOutSet, sha256Hex } from '../../src/tasks/index.js';

test('committed held-out sets load, verify, and are exactly what the generator produces now', () => {
  const manifest = readManifest();
  for (const spec of HELD_OUT_SETS) {
    const set = loadHeldOutSet(spec.task, spec.name);
    assert.equal(set.problems.length, spec.size);
    const entry = manifest[spec.name]!;
    assert.equal(entry.seed, spec.seed);
    const regenerated = serializeHeldOutSet(spec.task, generateHeldOutSet(spec.task, spec.seed, spec.size, entry.heldOutFraction));
    assert.equal(sha256Hex(regenerated), entry.sha256, `${spec.name}: generator drifted; run node dist/src/tasks/heldout-sets.js`);
  }
});
