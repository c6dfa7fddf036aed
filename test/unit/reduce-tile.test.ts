// outer_reduce's tile (src/engine/reduce.ts): fitted to d within what the kernel holds.
import { describe, expect, test } from 'vitest';
import { cellSpec } from '../../src/engine/cells.ts';
import { SRC } from '../../src/cells/types.ts';
import { biasRiders, reduceTile } from '../../src/engine/reduce.ts';

/** The kernel's workgroup memory holds 16 quads per slab row; 256 threads per workgroup at most. */
const MAX_QUADS = 16;

describe('reduceTile', () => {
  test('every d from 1 to 512: tiles fit the kernel, cover d with the fewest pieces, little padding', () => {
    for (let d = 1; d <= 512; d++) {
      const { edgeO, edgeK, rm, groups } = reduceTile(d);
      expect(rm * edgeO).toBeLessThanOrEqual(MAX_QUADS);
      expect(edgeK).toBeLessThanOrEqual(MAX_QUADS);
      expect(edgeO * edgeK * groups).toBeLessThanOrEqual(256);
      expect(Number.isInteger(Math.log2(groups)) && 32 % groups === 0).toBe(true);
      // The groups' sums fit in the delta slab (32 rows × 16 quads) and only for rm = 1.
      if (groups > 1) expect(rm === 1 && 4 * groups * edgeO * edgeK <= 32 * MAX_QUADS).toBe(true);
      const rows = 4 * rm * edgeO;
      const cols = 4 * edgeK;
      expect(Math.ceil(d / rows)).toBe(Math.ceil(d / (4 * MAX_QUADS)));
      expect(Math.ceil(d / cols)).toBe(Math.ceil(d / (4 * MAX_QUADS)));
      expect(Math.ceil(d / rows) * rows - d).toBeLessThan(Math.ceil(d / rows) * 4 * rm);
      expect(Math.ceil(d / cols) * cols - d).toBeLessThan(Math.ceil(d / cols) * 4);
    }
  });

  test('d = 50 is one 56 × 52 tile, 91 threads, 8 rows each', () => {
    expect(reduceTile(50)).toEqual({ edgeO: 7, edgeK: 13, rm: 2, groups: 1 });
  });
});

describe('biasRiders', () => {
  const riders = (cell: 'rnn' | 'rlstm' | 'treelstm') => {
    const { grads } = cellSpec(cell, 8);
    const { biasOf, riding } = biasRiders(grads);
    const pairs = [...biasOf].map(([w, b]) => `${grads[b]!.tensor}→${grads[w]!.tensor}`).sort();
    return { pairs, riding: [...riding].map((e) => grads[e]!.tensor).sort() };
  };

  test('a bias rides with the weight of the same delta slots, and only a bias rides', () => {
    expect(riders('rnn')).toEqual({ pairs: ['b→W_L'], riding: ['b'] });
    // The RLSTM's b sums slot 7 (the candidate), which no weight has: it keeps its own tiles.
    expect(riders('rlstm')).toEqual({ pairs: ['bf→Wf', 'bi→Wi', 'bo→O_L'], riding: ['bf', 'bi', 'bo'] });
  });

  test('every cell: riders are biases (all inputs 1) with exactly their weight’s slots, one per weight', () => {
    for (const cell of ['rnn', 'rlstm', 'treelstm'] as const) {
      const { grads } = cellSpec(cell, 8);
      const { biasOf } = biasRiders(grads);
      for (const [w, b] of biasOf) {
        expect(grads[b]!.terms.every(([, src]) => src === SRC.one)).toBe(true);
        expect(grads[w]!.terms.some(([, src]) => src === SRC.one)).toBe(false);
        expect(grads[w]!.terms.map(([slot]) => slot)).toEqual(grads[b]!.terms.map(([slot]) => slot));
      }
      expect(new Set(biasOf.values()).size).toBe(biasOf.size);
    }
  });
});
