import { describe, expect, it } from 'vitest';
import type { NodeGrad } from '../../src/grad/result.ts';
import { gradientReach, reachDepth } from '../../src/train/evaluate.ts';

// Two trees in pre-order: ((a b) c) and (d (e f)); gh chosen so every log10 ratio is exact.
const TREES: NodeGrad[][] = [
  [
    { depth: 0, gh: 1 },
    { depth: 1, gh: 0.1 },
    { depth: 2, gh: 0.01, word: 'a' },
    { depth: 2, gh: 0.001, word: 'b' },
    { depth: 1, gh: 1, word: 'c' },
  ],
  [
    { depth: 0, gh: 10 },
    { depth: 1, gh: 0.1, word: 'd' },
    { depth: 1, gh: 1 },
    { depth: 2, gh: 0, word: 'e' },
    { depth: 2, gh: 1e-4, word: 'f' },
  ],
];

describe('gradient reach', () => {
  it('averages log10 gh(n)/gh(root) by node depth and by leaf depth, counting zeros as excluded', () => {
    const r = gradientReach(TREES);
    expect(Object.keys(r.nodes)).toEqual(['1', '2']);
    // depth 1: −1, 0 (tree 1); −2, −1 (tree 2)
    expect(r.nodes['1']!.n).toBe(4);
    expect(r.nodes['1']!.mean).toBeCloseTo(-1, 12);
    // depth 2: −2, −3 (tree 1); excluded (gh 0), −5 (tree 2)
    expect(r.nodes['2']).toEqual({ n: 3, mean: expect.any(Number), excluded: 1 });
    expect(r.nodes['2']!.mean).toBeCloseTo(-10 / 3, 12);
    // leaves only: depth 1 holds c (0) and d (−2); depth 2 holds a, b, f
    expect(r.leaves['1']!.n).toBe(2);
    expect(r.leaves['1']!.mean).toBeCloseTo(-1, 12);
    expect(r.leaves['2']!.mean).toBeCloseTo(-10 / 3, 12);
  });

  it('says at which depth the signal falls below a thousandth of the root’s', () => {
    const r = gradientReach(TREES);
    expect(reachDepth(r.nodes)).toBe(2);
    expect(reachDepth(r.nodes, -4)).toBeUndefined();
    expect(reachDepth({})).toBeUndefined();
  });

  it('excludes every node of a tree whose root gradient is zero', () => {
    const r = gradientReach([
      [
        { depth: 0, gh: 0 },
        { depth: 1, gh: 0.5, word: 'x' },
        { depth: 1, gh: 0.5, word: 'y' },
      ],
    ]);
    expect(r.nodes).toEqual({});
    expect(r.leaves).toEqual({});
  });
});
