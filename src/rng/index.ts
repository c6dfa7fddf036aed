// Seeded randomness for everything treegrad draws: data, initialisation, shuffling. A thin wrapper
// over pure-rand's xoroshiro128+; the whole state is four int32s, so a checkpoint can save it and
// resume bit-identically. Never Math.random.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

const GOLDEN = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a bijective mixer that spreads nearby seeds over the state space. */
function fmix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** A seeded pseudo-random generator (xoroshiro128+) with the draws treegrad needs. Mutable. */
export class Rng {
  private constructor(private readonly gen: JumpableRandomGenerator) {}

  /**
   * A generator for a seed (a non-negative safe integer) and an independent stream number: stream s
   * starts 2^64·s draws along the same sequence, so streams never overlap in practice.
   */
  static fromSeed(seed: number, stream = 0): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    if (!Number.isInteger(stream) || stream < 0)
      throw new RangeError(`stream must be a non-negative integer, got ${stream}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    const state = [0, 1, 2, 3].map((k) => fmix32(lo + Math.imul(k + 1, GOLDEN)) ^ fmix32(hi + k * 7919 + 1));
    const gen = xoroshiro128plusFromState(state);
    for (let s = 0; s < stream; s++) gen.jump();
    return new Rng(gen);
  }

  /** Restores a generator from `getState()`; it continues with exactly the same draws. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
      throw new RangeError('an Rng state is four 32-bit signed integers');
    }
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** The generator's whole state: four int32s, JSON-safe. */
  getState(): number[] {
    return [...this.gen.getState()];
  }

  /** An independent copy that continues with the same draws as this one. */
  clone(): Rng {
    return new Rng(this.gen.clone());
  }

  /** A uniform integer in [lo, hi], both included, without modulo bias. */
  uniformInt(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new RangeError(`uniformInt needs integers lo <= hi, got ${lo}, ${hi}`);
    }
    return uniformInt(this.gen, lo, hi);
  }

  /** A uniform float in [lo, hi) (default [0, 1)), 53 random bits. */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * uniformFloat64(this.gen);
  }

  /** A standard normal draw (Box–Muller, one value per two uniforms; no cached spare, so the state stays four ints). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - uniformFloat64(this.gen); // (0, 1]: log is finite
    const u2 = uniformFloat64(this.gen);
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.uniformInt(0, i);
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }
}
