import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  type GridPoint,
  MULTIPLY_ADDS_PER_SECOND,
  parseShard,
  planShards,
  pointCost,
  STEP_SECONDS,
} from '../../src/train/shards.ts';

const settings = { dim: 50, epochs: 10, trainSize: 10_000, devSize: 1_000, testSize: 1_000 };
const grid = (datasets: number[], seeds: number[]): GridPoint[] =>
  datasets.flatMap((dataset) =>
    (['rnn', 'rlstm'] as const).flatMap((cell) => seeds.map((seed) => ({ dataset, cell, seed }))),
  );
const key = (p: GridPoint) => `${p.dataset}-${p.cell}-${p.seed}`;

describe('shards', () => {
  test('deep datasets and the RLSTM cost more', () => {
    const c = (dataset: number, cell: 'rnn' | 'rlstm') => pointCost({ dataset, cell, seed: 1 }, settings);
    // Training steps of dataset 10 take 2.3× those of dataset 2 (RNN, measured); the model's fixed
    // step overhead makes its ratio for whole points a little smaller.
    expect(c(10, 'rnn')).toBeGreaterThan(1.8 * c(2, 'rnn'));
    expect(c(3, 'rlstm')).toBeGreaterThan(3 * c(3, 'rnn'));
    // The fit it rests on: paper-setting steps/s measured on lavapipe (bench/train-peers.ts), each
    // within 16 %: rlstm dataset 10 47.0, rnn dataset 2 834.
    const rate = (matvecs: number, words: number) =>
      1 / (STEP_SECONDS + (5 * 3 * matvecs * (words - 1) * 2500) / MULTIPLY_ADDS_PER_SECOND);
    expect(rate(21, 95.5) / 47.0).toBeGreaterThan(0.84);
    expect(rate(21, 95.5) / 47.0).toBeLessThan(1.16);
    expect(rate(2, 15.5) / 834).toBeGreaterThan(0.84);
    expect(rate(2, 15.5) / 834).toBeLessThan(1.16);
  });

  test("a treebank (dataset 0) costs by its own mean sentence length, never below one word's", () => {
    const tb = (meanWords?: number) =>
      pointCost({ dataset: 0, cell: 'rnn', seed: 1 }, { ...settings, meanWords });
    // 25.5 words a sentence: the mean of dataset 3 (21–30 words).
    expect(tb(25.5)).toBeCloseTo(pointCost({ dataset: 3, cell: 'rnn', seed: 1 }, settings), 9);
    expect(tb(undefined)).toBeGreaterThan(0);
    expect(tb(undefined)).toBe(tb(0.2));
  });

  test('every point is in exactly one shard, in grid order, for any grid and count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        (datasets, seeds, count) => {
          const points = grid(
            datasets,
            Array.from({ length: seeds }, (_, i) => i + 1),
          );
          const shards = planShards(points, count, settings);
          expect(shards).toHaveLength(count);
          const all = shards.flatMap((s) => s.points.map(key));
          expect(all.sort()).toEqual(points.map(key).sort());
          for (const s of shards) {
            const order = s.points.map((p) => points.indexOf(p));
            expect(order).toEqual([...order].sort((a, b) => a - b));
          }
          expect(planShards(points, count, settings)).toEqual(shards);
        },
      ),
    );
  });

  test('the paper grid in 8 shards is balanced within the largest point', () => {
    const points = grid([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3]);
    const shards = planShards(points, 8, settings);
    const costs = shards.map((s) => s.cost);
    const largest = Math.max(...points.map((p) => pointCost(p, settings)));
    expect(Math.max(...costs) - Math.min(...costs)).toBeLessThanOrEqual(largest);
    // The greedy cut is far better than dealing points out in grid order.
    const dealt = Array.from({ length: 8 }, (_, k) =>
      points.filter((_, i) => i % 8 === k).reduce((a, p) => a + pointCost(p, settings), 0),
    );
    expect(Math.max(...costs)).toBeLessThan(Math.max(...dealt));
  });

  test('--shard from the flag, Slurm or Kubernetes, and its errors', () => {
    expect(parseShard('2/8', {})).toMatchObject({ index: 1, count: 8 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toMatchObject({
      index: 3,
      count: 4,
    });
    expect(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '7',
        SLURM_ARRAY_TASK_MIN: '5',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toMatchObject({ index: 2, count: 4 });
    expect(parseShard('auto/5', { JOB_COMPLETION_INDEX: '4' })).toMatchObject({ index: 4, count: 5 });
    expect(() => parseShard('0/8', {})).toThrow(/K must be 1 … N/);
    expect(() => parseShard('9/8', {})).toThrow(/K must be 1 … N/);
    expect(() => parseShard('x', {})).toThrow(/K\/N/);
    expect(() => parseShard('auto', {})).toThrow(/neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/auto\/N/);
    expect(() => parseShard('auto', { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(
      /outside/,
    );
  });
});
