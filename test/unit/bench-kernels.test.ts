// The benchmark's kernel profile (bench/kernels.ts): the least-squares fit, a profiled step taken
// apart per kernel and level, and the printed tables. Pure: no GPU.
import { describe, expect, it } from 'vitest';
import { analyseProfile, kernelTables, linearFit } from '../../bench/kernels.ts';
import type { BenchResult, PointResult } from '../../bench/result.ts';

const point = { cell: 'rnn', dim: 8, internal: 6, forward: 'rnn_forward', backward: 'rnn_backward' } as const;
// Two levels (4 and 2 rows), as the engine encodes them: forward bottom-up, backward top-down.
const profile = [
  { kernel: 'leaf_embed', ns: 1000 },
  { kernel: 'rnn_forward', rows: 4, ns: 14_000 },
  { kernel: 'rnn_forward', rows: 2, ns: 12_000 },
  { kernel: 'classifier', ns: 1000 },
  { kernel: 'rnn_backward', rows: 2, ns: 22_000 },
  { kernel: 'rnn_backward', rows: 4, ns: 26_000 },
  { kernel: 'outer_reduce', ns: 16_000 },
  { kernel: 'reduce_partials', ns: 2000 },
  { kernel: 'outer_reduce', ns: 2000 },
  { kernel: 'embed_grad', ns: 4000 },
];

describe('kernel profile', () => {
  it('fits a line by least squares, and refuses a single x', () => {
    expect(linearFit([1, 2, 3], [3, 5, 7])).toEqual({ intercept: 1, slope: 2 });
    const noisy = linearFit([0, 1, 2, 3], [1, 2, 2, 4])!;
    expect(noisy.slope).toBeCloseTo(0.9);
    expect(noisy.intercept).toBeCloseTo(0.9);
    expect(linearFit([5, 5], [1, 2])).toBeUndefined();
  });

  it('numbers levels, counts FLOPs of level kernels and the cell reduction, and fits each level kernel', () => {
    const k = analyseProfile(point, profile, 2);
    expect(k.dispatches.map((d) => [d.kernel, d.level, d.rows])).toEqual([
      ['leaf_embed', undefined, undefined],
      ['rnn_forward', 1, 4],
      ['rnn_forward', 2, 2],
      ['classifier', undefined, undefined],
      ['rnn_backward', 2, 2],
      ['rnn_backward', 1, 4],
      ['outer_reduce (cell)', undefined, 6],
      ['reduce_partials', undefined, undefined],
      ['outer_reduce (classifier)', undefined, undefined],
      ['embed_grad', undefined, undefined],
    ]);
    // rnn_forward level 1: 4 rows × 2 mat-vecs × 2·8² FLOPs in 14 µs.
    const first = k.dispatches[1]!;
    expect(first.gflops).toBeCloseTo((4 * 2 * 2 * 64) / 14_000);
    expect(first.shareOfCeiling).toBeCloseTo(first.gflops! / 2);
    expect(k.dispatches[6]!.gflops).toBeCloseTo((6 * 2 * 2 * 64) / 16_000);
    expect(k.dispatches[0]!.gflops).toBeUndefined();
    expect(k.fits).toEqual([
      { kernel: 'rnn_forward', t0Us: 10, usPerNode: 1, levels: 2 },
      { kernel: 'rnn_backward', t0Us: 18, usPerNode: 2, levels: 2 },
    ]);
    expect(k.stepUs).toBe(100);
    expect(k.reduceUs).toBe(20);
    expect(k.reduceShare).toBeCloseTo(0.2);
  });

  it('prints the tables of the biggest profiled level point per (cell, d)', () => {
    const kernels = analyseProfile(point, profile, null);
    const at = (internal: number, more: Partial<PointResult> = {}) =>
      ({
        cell: 'rnn',
        dim: 8,
        shape: 'random',
        depth: 2,
        batch: 1,
        variant: 'level',
        trees: 1,
        nodes: 2 * internal + 1,
        internal,
        kernels,
        ...more,
      }) as PointResult;
    const r = { points: [at(3), at(6, { batch: 2 }), at(9, { variant: 'tree' })] } as BenchResult;
    const lines = kernelTables(r);
    expect(lines[0]).toContain('rnn d=8 random depth 2 ×2 (6 internal nodes');
    expect(lines.filter((l) => l.startsWith('kernels of'))).toHaveLength(1);
    expect(lines).toContain('  fit rnn_forward: t(n) = 10.0 µs + 1.000 µs · n over 2 levels');
    expect(lines.at(-1)).toBe("  weight-gradient reduction: 20 µs = 20% of the step's 100 µs");
  });
});
