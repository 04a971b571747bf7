/**
 * One seeded randomness source for data, initialisation, sampling and spurious rewards. Built on seedrandom's
 * Alea generator (the PRNG tfjs itself ships), which is fast, has a serialisable state (for checkpoint/resume) and
 * is identical on every platform. Independent streams come from `fork(label)`, so adding a draw in one place (say
 * sampling) never shifts another (say data order).
 */
import seedrandom from 'seedrandom';

/** Serialisable generator state: Alea's numbers and the cached second normal of a Box-Muller pair. */
export interface RngState {
  alea: seedrandom.State.Alea;
  spare?: number;
}

export class Rng {
  private readonly gen: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spare: number | undefined; // second normal from Box-Muller

  /** `seed` may be a number or a string label; the same seed always gives the same stream. */
  constructor(
    readonly seed: number | string,
    state?: RngState,
  ) {
    if (typeof seed !== 'number' && typeof seed !== 'string') {
      throw new Error(`Rng: seed must be a number or a string, got ${seed === null ? 'null' : Array.isArray(seed) ? 'an array' : typeof seed}`);
    }
    if (typeof seed === 'number' && !Number.isFinite(seed)) throw new Error(`Rng: seed must be finite, got ${seed}`);
    this.gen = seedrandom.alea(String(seed), { state: state?.alea ?? true });
    this.spare = state?.spare;
  }

  /** An independent stream derived from this one's seed and a label (not from its position). */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.gen.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.gen.double() * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.gen.double();
    const v = this.gen.double();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.gen.double() < p;
  }

  /** Index drawn from unnormalised non-negative weights (one uniform draw). */
  categorical(weights: ArrayLike<number>, total?: number): number {
    let sum = total ?? 0;
    if (total === undefined) for (let i = 0; i < weights.length; i++) sum += weights[i]!;
    if (!(sum > 0)) throw new Error('Rng.categorical: weights must have a positive sum');
    let u = this.gen.double() * sum;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1; // rounding: the last positive weight
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** Array of n standard normals times `std`. */
  normals(n: number, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }

  /** The generator's state, to resume the stream later with `new Rng(seed, state)`. */
  state(): RngState {
    return this.spare === undefined ? { alea: this.gen.state() } : { alea: this.gen.state(), spare: this.spare };
  }
}
