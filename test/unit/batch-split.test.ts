// Batches against the device's buffer limits: evaluation and `grad` inputs split into runs that
// fit, a tree too big alone refused by name, and a training batch over a limit refused with the
// --batch that would fit.
import { describe, expect, it } from 'vitest';
import {
  type BatchSize,
  checkTrainingBatch,
  type DeviceLimits,
  LimitError,
  overLimit,
  splitBatches,
  treeBatchSize,
  worstBatch,
} from '../../src/engine/limits.ts';
import { parseTree } from '../../src/trees/parse.ts';

const model = { cell: 'rnn' as const, dim: 4, vocab: 10, classes: 3 };
/** Limits of `bytes` for every buffer: H (nodes × 4 floats) holds bytes / 16 nodes. */
const limits = (bytes: number): DeviceLimits => ({
  maxStorageBufferBindingSize: bytes,
  maxBufferSize: bytes,
  maxComputeWorkgroupStorageSize: 16_384,
});
const tree = (nodes: number): BatchSize => ({ nodes, internal: (nodes - 1) / 2, trees: 1 });

describe('splitting an evaluation or grad input', () => {
  it('runs of consecutive trees, each as long as fits, covering every tree in order', () => {
    const sizes = [3, 7, 5, 1, 9, 3, 3, 1].map(tree);
    const l = limits(16 * 12); // 12 nodes of H; the readback (6 floats a tree + 2 a node) also fits
    const runs = splitBatches(model, sizes, 250, l, (i) => `tree ${i}`);
    expect(runs).toEqual([
      { first: 0, count: 2 },
      { first: 2, count: 2 },
      { first: 4, count: 2 },
      { first: 6, count: 2 },
    ]);
    for (const { first, count } of runs) {
      const nodes = sizes.slice(first, first + count).reduce((a, s) => a + s.nodes, 0);
      expect(overLimit(model, { nodes, internal: (nodes - count) / 2, trees: count }, l)).toBeUndefined();
    }
    // At most maxTrees trees a run, however much room there is.
    expect(splitBatches(model, sizes, 3, limits(1 << 20), String).map((r) => r.count)).toEqual([3, 3, 2]);
    expect(splitBatches(model, [], 3, l, String)).toEqual([]);
  });

  it('a tree too big alone is refused by name, with the buffer and the limit', () => {
    const sizes = [3, 31, 5].map(tree);
    expect(() => splitBatches(model, sizes, 250, limits(16 * 12), (i) => `dev tree ${i + 1}`)).toThrow(
      LimitError,
    );
    expect(() => splitBatches(model, sizes, 250, limits(16 * 12), (i) => `dev tree ${i + 1}`)).toThrow(
      /^dev tree 2 \(31 nodes\) needs .* for H \(nodes × d\), over this device's storage buffer limit .*maxStorageBufferBindingSize.*even alone: it cannot be split/,
    );
  });

  it("a tree's sizes: nodes, internal nodes, and targets (its labelled nodes with a loss at every node)", () => {
    const t = parseTree('(1 (2 a b) (_ c (0 d)))', { unlabelled: true });
    expect(treeBatchSize(t)).toEqual({ nodes: 7, internal: 3, trees: 1, targets: 1 });
    expect(treeBatchSize(t, 'all')).toEqual({ nodes: 7, internal: 3, trees: 1, targets: 3 });
  });
});

describe('a training batch over a limit', () => {
  it('is refused with the --batch that fits', () => {
    const nodes = [9, 9, 7, 5, 5, 3, 3, 1];
    const l = limits(16 * 20);
    let message = '';
    try {
      checkTrainingBatch(model, (k) => worstBatch(nodes, k), 5, l, 'a training batch of the 5 largest trees');
    } catch (e) {
      expect(e).toBeInstanceOf(LimitError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^a training batch of the 5 largest trees \(35 nodes\) needs .*: give --batch 2 or less$/,
    );
    expect(overLimit(model, worstBatch(nodes, 2), l)).toBeUndefined();
    expect(overLimit(model, worstBatch(nodes, 3), l)).toBeDefined();
    expect(() => checkTrainingBatch(model, (k) => worstBatch(nodes, k), 2, l, 'x')).not.toThrow();
    expect(() => checkTrainingBatch(model, (k) => worstBatch([31], k), 4, l, 'x')).toThrow(
      /the largest tree alone does not fit \(even --batch 1\)$/,
    );
  });
});
