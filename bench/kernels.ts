// Where a level-schedule step's GPU time goes: per kernel and level, GPU µs, rows, GFLOP/s and
// share of the same-run ceiling; a least-squares fit t(n) = t0 + c·n per level kernel (its latency
// floor and its cost per node); and the weight-gradient reduction's share of the step.
import type { GpuBatch } from '../src/engine/batch.ts';
import type { DispatchTime, TreeEngine } from '../src/engine/engine.ts';
import type { Cell } from '../src/params/shapes.ts';
import { pointKey } from './config.ts';
import { forwardFlops, gflops } from './napkin.ts';
import type { BenchResult, PointResult } from './result.ts';

/**
 * Profiled steps per point; each dispatch's time is the mean of the middle ones (the fastest and
 * slowest quarter dropped). A mean, not a median: drivers quantize timestamps (lavapipe: 65.5 µs),
 * and the mean over steps that start at random phases of the tick recovers times below it.
 */
const PROFILED_STEPS = 16;

/** Mean of the middle half-plus of `xs`: the fastest and slowest quarter dropped. */
function trimmedMean(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((a, x) => a + x, 0) / kept.length;
}

/** One dispatch of a profiled step. */
export interface KernelTime {
  /** Kernel name; the two reductions are `outer_reduce (cell)` and `outer_reduce (classifier)`. */
  kernel: string;
  /** Height of a level kernel's dispatch (1: the parents of leaves). */
  level?: number;
  /** Rows: a level's nodes, or the internal nodes a cell reduction sums over. */
  rows?: number;
  us: number;
  /** Mat-vec (or outer-product) GFLOP/s of model.md's count, for level kernels and the cell reduction. */
  gflops?: number;
  shareOfCeiling?: number;
}

/** t(n) = t0 + c·n over a level kernel's levels (n = rows). */
export interface KernelFit {
  kernel: string;
  t0Us: number;
  usPerNode: number;
  levels: number;
}

/** A profiled step taken apart. */
export interface KernelProfile {
  dispatches: KernelTime[];
  fits: KernelFit[];
  stepUs: number;
  /** outer_reduce (both) and reduce_partials. */
  reduceUs: number;
  reduceShare: number;
}

/** Least-squares line through (x, y): intercept and slope; undefined for fewer than two distinct x. */
export function linearFit(
  xs: readonly number[],
  ys: readonly number[],
): { intercept: number; slope: number } | undefined {
  const n = xs.length;
  const mx = xs.reduce((a, x) => a + x, 0) / n;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** What the analysis needs of a point and its engine. */
export interface ProfiledPoint {
  cell: Cell;
  dim: number;
  internal: number;
  forward: string;
  backward: string;
}

/**
 * A profiled step's dispatches (in encoding order) taken apart. Level kernels do 2·m·d² FLOPs per
 * row forward and backward (the backward kernel's transposed mat-vecs); the cell's reduction does
 * the same per internal node (its outer products); other kernels get no FLOP count.
 */
export function analyseProfile(
  p: ProfiledPoint,
  profile: readonly DispatchTime[],
  ceiling: number | null,
): KernelProfile {
  const levels = profile.filter((t) => t.kernel === p.forward).length;
  let forwardSeen = 0;
  let backwardSeen = 0;
  let reductions = 0;
  const rate = (flops: number, us: number) => {
    if (!(us > 0)) return {};
    const g = gflops(flops, us / 1000);
    return ceiling ? { gflops: g, shareOfCeiling: g / ceiling } : { gflops: g };
  };
  const dispatches = profile.map((t): KernelTime => {
    const us = t.ns / 1000;
    if (t.kernel === p.forward || t.kernel === p.backward) {
      const level = t.kernel === p.forward ? ++forwardSeen : levels - backwardSeen++;
      const rows = t.rows ?? 0;
      return { kernel: t.kernel, level, rows, us, ...rate(forwardFlops(p.cell, p.dim, rows), us) };
    }
    if (t.kernel.startsWith('outer_reduce')) {
      if (reductions++ > 0) return { kernel: 'outer_reduce (classifier)', us };
      const rows = p.internal;
      return { kernel: 'outer_reduce (cell)', rows, us, ...rate(forwardFlops(p.cell, p.dim, rows), us) };
    }
    return { kernel: t.kernel, us };
  });
  const fits: KernelFit[] = [];
  for (const kernel of [p.forward, p.backward]) {
    const own = dispatches.filter((d) => d.kernel === kernel);
    const fit = linearFit(
      own.map((d) => d.rows!),
      own.map((d) => d.us),
    );
    if (fit) fits.push({ kernel, t0Us: fit.intercept, usPerNode: fit.slope, levels: own.length });
  }
  const stepUs = dispatches.reduce((a, d) => a + d.us, 0);
  const reduceUs = dispatches
    .filter((d) => d.kernel.startsWith('outer_reduce') || d.kernel === 'reduce_partials')
    .reduce((a, d) => a + d.us, 0);
  return { dispatches, fits, stepUs, reduceUs, reduceShare: stepUs > 0 ? reduceUs / stepUs : 0 };
}

/**
 * PROFILED_STEPS profiled level-schedule steps (timestamp queries; undefined without them), each
 * dispatch's trimmed mean time, taken apart by analyseProfile.
 */
export async function profileKernels(
  engine: TreeEngine,
  batch: GpuBatch,
  point: { cell: Cell; dim: number; internal: number },
  ceiling: number | null,
): Promise<KernelProfile | undefined> {
  const steps: DispatchTime[][] = [];
  for (let i = 0; i < PROFILED_STEPS; i++) {
    const r = await engine.step(batch, { schedule: 'level', norms: false, profile: true });
    if (!r.profile) return undefined;
    steps.push(r.profile);
  }
  const first = steps[0]!;
  const profile = first.map((t, i) => ({ ...t, ns: trimmedMean(steps.map((s) => s[i]?.ns ?? t.ns)) }));
  const { forward, backward } = engine.spec;
  return analyseProfile({ ...point, forward: forward.shader, backward: backward.shader }, profile, ceiling);
}

function fixed(x: number | undefined, digits: number): string {
  return x === undefined ? '–' : x.toFixed(digits);
}

/**
 * The printed kernel tables: for each (cell, d), the level point with the most internal nodes
 * that has a kernel profile — every dispatch, the fits and the reduction's share.
 */
export function kernelTables(r: BenchResult): string[] {
  const best = new Map<string, PointResult>();
  for (const p of r.points) {
    if (p.variant !== 'level' || !p.kernels) continue;
    const key = `${p.cell} d=${p.dim}`;
    const had = best.get(key);
    if (!had || p.internal > had.internal) best.set(key, p);
  }
  const out: string[] = [];
  for (const p of best.values()) {
    const k = p.kernels!;
    out.push(
      `kernels of ${pointKey(p)} (${p.internal} internal nodes; GPU µs, trimmed mean of ${PROFILED_STEPS} profiled steps):`,
      `  ${'kernel'.padEnd(26)} ${'level'.padStart(5)} ${'rows'.padStart(6)} ${'GPU µs'.padStart(9)} ${'GFLOP/s'.padStart(8)} ${'%ceil'.padStart(6)}`,
    );
    for (const d of k.dispatches) {
      const share = d.shareOfCeiling === undefined ? '–' : `${(100 * d.shareOfCeiling).toFixed(0)}%`;
      out.push(
        `  ${d.kernel.padEnd(26)} ${String(d.level ?? '').padStart(5)} ${String(d.rows ?? '').padStart(6)} ` +
          `${d.us.toFixed(1).padStart(9)} ${fixed(d.gflops, 3).padStart(8)} ${share.padStart(6)}`,
      );
    }
    for (const f of k.fits)
      out.push(
        `  fit ${f.kernel}: t(n) = ${f.t0Us.toFixed(1)} µs + ${f.usPerNode.toFixed(3)} µs · n over ${f.levels} levels`,
      );
    out.push(
      `  weight-gradient reduction: ${k.reduceUs.toFixed(0)} µs = ${(100 * k.reduceShare).toFixed(0)}% of the step's ${k.stepUs.toFixed(0)} µs`,
    );
  }
  return out;
}
