// outer_reduce's tile (src/engine/reduce.ts): fitted to d within what the kernel holds.
import { describe, expect, test } from 'vitest';
import { cellSpec } from '../../src/engine/cells.ts';
import { SRC } from '../../src/cells/types.ts';
import { BLOCKS_BELOW, biasRiders, reduceKernel, reduceTile } from '../../src/engine/reduce.ts';

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

describe('reduceKernel', () => {
  test('blocks of 4 × 4 below d = 32, tiles in workgroup memory from there', () => {
    for (const d of [1, 8, 31]) expect(reduceKernel(d).shader).toBe('outer_reduce_blocks');
    for (const d of [32, 50, 512]) expect(reduceKernel(d).shader).toBe('outer_reduce');
    expect(BLOCKS_BELOW).toBe(32);
    // Both take the SRC slots by name; only the tiles take the tile's shape.
    expect(Object.keys(reduceKernel(8).constants).sort()).toEqual(
      ['SRC_C_LEFT', 'SRC_C_RIGHT', 'SRC_C_SELF', 'SRC_H_LEFT', 'SRC_H_RIGHT', 'SRC_ONE', 'WG'].sort(),
    );
    expect(reduceKernel(50).constants).toMatchObject({ EDGE_O: 7, EDGE_K: 13, RM: 2, GROUPS: 1 });
  });
});
