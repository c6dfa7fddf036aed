// The trees of a benchmark point: `batch` trees of one shape whose height is exactly `depth`.
// Pure and seeded: the same point gives the same trees in Chrome and in Node.
import { Rng } from '../src/rng/index.ts';
import { balancedTree, leftChain, randomTree } from '../src/trees/generate.ts';
import { size } from '../src/trees/shape.ts';
import { type Tree, node } from '../src/trees/tree.ts';
import type { Shape } from './config.ts';

/** The benchmark vocabulary (leaf words); the classifier has CLASSES classes. */
export const VOCAB: readonly string[] = Array.from({ length: 100 }, (_, i) => `w${i}`);
/** Classes of the benchmark's classifier. */
export const CLASSES = 5;
/** Largest side group hanging off a random tree's spine. */
const MAX_GROUP = 4;

/** A forest and its labels. */
export interface Forest {
  trees: Tree[];
  labels: number[];
  /** Nodes in all trees together, and the internal ones among them. */
  nodes: number;
  internal: number;
}

function words(n: number, rng: Rng): string[] {
  return Array.from({ length: n }, () => VOCAB[rng.uniformInt(0, VOCAB.length - 1)]!);
}

/**
 * A random tree of height exactly `depth`: a spine from the root to one leaf at depth `depth`,
 * turning left or right at random; the spine node at depth k gets a random uniform-split sibling
 * subtree of 1 … min(MAX_GROUP, depth − k) leaves, so no side subtree reaches below the spine.
 */
export function randomTreeOfHeight(depth: number, rng: Rng): Tree {
  let tree = randomTree(words(1, rng), rng);
  for (let k = depth - 1; k >= 0; k--) {
    const side = randomTree(words(rng.uniformInt(1, Math.min(MAX_GROUP, depth - k)), rng), rng);
    tree = rng.uniformInt(0, 1) === 0 ? node(side, tree) : node(tree, side);
  }
  return tree;
}

/** One tree of `shape` and height `depth` (balanced: 2^depth leaves; chain: depth + 1 leaves). */
export function shapedTree(shape: Shape, depth: number, rng: Rng): Tree {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth must be ≥ 1, got ${depth}`);
  switch (shape) {
    case 'balanced':
      return balancedTree(words(2 ** depth, rng));
    case 'chain':
      return leftChain(words(depth + 1, rng));
    case 'random':
      return randomTreeOfHeight(depth, rng);
  }
}

/** `batch` trees of one shape and depth with uniform labels, seeded by (seed, shape, depth, batch). */
export function makeForest(shape: Shape, depth: number, batch: number, seed: number): Forest {
  const shapeNo = ['balanced', 'random', 'chain'].indexOf(shape);
  const rng = Rng.fromSeed(seed * 1e8 + shapeNo * 1e7 + depth * 1e4 + (batch % 1e4));
  const trees = Array.from({ length: batch }, () => shapedTree(shape, depth, rng));
  const labels = trees.map(() => rng.uniformInt(0, CLASSES - 1));
  const nodes = trees.reduce((a, t) => a + size(t), 0);
  return { trees, labels, nodes, internal: (nodes - batch) / 2 };
}

/** The small validation case of a (cell, d): a few random trees of 2 … 9 leaves. */
export function validationForest(seed: number): Forest {
  const rng = Rng.fromSeed(seed, 9);
  const trees = Array.from({ length: 4 }, () => randomTree(words(rng.uniformInt(2, 9), rng), rng));
  const labels = trees.map(() => rng.uniformInt(0, CLASSES - 1));
  const nodes = trees.reduce((a, t) => a + size(t), 0);
  return { trees, labels, nodes, internal: (nodes - trees.length) / 2 };
}
