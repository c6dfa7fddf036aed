// Flatten a forest into one concatenated pre-order, without recursion (explicit stack), so a
// 10,000-deep chain plans without a stack overflow.
import type { Tree } from '../trees/tree.ts';

/** A forest in concatenated pre-order: tree t occupies [offset[t], offset[t+1]); indices are global. */
export interface Preorder {
  /** Start of each tree's block, length numTrees + 1 (last entry = total node count). */
  readonly offset: Int32Array;
  /** Pre-order index of each node's parent, −1 for a root. */
  readonly parent: Int32Array;
  /** Pre-order indices of each node's children: [2i] left, [2i+1] right, −1 for a leaf. */
  readonly child: Int32Array;
  /** Edges from the node's root. */
  readonly depth: Int32Array;
  /** 0 for a leaf, 1 + max(children's heights) otherwise. */
  readonly height: Int32Array;
  /** Tree index of each node. */
  readonly tree: Int32Array;
  /** Vocabulary row of each leaf, −1 for an internal node. */
  readonly word: Int32Array;
}

const EXIT = -1;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const kind = (value as { kind?: unknown }).kind;
  return kind === undefined ? 'object without kind' : `kind ${JSON.stringify(kind)}`;
}

/**
 * Walk every tree in pre-order (root, left subtree, right subtree) and record parent, children,
 * depth, height, tree and word per node. Throws an Error naming the tree for an empty forest, a
 * malformed node, a cycle, or a word index outside [0, vocabSize).
 */
export function flattenPreorder(
  trees: readonly Tree[],
  wordIndex: (word: string, tree: number) => number,
  vocabSize: number,
): Preorder {
  if (trees.length === 0) throw new Error('planLevels: empty forest (no trees to plan)');
  const parent: number[] = [];
  const child: number[] = [];
  const depth: number[] = [];
  const tree: number[] = [];
  const word: number[] = [];
  const offset = new Int32Array(trees.length + 1);
  // Stack entries: a node to enter with its parent index and side, or an EXIT marker that takes
  // the node off the current root-to-node path (used to detect cycles; shared subtrees are fine).
  const stackNode: (Tree | null)[] = [];
  const stackParent: number[] = [];
  const stackSide: number[] = [];
  const onPath = new Set<Tree>();

  for (let t = 0; t < trees.length; t++) {
    offset[t] = parent.length;
    stackNode.push(trees[t] as Tree);
    stackParent.push(-1);
    stackSide.push(0);
    while (stackNode.length > 0) {
      const node = stackNode.pop() as Tree | null;
      const p = stackParent.pop() as number;
      const side = stackSide.pop() as number;
      if (side === EXIT) {
        onPath.delete(node as Tree);
        continue;
      }
      const i = parent.length;
      const where = `planLevels: tree ${t}: pre-order node ${i - offset[t]!}`;
      if (node === null || typeof node !== 'object') throw new Error(`${where} is ${describe(node)}`);
      if (p >= 0) child[2 * p + side] = i;
      parent.push(p);
      child.push(-1, -1);
      depth.push(p >= 0 ? depth[p]! + 1 : 0);
      tree.push(t);
      if (node.kind === 'leaf') {
        if (typeof node.word !== 'string') throw new Error(`${where}: leaf without a string word`);
        const w = wordIndex(node.word, t);
        if (!Number.isInteger(w) || w < 0 || w >= vocabSize) {
          throw new Error(
            `planLevels: tree ${t}: word ${JSON.stringify(node.word)} mapped to ${w}, outside [0, ${vocabSize})`,
          );
        }
        word.push(w);
      } else if (node.kind === 'node') {
        if (node.left == null || node.right == null) {
          throw new Error(`${where}: internal node needs both left and right children`);
        }
        if (onPath.has(node)) throw new Error(`${where}: cycle (a node is its own descendant)`);
        onPath.add(node);
        word.push(-1);
        // Pop order: left subtree, then right subtree, then leave this node's path.
        stackNode.push(node, node.right, node.left);
        stackParent.push(-1, i, i);
        stackSide.push(EXIT, 1, 0);
      } else {
        throw new Error(`${where} is malformed: ${describe(node)}, expected 'leaf' or 'node'`);
      }
    }
  }
  offset[trees.length] = parent.length;

  // Children follow their parent in pre-order, so a reverse sweep sees every child first.
  const height = new Int32Array(parent.length);
  for (let i = parent.length - 1; i >= 0; i--) {
    const p = parent[i]!;
    if (p >= 0 && height[p]! < height[i]! + 1) height[p] = height[i]! + 1;
  }
  return {
    offset,
    parent: Int32Array.from(parent),
    child: Int32Array.from(child),
    depth: Int32Array.from(depth),
    height,
    tree: Int32Array.from(tree),
    word: Int32Array.from(word),
  };
}
