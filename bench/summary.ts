// Text views of a run (pure): the CSV of points, speed-ups of `level` over each peer, the printed
// summary table and the goal lines.
import { pointKey, type PointSpec, VARIANTS, type Variant } from './config.ts';
import { leastSquaresSlope } from '../src/report/fit.ts';
import { median } from './napkin.ts';
import type { BenchResult, Ceilings, PointResult } from './result.ts';

/** Columns of the CSV, in order (each a PointResult field). */
export const CSV_COLUMNS = [
  'cell',
  'dim',
  'shape',
  'depth',
  'batch',
  'variant',
  'trees',
  'nodes',
  'internal',
  'medianMs',
  'forwardMs',
  'backwardMs',
  'nodesPerSec',
  'treesPerSec',
  'dispatches',
  'gflops',
  'shareOfCeiling',
  'msPerLevel',
  'levelTiming',
  'gpuStepMs',
  'widestLevelGflops',
  'skipped',
  'error',
] as const;

function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The points as CSV: a header line, then one line per point and variant. */
export function toCsv(points: readonly PointResult[]): string {
  const rows = points.map((p) => CSV_COLUMNS.map((c) => csvField(p[c])).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** The same point (cell, d, shape, depth, batch), whatever the variant. */
export function samePoint(a: PointSpec, b: PointSpec): boolean {
  return (
    a.cell === b.cell && a.dim === b.dim && a.shape === b.shape && a.depth === b.depth && a.batch === b.batch
  );
}

/** How much faster `level` is than one peer on one point: peer median / level median. */
export interface Speedup extends PointSpec {
  peer: Variant;
  speedup: number;
}

/** Speed-ups of `level` over every other variant timed on the same point. */
export function speedups(points: readonly PointResult[]): Speedup[] {
  const out: Speedup[] = [];
  for (const level of points) {
    if (level.variant !== 'level' || level.medianMs === null) continue;
    for (const p of points) {
      if (p.variant === 'level' || p.medianMs === null || !samePoint(p, level)) continue;
      const { cell, dim, shape, depth, batch } = level;
      out.push({ cell, dim, shape, depth, batch, peer: p.variant, speedup: p.medianMs / level.medianMs });
    }
  }
  return out;
}

/** The distinct points, in first-seen order. */
export function distinctPoints(points: readonly PointSpec[]): PointSpec[] {
  const seen = new Map<string, PointSpec>();
  for (const p of points) if (!seen.has(pointKey(p))) seen.set(pointKey(p), p);
  return [...seen.values()];
}

function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined) return '–';
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 10 ** -digits)) return x.toExponential(1);
  return x.toFixed(digits);
}

/** The printed table: per point, level's time and rates, then level's speed-up over each peer. */
export function summaryTable(points: readonly PointResult[]): string {
  const peers = VARIANTS.filter((v) => v !== 'level');
  const header = ['cell', 'd', 'shape', 'depth', 'B', 'level ms', 'nodes/s', 'GFLOP/s', '%ceil'];
  const rows: string[][] = [[...header, ...peers.map((v) => `×${v}`)]];
  for (const spec of distinctPoints(points)) {
    const at = (v: Variant) => points.find((p) => p.variant === v && samePoint(p, spec));
    const level = at('level');
    const cells = [spec.cell, String(spec.dim), spec.shape, String(spec.depth), String(spec.batch)];
    cells.push(
      level?.error ? 'FAILED' : level?.skipped ? 'cap' : num(level?.medianMs),
      num(level?.nodesPerSec, 0),
      num(level?.gflops, 3),
      level?.shareOfCeiling == null ? '–' : `${(100 * level.shareOfCeiling).toFixed(0)}%`,
    );
    for (const v of peers) {
      const p = at(v);
      if (!p) cells.push('');
      else if (p.error) cells.push('err');
      else if (p.skipped) cells.push('cap');
      else cells.push(level?.medianMs ? `${num(p.medianMs! / level.medianMs, 1)}` : '–');
    }
    rows.push(cells);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((s, c) => (c < 3 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  '))
    .join('\n');
}

function spread(xs: number[]): string {
  if (xs.length === 0) return 'not measured';
  return `median ${num(median(xs), 1)}×, min ${num(Math.min(...xs), 1)}×, max ${num(Math.max(...xs), 1)}× over ${xs.length} points`;
}

/** What one more level of a chain costs on `level`, per (cell, d, batch). */
export interface ChainCost {
  label: string;
  /** Slope of the median step's wall time over depth (fixed costs drop out). */
  msPerLevel: number;
  /** Median GPU time of one level's forward and backward kernels (timestamp queries), if any. */
  gpuUsPerLevel?: number;
}

/** Chain cost per level for each (cell, d, batch) with at least two chain depths timed on `level`. */
export function chainSlopes(points: readonly PointResult[]): ChainCost[] {
  const chain = points.filter((p) => p.shape === 'chain' && p.variant === 'level' && p.medianMs !== null);
  const groups = new Map<string, PointResult[]>();
  for (const p of chain) {
    const key = `${p.cell} d=${p.dim} ×${p.batch}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: ChainCost[] = [];
  for (const [label, ps] of groups) {
    const msPerLevel = leastSquaresSlope(ps.map((p) => ({ x: p.depth, y: p.medianMs! })));
    if (msPerLevel === null) continue;
    const deepest = ps.reduce((a, b) => (b.depth > a.depth ? b : a));
    const gpu = (deepest.levelTimes ?? []).map((l) => l.forwardUs + l.backwardUs);
    out.push({ label, msPerLevel, ...(gpu.length > 0 ? { gpuUsPerLevel: median(gpu) } : {}) });
  }
  return out;
}

function best(c: Ceilings): number | null {
  const xs = [c.tfjsMatmulGflops, c.oursGemmGflops].filter((x): x is number => x !== null && x > 0);
  return xs.length ? Math.max(...xs) : null;
}

/** The goals, measured (never asserted): one line each, with the numbers behind it. */
export function goalLines(r: BenchResult): string[] {
  const ups = speedups(r.points);
  const over = (peer: Variant, keep: (s: Speedup) => boolean = () => true) =>
    ups.filter((s) => s.peer === peer && keep(s)).map((s) => s.speedup);
  const minDim = Math.min(...r.points.map((p) => p.dim));
  const lines = [
    `level vs node (aim ≥ 10× where dispatch cost dominates): at d=${minDim} ${spread(over('node', (s) => s.dim === minDim))}; all d ${spread(over('node'))}`,
    `level vs tree: ${spread(over('tree'))}`,
    `level vs tfjs-webgpu at ≥ 64 trees (aim ≥ 3×): ${spread(over('tfjs-webgpu', (s) => s.batch >= 64))}`,
    `level vs tfjs-cpu: ${spread(over('tfjs-cpu'))}; vs reference: ${spread(over('reference'))}`,
    `level vs pytorch (aim ≥ 1× at d=8, ≥ 0.5× at d=50): d=8 ${spread(over('pytorch', (s) => s.dim === 8))}; d=50 ${spread(over('pytorch', (s) => s.dim === 50))}; all d ${spread(over('pytorch'))}`,
  ];
  const ceiling = best(r.ceilings);
  const kernels = r.points.filter((p) => p.variant === 'level' && p.widestLevelGflops !== undefined);
  const top = kernels.reduce<PointResult | undefined>(
    (a, p) => (a && a.widestLevelGflops! >= p.widestLevelGflops! ? a : p),
    undefined,
  );
  const share = (g: number) =>
    ceiling ? `${((100 * g) / ceiling).toFixed(0)}% of ${num(ceiling, 3)}` : 'no ceiling';
  lines.push(
    top
      ? `level forward kernel on its widest level (aim ≥ 50% of the matmul ceiling): best ${num(top.widestLevelGflops, 3)} GFLOP/s = ${share(top.widestLevelGflops!)} GFLOP/s (${pointKey(top)})`
      : 'level kernels vs ceiling: no timestamp queries, not measured',
  );
  const steps = r.points.filter((p) => p.variant === 'level' && p.gflops !== null);
  if (steps.length > 0) {
    const g = Math.max(...steps.map((p) => p.gflops!));
    lines.push(`level whole step: best ${num(g, 3)} GFLOP/s = ${share(g)} GFLOP/s`);
  }
  const trip = r.ceilings.emptyRoundTripMs;
  const slopes = chainSlopes(r.points);
  lines.push(
    slopes.length
      ? `chain cost per level (aim ≤ 2× an empty round trip of ${num(trip, 3)} ms): ` +
          slopes
            .map((s) => {
              const gpu = s.gpuUsPerLevel === undefined ? '' : `; GPU ${num(s.gpuUsPerLevel, 0)} µs`;
              return `${s.label} ${num(s.msPerLevel, 3)} ms (${num(s.msPerLevel / trip, 2)}×${gpu})`;
            })
            .join('; ')
      : 'chain cost per level: needs two chain depths on level',
  );
  return lines;
}
