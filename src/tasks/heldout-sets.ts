/**
 * The committed held-out evaluation sets under `datasets/`, and the script that regenerates them:
 *   npm run build && node dist/src/tasks/heldout-sets.js [dir]
 * Changing a spec here or a task's generator means regenerating (the test in test/tasks/heldout-sets.test.ts fails
 * until the files match).
 */
import { pathToFileURL } from 'node:url';
import { AdditionTask } from './addition.js';
import { writeHeldOutSet, type HeldOutSpec } from './dataset.js';
import type { AnyTask } from './task.js';

export interface HeldOutSetSpec extends HeldOutSpec {
  task: AnyTask;
}

/** Each set is named after its task, so `loadHeldOutSet(task, task.name)` finds it. */
export const HELD_OUT_SETS: readonly HeldOutSetSpec[] = [
  new AdditionTask({ digits: 2 }),
  new AdditionTask({ digits: 3, scratchpad: true }),
].map((task) => ({ task, name: task.name, seed: 20260101, size: 500 }));

export function writeAllHeldOutSets(dir?: string): void {
  for (const spec of HELD_OUT_SETS) {
    const entry = writeHeldOutSet(spec.task, spec, dir);
    console.log(`${spec.name}: ${entry.size} problems, sha256 ${entry.sha256.slice(0, 12)}`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeAllHeldOutSets(process.argv[2]);
}
