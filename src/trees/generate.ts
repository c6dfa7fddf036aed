// Tree generators over a given sequence of leaves (left to right). Internal nodes get no label;
// callers label the root (formatTree writes missing labels as 0).
import type { Rng } from '../rng/index.ts';
import { type Tree, leaf, node } from './tree.ts';

function requireLeaves(words: readonly string[]): void {
  if (words.length === 0) throw new RangeError('a tree needs at least one leaf');
}

/**
 * Builds a tree over words[lo, hi) where `split(lo, hi)` chooses the first index of the right part.
 * Splits are chosen in pre-order (a span, then its left part, then its right part), without recursion.
 */
function build(
  words: readonly string[],
  lo0: number,
  hi0: number,
  split: (lo: number, hi: number) => number,
): Tree {
  const spans: [number, number][] = [];
  const todo: [number, number][] = [[lo0, hi0]];
  while (todo.length > 0) {
    const [lo, hi] = todo.pop() as [number, number];
    spans.push([lo, hi]);
    if (hi - lo > 1) {
      const m = split(lo, hi);
      todo.push([m, hi], [lo, m]);
    }
  }
  // Assemble children before parents: in reverse pre-order a node's left subtree is on top of the stack.
  const built: Tree[] = [];
  for (let i = spans.length - 1; i >= 0; i--) {
    const [lo, hi] = spans[i] as [number, number];
    if (hi - lo === 1) built.push(leaf(words[lo] as string));
    else {
      const left = built.pop() as Tree;
      const right = built.pop() as Tree;
      built.push(node(left, right));
    }
  }
  return built[0] as Tree;
}

/** A random tree by recursive uniform split: a span of n leaves splits after a uniform position 1 … n−1. */
export function randomTree(words: readonly string[], rng: Rng): Tree {
  requireLeaves(words);
  return build(words, 0, words.length, (lo, hi) => lo + rng.uniformInt(1, hi - lo - 1));
}

/** A balanced tree: each span splits in the middle, the left part taking the extra leaf when odd. */
export function balancedTree(words: readonly string[]): Tree {
  requireLeaves(words);
  return build(words, 0, words.length, (lo, hi) => lo + Math.ceil((hi - lo) / 2));
}

/** A left caterpillar ((((w0 w1) w2) w3) …): the first two leaves sit at depth n−1. */
export function leftChain(words: readonly string[]): Tree {
  requireLeaves(words);
  return build(words, 0, words.length, (_lo, hi) => hi - 1);
}

/** A right caterpillar (w0 (w1 (w2 …))): the last two leaves sit at depth n−1. */
export function rightChain(words: readonly string[]): Tree {
  requireLeaves(words);
  return build(words, 0, words.length, (lo) => lo + 1);
}

/**
 * A random tree in which leaf `focal` (an index into words) sits at depth exactly `depth`.
 * Each of the focal leaf's `depth` ancestors splits off a non-empty group of the leaves to its left
 * or right; group sizes and the order of the sides are drawn uniformly, and each group becomes a
 * random uniform-split subtree. Possible iff depth ≤ n−1 and depth ≥ (leaves left of focal > 0) +
 * (leaves right of focal > 0); otherwise a RangeError says why.
 */
export function treeWithLeafAtDepth(words: readonly string[], focal: number, depth: number, rng: Rng): Tree {
  requireLeaves(words);
  const n = words.length;
  if (!Number.isInteger(focal) || focal < 0 || focal >= n)
    throw new RangeError(`focal leaf ${focal} is not in 0 … ${n - 1}`);
  const a = focal;
  const b = n - 1 - focal;
  const least = (a > 0 ? 1 : 0) + (b > 0 ? 1 : 0);
  if (!Number.isInteger(depth) || depth < least || depth > n - 1) {
    throw new RangeError(`leaf ${focal} of ${n} can sit at depth ${least} … ${n - 1}, not ${depth}`);
  }
  // Number of ancestors that peel off a left group: between max(1 if a, depth − b) and min(a, depth − 1 if b).
  const lo = Math.max(a > 0 ? 1 : 0, depth - b);
  const hi = Math.min(a, b > 0 ? depth - 1 : depth);
  const nLeft = rng.uniformInt(lo, hi);
  const leftGroups = composition(a, nLeft, rng);
  const rightGroups = composition(b, depth - nLeft, rng);
  const sides = rng.shuffle([
    ...Array<boolean>(nLeft).fill(true),
    ...Array<boolean>(depth - nLeft).fill(false),
  ]);
  // Peel from the outside in: the root's group is the leftmost (or rightmost) one.
  let start = 0;
  let end = n;
  const peels: { left: boolean; tree: Tree }[] = [];
  let li = 0;
  let ri = 0;
  for (const isLeft of sides) {
    if (isLeft) {
      const k = leftGroups[li++] as number;
      peels.push({ left: true, tree: randomTree(words.slice(start, start + k), rng) });
      start += k;
    } else {
      const k = rightGroups[ri++] as number;
      peels.push({ left: false, tree: randomTree(words.slice(end - k, end), rng) });
      end -= k;
    }
  }
  let tree: Tree = leaf(words[focal] as string);
  for (let p = peels.length - 1; p >= 0; p--) {
    const peel = peels[p] as { left: boolean; tree: Tree };
    tree = peel.left ? node(peel.tree, tree) : node(tree, peel.tree);
  }
  return tree;
}

/** A uniformly random composition of `total` into `parts` positive integers (in order). */
function composition(total: number, parts: number, rng: Rng): number[] {
  if (parts === 0) return [];
  // Choose parts−1 distinct cut points among 1 … total−1.
  const cuts = rng.shuffle(Array.from({ length: total - 1 }, (_, i) => i + 1)).slice(0, parts - 1);
  cuts.sort((x, y) => x - y);
  const bounds = [0, ...cuts, total];
  return bounds.slice(1).map((v, i) => v - (bounds[i] as number));
}
