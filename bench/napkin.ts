// Napkin maths of the benchmark (pure): medians, FLOP counts from docs/model.md, rates, and the
// caps that keep slow variants off points too big for them.
import { type Cell, forwardMultiplyAdds, stepMultiplyAdds } from '../src/cells/index.ts';
import type { Caps, PointSpec, Variant } from './config.ts';

/** The median of a non-empty list (mean of the middle two for an even length). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Forward FLOPs of `internal` nodes: 2 per multiply-add (a multiply and an add per weight). */
export function forwardFlops(cell: Cell, dim: number, internal: number): number {
  return 2 * forwardMultiplyAdds(cell, dim, internal);
}

/** FLOPs of a whole training step: forward plus a backward of about twice the forward (model.md). */
export function stepFlops(cell: Cell, dim: number, internal: number): number {
  return 2 * stepMultiplyAdds(cell, dim, internal);
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

/** Items per second of `count` items in `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return count / (ms / 1000);
}

/** A matrix product of [m, k] by [k, n]: 2·m·n·k FLOPs. */
export function matmulFlops(m: number, n: number, k: number): number {
  return 2 * m * n * k;
}

/** Dispatches of the engine's `node` schedule: one per internal node and pass, plus the fixed ones. */
export function nodeScheduleDispatches(internal: number): number {
  return 2 * internal + 7;
}

/**
 * Why a variant is not timed on a point, or undefined when it is: the point is over a cap of
 * every variant (state size, step work) or of this variant ("skipped: over the cap (…)").
 */
export function capReason(
  variant: Variant,
  p: PointSpec,
  nodes: number,
  internal: number,
  caps: Caps,
): string | undefined {
  const flops = stepFlops(p.cell, p.dim, internal);
  const limits: [number, number, string][] = [
    [nodes * p.dim, caps.nodeDims, 'nodes × d'],
    [flops, caps.stepFlops, 'step FLOPs'],
  ];
  if (variant === 'node') limits.push([nodeScheduleDispatches(internal), caps.nodeDispatches, 'dispatches']);
  if (variant === 'tfjs-webgpu')
    limits.push([flops, caps.tfjsWebgpuFlops, 'step FLOPs'], [p.depth, caps.tfjsWebgpuLevels, 'levels']);
  if (variant === 'tfjs-cpu') limits.push([flops, caps.tfjsCpuFlops, 'step FLOPs']);
  if (variant === 'reference') limits.push([flops, caps.referenceFlops, 'step FLOPs']);
  const over = limits.find(([value, cap]) => value > cap);
  return over && `skipped: over the cap (${over[2]} ${fmt(over[0])} > ${fmt(over[1])})`;
}

function fmt(x: number): string {
  return x >= 1e4 ? x.toExponential(1) : String(x);
}
