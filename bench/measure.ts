// Timing one runner on one point: a warm-up, then medians of forward-only and whole steps, then
// the napkin maths of the point (rates, GFLOP/s, share of the ceiling).
import type { Variant } from './config.ts';
import { forwardFlops, gflops, median, perSecond, stepFlops } from './napkin.ts';
import type { LevelTime, PointResult } from './result.ts';
import type { Runner } from './runners.ts';

/** Raw timings of one runner. */
export interface Timings {
  forwardMs: number;
  stepMs: number;
  loss: number;
  dispatches: number | null;
}

/** One warm-up of each kind, then `repeats` timed forwards and `repeats` timed steps; medians. */
export async function timeRunner(runner: Runner, repeats: number): Promise<Timings> {
  await runner.step();
  await runner.forward();
  const forward: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await runner.forward();
    forward.push(performance.now() - t0);
  }
  const step: number[] = [];
  let loss = Number.NaN;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    loss = await runner.step();
    step.push(performance.now() - t0);
  }
  // Counted after timing: TF.js counts its kernels with a profiled extra step.
  const dispatches = await runner.dispatches();
  return { forwardMs: median(forward), stepMs: median(step), loss, dispatches };
}

/** A point result with nothing timed (skipped or failed), saying why. */
export function untimed(
  base: PointBase,
  variant: Variant,
  why: { skipped?: string; error?: string },
): PointResult {
  return {
    ...base,
    variant,
    medianMs: null,
    forwardMs: null,
    backwardMs: null,
    nodesPerSec: null,
    treesPerSec: null,
    dispatches: null,
    gflops: null,
    shareOfCeiling: null,
    msPerLevel: null,
    timing: 'wall',
    ...why,
  };
}

/** What every result of a point shares. */
export type PointBase = Pick<
  PointResult,
  'cell' | 'dim' | 'shape' | 'depth' | 'batch' | 'trees' | 'nodes' | 'internal'
>;

/** The napkin maths of a timed point; `ceiling` is the better of the adapter's GFLOP/s ceilings. */
export function timedResult(
  base: PointBase,
  variant: Variant,
  t: Timings,
  ceiling: number | null,
): PointResult {
  const g = gflops(stepFlops(base.cell, base.dim, base.internal), t.stepMs);
  return {
    ...base,
    variant,
    medianMs: t.stepMs,
    forwardMs: t.forwardMs,
    backwardMs: t.stepMs - t.forwardMs,
    nodesPerSec: perSecond(base.nodes, t.stepMs),
    treesPerSec: perSecond(base.trees, t.stepMs),
    dispatches: t.dispatches,
    gflops: g,
    shareOfCeiling: ceiling ? g / ceiling : null,
    msPerLevel: t.stepMs / base.depth,
    timing: 'wall',
    loss: t.loss,
  };
}

/** Forward GFLOP/s of the level kernel on the widest level (most rows) of a profiled step. */
export function widestLevelGflops(base: PointBase, levels: readonly LevelTime[]): number | undefined {
  const widest = levels.reduce<LevelTime | undefined>((a, l) => (a && a.rows >= l.rows ? a : l), undefined);
  if (!widest || !(widest.forwardUs > 0)) return undefined;
  return gflops(forwardFlops(base.cell, base.dim, widest.rows), widest.forwardUs / 1000);
}
