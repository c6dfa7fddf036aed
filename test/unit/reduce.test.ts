// The weight-gradient reductions' planning (src/engine/reduce.ts): the kernel per table and how
// rows split into chunks.
import { describe, expect, test } from 'vitest';
import { cellSpec, SRC } from '../../src/engine/cells.ts';
import { gpuDim } from '../../src/engine/param-layout.ts';
import { CELL_BLOCK, chunking, classifierReduceKernel, reduceKernel } from '../../src/engine/reduce.ts';

/** Blocks of the cell's table at width D (every tensor is D × D or a D-vector). */
function cellBlocks(cell: 'rnn' | 'rlstm' | 'treelstm', D: number): number {
  const rows = Math.ceil(D / (4 * CELL_BLOCK.bo));
  const cols = Math.ceil(D / (4 * CELL_BLOCK.bk));
  const tensors = cellSpec(cell, D).grads.map((g) => g.terms.every(([, src]) => src === SRC.one));
  return tensors.reduce((n, bias) => n + rows * (bias ? 1 : cols), 0);
}

describe('chunking', () => {
  test('every R and block count: chunks cover the rows, none empty, ≥ 256 rows each, at most 32', () => {
    for (const blocks of [1, 3, 27, 105, 511, 512, 903, 5000]) {
      for (let R = 0; R <= 3000; R += R < 100 ? 1 : 37) {
        const { numChunks, chunkRows } = chunking(R, blocks);
        expect(numChunks).toBeGreaterThanOrEqual(1);
        expect(numChunks).toBeLessThanOrEqual(32);
        expect(numChunks * chunkRows).toBeGreaterThanOrEqual(R);
        if (numChunks > 1) {
          expect((numChunks - 1) * chunkRows).toBeLessThan(R);
          expect(chunkRows).toBeGreaterThanOrEqual(256);
          // Split only while the blocks alone are under 8 workgroups of 64.
          expect(blocks * (numChunks - 1)).toBeLessThan(512);
        }
      }
    }
  });

  test('a training step of the paper (d = 50, ~220 rows) takes one chunk; 64 trees split the RNN only', () => {
    const D = gpuDim(50);
    expect(cellBlocks('rlstm', D)).toBeGreaterThan(512);
    expect(chunking(220, cellBlocks('rlstm', D)).numChunks).toBe(1);
    expect(chunking(220, cellBlocks('rnn', D)).numChunks).toBe(1);
    // 64 random trees of depth 8: 1,066 internal nodes.
    expect(chunking(1066, cellBlocks('rlstm', D)).numChunks).toBe(1);
    expect(chunking(1066, cellBlocks('rnn', D)).numChunks).toBe(4);
  });
});

describe('reduce kernels', () => {
  test('the cell takes vec4 blocks at widths that are multiples of 4, and refuses others', () => {
    expect(reduceKernel(52)).toMatchObject({
      shader: 'outer_reduce_vec4',
      constants: { BO: 2, BK: 2, WG: 64 },
    });
    expect(() => reduceKernel(50)).toThrow(/multiple of 4, got 50/);
  });

  test('the classifier takes scalar 4 × 4 blocks; both take the SRC slots by name', () => {
    expect(classifierReduceKernel().shader).toBe('outer_reduce_blocks');
    const slots = ['SRC_C_LEFT', 'SRC_C_RIGHT', 'SRC_C_SELF', 'SRC_H_LEFT', 'SRC_H_RIGHT', 'SRC_ONE'];
    expect(Object.keys(classifierReduceKernel().constants).sort()).toEqual([...slots, 'WG'].sort());
    expect(Object.keys(reduceKernel(8).constants).sort()).toEqual(['BK', 'BO', ...slots, 'WG'].sort());
  });
});
