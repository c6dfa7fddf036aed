import { describe, expect, it, test } from 'vitest';
import { cellSpec, levelShape, WIDE_LEVEL_NODES } from '../../src/engine/cells.ts';
import { ceilDiv, computeDispatch } from '../../src/plan/index.ts';

describe('computeDispatch', () => {
  it('keeps counts that fit in x', () => {
    expect(computeDispatch(0, 65535)).toEqual([0, 1, 1]);
    expect(computeDispatch(1, 65535)).toEqual([1, 1, 1]);
    expect(computeDispatch(65535, 65535)).toEqual([65535, 1, 1]);
  });

  it('folds past maxPerDim into y, then z', () => {
    expect(computeDispatch(65536, 65535)).toEqual([32768, 2, 1]);
    const [x, y, z] = computeDispatch(65535 * 65535 + 1, 65535);
    expect(z).toBe(2);
    expect(Math.max(x, y)).toBeLessThanOrEqual(65535);
    expect(x * y * z).toBeGreaterThanOrEqual(65535 * 65535 + 1);
  });

  it('covers every count up to maxPerDim³ with a small overshoot', () => {
    for (const max of [1, 2, 7]) {
      for (let w = 1; w <= max ** 3; w++) {
        const [x, y, z] = computeDispatch(w, max);
        expect(Math.max(x, y, z)).toBeLessThanOrEqual(max);
        expect(Math.min(x, y, z)).toBeGreaterThanOrEqual(1);
        expect(x * y * z).toBeGreaterThanOrEqual(w);
        expect(x * y * z - w).toBeLessThan((y + 1) * z);
      }
    }
  });

  it('names the count when even maxPerDim³ is too few', () => {
    expect(() => computeDispatch(7 ** 3 + 1, 7)).toThrow(/344 workgroups exceed 7³ = 343/);
    expect(() => computeDispatch(-1, 7)).toThrow(/workgroups/);
    expect(() => computeDispatch(4, 0)).toThrow(/maxPerDim/);
  });

  it('ceilDiv rounds up and validates', () => {
    expect([ceilDiv(0, 64), ceilDiv(1, 64), ceilDiv(64, 64), ceilDiv(65, 64)]).toEqual([0, 1, 1, 2]);
    expect(() => ceilDiv(1, 0)).toThrow(/ceilDiv/);
  });
});

describe('levelShape: the wide shape on wide levels, when wide shapes are on', () => {
  const launch = cellSpec('rlstm', 52).forward;
  test('the RLSTM has a narrow (NT = 4) and a wide (NT = 8) shape', () => {
    expect(launch.shapes.map((s) => s.constants.NT)).toEqual([4, 8]);
  });
  test('below WIDE_LEVEL_NODES, or with wide shapes off, the first shape', () => {
    expect(levelShape(launch, WIDE_LEVEL_NODES - 1, true)).toBe(0);
    expect(levelShape(launch, 10_000, false)).toBe(0);
  });
  test('from WIDE_LEVEL_NODES on, the last shape; a one-shape launch always its only one', () => {
    expect(levelShape(launch, WIDE_LEVEL_NODES, true)).toBe(1);
    expect(levelShape(cellSpec('rnn', 52).forward, 10_000, true)).toBe(0);
  });
});
