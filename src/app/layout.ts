// A tidy layout of one tree: leaves evenly spaced left to right, each parent centred over its two
// children, the root at the top; positions in units of leaf spacing (x) and depth (y).
import type { NodeInfo } from '../trees/index.ts';

/** Node positions in pre-order: x in leaf slots (0 … leaves − 1), y = depth. */
export interface TreeLayout {
  x: Float64Array;
  y: Float64Array;
  leaves: number;
  depth: number;
}

/** Lays out a tree from its pre-order numbering (numberNodes). */
export function tidyLayout(nodes: readonly NodeInfo[]): TreeLayout {
  const n = nodes.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  // Leaves appear left to right in pre-order; parents come before children, so walk backwards.
  let leaves = 0;
  for (const info of nodes) {
    if (info.left < 0) x[info.index] = leaves++;
  }
  let depth = 0;
  for (let i = n - 1; i >= 0; i--) {
    const info = nodes[i]!;
    if (info.left >= 0) x[i] = (x[info.left]! + x[info.right]!) / 2;
    y[i] = info.depth;
    depth = Math.max(depth, info.depth);
  }
  return { x, y, leaves, depth };
}
