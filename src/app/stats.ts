// Numbers the page derives from per-node gradient norms: each tree's keyword ratio, the mean of
// log10 gh/gh(root) by depth, and the range of log10 norms the colour scale spans.
import { type NodeGrad, focalIndex } from '../reference/grad.ts';

/** Which norm colours the nodes: gh = ‖∂J/∂h‖, or gc = ‖∂J/∂c‖ (cells with a memory cell). */
export type Metric = 'gh' | 'gc';

/** One tree's keyword leaf (pre-order index and depth) and gh(keyword)/gh(root), when it has one. */
export interface TreeRatio {
  focal: number | undefined;
  depth: number | undefined;
  ratio: number | null;
}

/** Mean of log10 gh/gh(root) over the nodes at one depth; nodes with gh = 0 are counted apart. */
export interface DepthPoint {
  depth: number;
  mean: number | null;
  nodes: number;
  zeros: number;
}

/** log10 of a norm, −∞ for 0. */
export function log10(value: number): number {
  return value > 0 ? Math.log10(value) : Number.NEGATIVE_INFINITY;
}

/** Per tree: its keyword leaf (the one leaf named k + digits) and the ratio the engine reported. */
export function treeRatios(nodes: readonly NodeGrad[][], ratios: readonly (number | null)[]): TreeRatio[] {
  return nodes.map((tree, t) => {
    const focal = focalIndex(tree, t + 1, undefined);
    return { focal, depth: focal === undefined ? undefined : tree[focal]?.depth, ratio: ratios[t] ?? null };
  });
}

/**
 * Mean log10 of the ratios (log of their geometric mean): −∞ when one underflowed to 0, null when
 * no tree has a ratio.
 */
export function meanLog10(ratios: readonly (number | null)[]): number | null {
  const known = ratios.filter((r): r is number => r !== null && Number.isFinite(r) && r >= 0);
  if (known.length === 0) return null;
  return known.reduce((sum, r) => sum + log10(r), 0) / known.length;
}

/** Mean of log10 gh(n)/gh(root of n's tree) at each depth 0 … max over all trees. */
export function depthProfile(nodes: readonly NodeGrad[][]): DepthPoint[] {
  const points: DepthPoint[] = [];
  const sums: number[] = [];
  for (const tree of nodes) {
    const root = tree[0]?.gh ?? 0;
    for (const n of tree) {
      while (points.length <= n.depth) {
        points.push({ depth: points.length, mean: null, nodes: 0, zeros: 0 });
        sums.push(0);
      }
      const p = points[n.depth]!;
      const r = root > 0 ? log10(n.gh / root) : Number.NaN;
      if (Number.isFinite(r)) {
        sums[n.depth]! += r;
        p.nodes++;
      } else p.zeros++;
    }
  }
  for (const p of points) p.mean = p.nodes ? sums[p.depth]! / p.nodes : null;
  return points;
}

/** [min, max] of log10 of the metric over all nodes with a positive finite value; null if none. */
export function logExtent(nodes: readonly NodeGrad[][], metric: Metric): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const tree of nodes) {
    for (const n of tree) {
      const v = log10(n[metric] ?? 0);
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return lo <= hi ? [lo, hi] : null;
}
