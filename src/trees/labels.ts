// Trees against a model's vocabulary and classes: word rows, each tree's class and the classes of
// its labelled nodes, and the error that names a bad tree. Shared by the Float64 reference and the
// GPU engine.
import { preorder } from './shape.ts';
import type { Tree } from './tree.ts';

/** Bad input trees for given parameters (unknown word, missing or out-of-range label, bad focal index). */
export class TreeDataError extends Error {
  override name = 'TreeDataError';
  /** `tree` is 1-based: the line of a one-tree-per-line file. */
  constructor(
    readonly tree: number,
    readonly reason: string,
  ) {
    super(`tree ${tree} (line ${tree}): ${reason}`);
  }
}

/** word → row of E, for a vocabulary. */
export function wordIndex(vocab: readonly string[]): Map<string, number> {
  return new Map(vocab.map((w, i) => [w, i]));
}

/** The class label of tree `treeNo` (1-based): given, or the root's; checked against 0 … classes−1. */
export function treeLabel(tree: Tree, treeNo: number, classes: number, given?: number): number {
  const label = given ?? tree.label;
  if (label === undefined) throw new TreeDataError(treeNo, 'the root has no label (the class)');
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new TreeDataError(treeNo, `label ${label} is outside 0 … ${classes - 1} (${classes} classes)`);
  }
  return label;
}

/**
 * The class of every pre-order node that takes a loss: the root's `label`, and with `loss` 'all'
 * every other labelled node's own label (checked against 0 … classes−1); undefined elsewhere.
 */
export function lossLabels(
  tree: Tree,
  label: number,
  classes: number,
  treeNo: number,
  loss: 'root' | 'all' = 'root',
): (number | undefined)[] {
  const nodes = preorder(tree);
  return nodes.map((t, i) => {
    if (i === 0) return label;
    if (loss === 'root' || t.label === undefined) return undefined;
    if (!Number.isInteger(t.label) || t.label < 0 || t.label >= classes)
      throw new TreeDataError(
        treeNo,
        `node ${i} (pre-order) has label ${t.label}, outside 0 … ${classes - 1} (${classes} classes)`,
      );
    return t.label;
  });
}
