/**
 * The one source of randomness of a model run: mulberry32, a 32-bit generator whose whole state
 * is one integer. Small enough to clone with the cluster (exploration branches keep their own
 * stream) and to print: a seed and a commit replay a run exactly.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The current internal state, so a copy continues the same stream. */
  get position(): number {
    return this.state;
  }

  clone(): Prng {
    return new Prng(this.state);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(items.length)] as T;
  }
}

/** A seed from a run number, spread so consecutive runs start far apart in the stream. */
export const seedFor = (run: number): number => Math.imul(run + 1, 0x9e3779b1) >>> 0;
