// The benchmark's pure helpers: presets and sweeps, trees of a point, napkin maths, validation
// verdicts, CSV, speed-ups, the summary and the report. No GPU, no browser.
import { describe, expect, it } from 'vitest';
import {
  expandSweep,
  MAX_DEPTH,
  PRESETS,
  parseConfig,
  parseDepths,
  SHAPES,
  VARIANTS,
} from '../../bench/config.ts';
import { makeForest, randomTreeOfHeight, validationForest } from '../../bench/forest.ts';
import { timedResult, untimed, widestLevelGflops } from '../../bench/measure.ts';
import { capReason, forwardFlops, gflops, median, perSecond, stepFlops } from '../../bench/napkin.ts';
import { stamp } from '../../bench/output.ts';
import { reportHtml } from '../../bench/html.ts';
import type { BenchResult, PointResult } from '../../bench/result.ts';
import { chainSlopes, goalLines, speedups, summaryTable, toCsv } from '../../bench/summary.ts';
import { checkAgainst } from '../../bench/validate.ts';
import { CELLS } from '../../src/cells/index.ts';
import { leastSquaresSlope } from '../../src/report/aggregate.ts';
import { escapeXml } from '../../src/report/svg.ts';
import { Rng } from '../../src/rng/index.ts';
import { height } from '../../src/trees/shape.ts';

const spec = { cell: 'rnn', dim: 8, shape: 'chain', depth: 4, batch: 2 } as const;
const base = { ...spec, trees: 2, nodes: 18, internal: 8 };
const timed = (variant: PointResult['variant'], stepMs: number, more: Partial<PointResult> = {}) => ({
  ...timedResult(base, variant, { forwardMs: stepMs / 3, stepMs, loss: 1, dispatches: 13 }, 1),
  ...more,
});

describe('config', () => {
  it('quick is the default and stays small; full is the whole sweep', () => {
    const quick = parseConfig({});
    expect(quick.preset).toBe('quick');
    expect(quick.repeats).toBeGreaterThanOrEqual(5);
    expect(quick.variants).toEqual([...VARIANTS]);
    expect(expandSweep(quick).length).toBe(CELLS.length * 2 * 6 * 2);
    const full = parseConfig({ preset: 'full' });
    expect(full.dims).toEqual([8, 32, 50, 128, 256]);
    expect(full.depths.balanced).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Math.max(...full.depths.chain, ...full.depths.random)).toBe(128);
    expect(expandSweep(full).length).toBe(CELLS.length * 5 * (12 + 7 + 8) * 5);
  });

  it('overrides replace the preset and mark it custom, without touching the preset', () => {
    const c = parseConfig({
      preset: 'full',
      cells: 'rlstm',
      dims: '16',
      batch: '1,4',
      variants: 'level,node',
    });
    expect(c).toMatchObject({ preset: 'full (custom)', cells: ['rlstm'], dims: [16], batches: [1, 4] });
    expect(c.variants).toEqual(['level', 'node']);
    expect(PRESETS.full!.cells).toEqual(CELLS);
  });

  it('depths apply to the chosen shapes or per shape, within each shape’s limit', () => {
    const b = PRESETS.quick!.depths;
    expect(parseDepths('3,5', b)).toEqual({ balanced: [3, 5], random: [3, 5], chain: [3, 5] });
    expect(parseDepths('balanced=1;chain=64,128', b)).toEqual({ ...b, balanced: [1], chain: [64, 128] });
    expect(parseDepths('40', b, ['chain']).chain).toEqual([40]);
    expect(() => parseDepths('13', b)).toThrow(/balanced trees go up to depth 12/);
    expect(parseConfig({ shapes: 'chain', depths: '100' }).depths.chain).toEqual([100]);
  });

  it('rejects unknown options, names and bad numbers', () => {
    expect(() => parseConfig({ preset: 'huge' })).toThrow(/unknown "huge"/);
    expect(() => parseConfig({ cells: 'gru' })).toThrow(/unknown gru/);
    expect(() => parseConfig({ dims: '8,x' })).toThrow(/positive integers/);
    expect(() => parseConfig({ repeats: '3' })).toThrow(/at least 5/);
    expect(() => parseConfig({ speed: 'fast' })).toThrow(/unknown option/);
  });
});

describe('forest', () => {
  it('every shape has exactly the height asked for', () => {
    for (const shape of SHAPES) {
      for (const depth of [1, 2, 5, Math.min(MAX_DEPTH[shape], 40)]) {
        const f = makeForest(shape, depth, 3, 1);
        expect(f.trees.map(height)).toEqual([depth, depth, depth]);
        expect(f.nodes).toBe(2 * f.internal + 3);
      }
    }
    expect(makeForest('balanced', 4, 2, 1).nodes).toBe(2 * 31);
    expect(makeForest('chain', 16, 1, 1).internal).toBe(16);
  });

  it('is seeded: the same point gives the same trees, another seed other ones', () => {
    expect(makeForest('random', 8, 4, 1)).toEqual(makeForest('random', 8, 4, 1));
    expect(makeForest('random', 8, 4, 1).trees).not.toEqual(makeForest('random', 8, 4, 2).trees);
    expect(validationForest(3)).toEqual(validationForest(3));
    const rng = Rng.fromSeed(5);
    for (let i = 0; i < 50; i++) expect(height(randomTreeOfHeight(1 + (i % 20), rng))).toBe(1 + (i % 20));
  });
});

describe('napkin maths', () => {
  it('medians, FLOPs and rates', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
    expect(forwardFlops('rnn', 10, 1)).toBe(2 * 2 * 100);
    expect(forwardFlops('rlstm', 10, 2)).toBe(2 * 21 * 100 * 2);
    expect(stepFlops('rlstm', 10, 2)).toBe(3 * forwardFlops('rlstm', 10, 2));
    expect(gflops(2e9, 1000)).toBe(2);
    expect(perSecond(500, 250)).toBe(2000);
  });

  it('caps skip slow variants on big points and say why', () => {
    const caps = { ...PRESETS.quick!.caps, nodeDispatches: 100, tfjsWebgpuLevels: 8 };
    expect(capReason('level', spec, 18, 8, caps)).toBeUndefined();
    expect(capReason('node', spec, 200, 99, caps)).toMatch(/^skipped: over the cap \(dispatches 205 > 100\)/);
    expect(capReason('tfjs-webgpu', { ...spec, depth: 16 }, 34, 16, caps)).toMatch(/levels 16 > 8/);
    expect(capReason('reference', { ...spec, dim: 256 }, 2e3, 1e3, caps)).toMatch(/step FLOPs/);
    expect(capReason('level', { ...spec, dim: 256 }, 1e4, 5e3, caps)).toMatch(/nodes × d 2.6e\+6/);
  });

  it('a timed point carries its rates; an untimed one says why and has no numbers', () => {
    const p = timed('level', 10);
    expect(p).toMatchObject({ medianMs: 10, nodesPerSec: 1800, treesPerSec: 200, dispatches: 13 });
    expect(p.backwardMs).toBeCloseTo(10 - 10 / 3);
    expect(p.gflops).toBeCloseTo(stepFlops('rnn', 8, 8) / 1e7);
    expect(p.shareOfCeiling).toBe(p.gflops);
    expect(p.msPerLevel).toBe(2.5);
    const u = untimed(base, 'node', { skipped: 'skipped: over the cap (x)' });
    expect(u).toMatchObject({ medianMs: null, gflops: null, skipped: 'skipped: over the cap (x)' });
    const levels = [
      { level: 1, rows: 4, forwardUs: 2, backwardUs: 4 },
      { level: 2, rows: 2, forwardUs: 1, backwardUs: 2 },
    ];
    expect(widestLevelGflops(base, levels)).toBeCloseTo(forwardFlops('rnn', 8, 4) / 2000);
  });
});

describe('validation verdicts', () => {
  const expected = { loss: 1.5, paramGrads: { W: Float64Array.of(1, -2, 3) }, nodes: [], ratios: [] };
  it('accepts float32-close values and rejects a wrong or missing tensor', () => {
    expect(checkAgainst(1.5 * (1 + 1e-6), { W: Float32Array.of(1, -2, 3) }, expected).ok).toBe(true);
    const bad = checkAgainst(1.5, { W: Float32Array.of(1, -2, 3.1) }, expected);
    expect(bad).toMatchObject({ ok: false, worstName: 'dW' });
    expect(bad.error).toMatch(/dW norm-wise/);
    expect(checkAgainst(1.5, {}, expected).error).toMatch(/W: missing/);
    expect(checkAgainst(Number.NaN, { W: [1, -2, 3] }, expected).ok).toBe(false);
  });
});

describe('tables and report', () => {
  const points: PointResult[] = [
    timed('level', 10),
    timed('node', 100),
    timed('tfjs-webgpu', 40),
    untimed(base, 'tfjs-cpu', { skipped: 'skipped: over the cap (a, b)' }),
    { ...timed('level', 30), depth: 12 },
  ];
  const result: BenchResult = {
    startedAt: '2025-01-31T12:00:00.123Z',
    durationS: 12,
    config: PRESETS.quick!,
    adapter: {
      vendor: 'v',
      architecture: 'a',
      description: '<d>',
      isFallbackAdapter: true,
      timestampQuery: false,
      runtime: 'chrome',
    },
    ceilings: {
      tfjsMatmulGflops: 2,
      oursGemmGflops: 1,
      gatherMatmulGflops: 0.5,
      size: 256,
      emptyRoundTripMs: 0.5,
      emptyDispatchUs: 10,
      dependentDispatchUs: 12,
      rangeGroupDispatchUs: 13,
      dynamicOffsetDispatchUs: 45,
      notes: [],
    },
    validation: [{ cell: 'rnn', dim: 8, variant: 'level', ok: true, worst: 1e-7, worstName: 'dW' }],
    points,
    unavailable: {},
  };

  it('CSV: a header, one line per result, quoted where needed', () => {
    const lines = toCsv(points).trimEnd().split('\n');
    expect(lines).toHaveLength(points.length + 1);
    expect(lines[0]!.startsWith('cell,dim,shape,depth,batch,variant,')).toBe(true);
    expect(lines[4]).toContain('"skipped: over the cap (a, b)"');
    expect(lines[1]!.split(',').slice(0, 6)).toEqual(['rnn', '8', 'chain', '4', '2', 'level']);
  });

  it('speed-ups of level over each peer on the same point, and the chain slope', () => {
    expect(speedups(points).map((s) => [s.peer, s.speedup])).toEqual([
      ['node', 10],
      ['tfjs-webgpu', 4],
    ]);
    expect(chainSlopes(points)).toEqual([{ label: 'rnn d=8 ×2', msPerLevel: 2.5 }]);
    const xy = (xs: number[], ys: number[]) => xs.map((x, i) => ({ x, y: ys[i]! }));
    expect(leastSquaresSlope(xy([1, 2, 3], [2, 4.5, 6]))).toBeCloseTo(2);
    expect(leastSquaresSlope(xy([4, 4], [1, 2]))).toBeNull();
    const levelTimes = [{ level: 1, rows: 2, forwardUs: 3, backwardUs: 5 }];
    const profiled = { ...timed('level', 30), depth: 12, levelTimes };
    expect(chainSlopes([points[0]!, profiled])[0]?.gpuUsPerLevel).toBe(8);
  });

  it('the summary has a row per point; goals report numbers, never pass or fail', () => {
    const table = summaryTable(points).split('\n');
    expect(table).toHaveLength(3);
    expect(table[1]).toMatch(/10\.00 .* 10\.0 .* 4\.0 .* cap/);
    const goals = goalLines(result).join('\n');
    expect(goals).toMatch(/level vs node .* median 10\.0×/);
    expect(goals).toMatch(/tfjs-webgpu at ≥ 64 trees .* not measured/);
    expect(goals).toMatch(/chain cost per level .* 2\.500 ms \(5\.00×\)/);
  });

  it('the report is self-contained: no scripts, charts as inline SVG, text escaped', () => {
    const html = reportHtml(result);
    expect(html).not.toContain('<script');
    expect(html).toContain('<svg');
    expect(html).toContain('chain: nodes/s (rnn d=8, 2 trees)');
    expect(html).toContain('by bind group 13.0 µs (as our level kernels), by dynamic offset 45.0 µs');
    expect(html).toContain('&lt;d&gt;');
    expect(html).not.toContain('<d>');
    expect(escapeXml('a & "b"')).toBe('a &amp; &quot;b&quot;');
    expect(stamp(result.startedAt)).toBe('2025-01-31T12-00-00Z');
  });
});
