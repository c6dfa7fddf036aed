// Shape of a tree: pre-order numbering (root = 0, left subtree, right subtree), depth (edges from
// the root), height (0 at a leaf). Iterative, so long chains cannot overflow the call stack.
import type { Tree } from './tree.ts';

/** One node in pre-order with its numbering: parent, children (-1 where none), depth and height. */
export interface NodeInfo {
  readonly node: Tree;
  readonly index: number;
  readonly parent: number;
  readonly left: number;
  readonly right: number;
  readonly depth: number;
  readonly height: number;
}

/** The nodes of a tree in canonical pre-order: root, then the left subtree, then the right. */
export function preorder(tree: Tree): Tree[] {
  const out: Tree[] = [];
  const stack: Tree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop() as Tree;
    out.push(t);
    if (t.kind === 'node') stack.push(t.right, t.left);
  }
  return out;
}

/** Every node in pre-order with parent/child pre-order indices, depth and height. */
export function numberNodes(tree: Tree): NodeInfo[] {
  const nodes = preorder(tree);
  const parent = new Int32Array(nodes.length).fill(-1);
  const left = new Int32Array(nodes.length).fill(-1);
  const right = new Int32Array(nodes.length).fill(-1);
  const depth = new Int32Array(nodes.length);
  const height = new Int32Array(nodes.length);
  // In pre-order the left child follows its parent; the right child follows the left subtree.
  const size = subtreeSizes(nodes);
  nodes.forEach((t, i) => {
    if (t.kind !== 'node') return;
    const l = i + 1;
    const r = i + 1 + (size[l] as number);
    left[i] = l;
    right[i] = r;
    parent[l] = i;
    parent[r] = i;
    depth[l] = (depth[i] as number) + 1;
    depth[r] = (depth[i] as number) + 1;
  });
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (left[i] !== -1)
      height[i] = 1 + Math.max(height[left[i] as number] as number, height[right[i] as number] as number);
  }
  return nodes.map((t, i) => ({
    node: t,
    index: i,
    parent: parent[i] as number,
    left: left[i] as number,
    right: right[i] as number,
    depth: depth[i] as number,
    height: height[i] as number,
  }));
}

/** Number of nodes in each pre-order node's subtree. */
function subtreeSizes(nodes: readonly Tree[]): Int32Array {
  const size = new Int32Array(nodes.length).fill(1);
  // Walk backwards: a node's subtree is itself plus the subtrees that start right after it.
  const stack: number[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    if ((nodes[i] as Tree).kind === 'node') {
      const l = stack.pop() as number;
      const r = stack.pop() as number;
      size[i] = 1 + (size[l] as number) + (size[r] as number);
    }
    stack.push(i);
  }
  return size;
}

/** Height of the tree: 0 for a single leaf, else 1 + the taller child's height. */
export function height(tree: Tree): number {
  return numberNodes(tree)[0]?.height ?? 0;
}

/** Depth of the deepest node (equals height(tree), named for readers who think in depths). */
export function maxDepth(tree: Tree): number {
  return height(tree);
}

/** Depth of every node, in pre-order. */
export function depths(tree: Tree): number[] {
  return numberNodes(tree).map((n) => n.depth);
}

/** The leaves left to right (pre-order restricted to leaves). */
export function leaves(tree: Tree): string[] {
  return preorder(tree).flatMap((t) => (t.kind === 'leaf' ? [t.word] : []));
}

/** Number of nodes (leaves and internal). */
export function size(tree: Tree): number {
  let n = 0;
  const stack: Tree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop() as Tree;
    n++;
    if (t.kind === 'node') stack.push(t.left, t.right);
  }
  return n;
}
