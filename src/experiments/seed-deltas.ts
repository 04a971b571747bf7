/**
 * Paired per-seed differences, the sample every claim check tests: one number per seed, the seed's run on one side
 * minus the same seed's run on the other, so whatever a seed shares across the two (its base, its evaluation
 * stream) cancels. Both sides select their runs; `value` reads the number from a run.
 *
 * ```ts
 * // within one run: final minus initial held-out accuracy, per seed
 * seedDeltas({ runs: arm('random-0.5'), value: last('accuracy') }, { value: first('accuracy') });
 * // across arms: NSR minus PSR at step 50, paired by seed
 * seedDeltas({ runs: arm('NSR'), value: at(50) }, { runs: arm('PSR'), value: at(50) });
 * ```
 */

export interface Seeded {
  seed: number;
}

/**
 * For every seed, in increasing order: `after.value(a) - before.value(b)`, where a and b are the seed's runs in
 * `after.runs` and `before.runs` (default `after.runs`: a change within each run). Both sides must hold the same
 * seeds, each once.
 */
export function seedDeltas<A extends Seeded, B extends Seeded = A>(
  after: { runs: readonly A[]; value: (run: A) => number },
  before: { runs?: readonly B[]; value: (run: B) => number },
): number[] {
  const a = bySeed(after.runs, 'after');
  const b = before.runs === undefined ? (a as unknown as Map<number, B>) : bySeed(before.runs, 'before');
  const seeds = [...a.keys()].sort((x, y) => x - y);
  const other = [...b.keys()].sort((x, y) => x - y);
  if (seeds.length !== other.length || seeds.some((s, i) => s !== other[i]))
    throw new Error(`seedDeltas: the two sides must hold the same seeds, got [${seeds.join(', ')}] and [${other.join(', ')}]`);
  return seeds.map((s) => after.value(a.get(s)!) - before.value(b.get(s)!));
}

function bySeed<T extends Seeded>(runs: readonly T[], side: string): Map<number, T> {
  if (runs.length === 0) throw new Error(`seedDeltas: ${side} has no runs`);
  const m = new Map<number, T>();
  for (const r of runs) {
    if (m.has(r.seed)) throw new Error(`seedDeltas: ${side} has two runs of seed ${r.seed} (select one arm and base per side)`);
    m.set(r.seed, r);
  }
  return m;
}
