import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng/index.ts';

describe('Rng', () => {
  it('is reproducible from a seed and differs between seeds and streams', () => {
    const draw = (r: Rng) => Array.from({ length: 8 }, () => r.uniformInt(0, 1_000_000));
    expect(draw(Rng.fromSeed(42))).toEqual(draw(Rng.fromSeed(42)));
    expect(draw(Rng.fromSeed(42))).not.toEqual(draw(Rng.fromSeed(43)));
    expect(draw(Rng.fromSeed(42))).not.toEqual(draw(Rng.fromSeed(42, 1)));
    expect(draw(Rng.fromSeed(2 ** 40))).not.toEqual(draw(Rng.fromSeed(0)));
  });

  it('restores bit-identically from getState()', () => {
    const r = Rng.fromSeed(7);
    r.normal();
    r.uniform();
    const state = r.getState();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const a = [r.normal(), r.uniform(), r.uniformInt(-3, 3), r.shuffle([1, 2, 3, 4, 5])];
    const s = Rng.fromState(state);
    expect([s.normal(), s.uniform(), s.uniformInt(-3, 3), s.shuffle([1, 2, 3, 4, 5])]).toEqual(a);
  });

  it('draws integers uniformly in [lo, hi]', () => {
    const r = Rng.fromSeed(1);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[r.uniformInt(1, 6) - 1]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 6) ** 2 / (n / 6), 0);
    expect(chi2).toBeLessThan(25); // df 5: p < 1e-4 beyond this
  });

  it('draws normals with mean 0 and variance 1, uniforms in [lo, hi)', () => {
    const r = Rng.fromSeed(3);
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform(-2, 5);
      expect(u).toBeGreaterThanOrEqual(-2);
      expect(u).toBeLessThan(5);
    }
  });

  it('shuffles into a permutation', () => {
    const xs = Rng.fromSeed(9).shuffle(Array.from({ length: 50 }, (_, i) => i));
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects bad seeds, ranges and states', () => {
    expect(() => Rng.fromSeed(-1)).toThrow(RangeError);
    expect(() => Rng.fromSeed(1.5)).toThrow(RangeError);
    expect(() => Rng.fromSeed(1).uniformInt(3, 2)).toThrow(RangeError);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(RangeError);
  });
});
