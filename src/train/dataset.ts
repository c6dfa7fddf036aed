// What training reads: labelled trees in three splits, with each tree's keyword depth, generated
// in memory for a keyword-task dataset (no Node APIs: also used in pages; data folders are read
// by data-dir.ts).
import { generateKeywordData, type KeywordConfig } from '../data/keyword.ts';
import { numberNodes } from '../trees/shape.ts';
import type { Tree } from '../trees/tree.ts';

/** One labelled tree; `keywordDepth` is the depth of its keyword leaf (undefined: none, or several). */
export interface Example {
  tree: Tree;
  label: number;
  keywordDepth: number | undefined;
}

/** A training set: vocabulary (row i of E is word i), classes and three splits. */
export interface Dataset {
  name: string;
  vocab: string[];
  classes: number;
  train: Example[];
  dev: Example[];
  test: Example[];
}

const KEYWORD = /^k\d+$/;

/** Depth of the tree's single keyword leaf (`k` + digits), or undefined. */
export function keywordDepth(tree: Tree): number | undefined {
  const found = numberNodes(tree).filter((n) => n.node.kind === 'leaf' && KEYWORD.test(n.node.word));
  return found.length === 1 ? found[0]!.depth : undefined;
}

/** An example from a parsed tree whose root label is the class. */
export function example(tree: Tree, where: string): Example {
  if (tree.label === undefined) throw new Error(`${where}: the root has no label (the class)`);
  return { tree, label: tree.label, keywordDepth: keywordDepth(tree) };
}

/** Generates keyword-task dataset `dataset` (1–10) in memory, with optional smaller splits. */
export function keywordDataset(
  options: Partial<KeywordConfig> & Pick<KeywordConfig, 'dataset' | 'seed'>,
): Dataset {
  const data = generateKeywordData(options);
  const split = (s: typeof data.train) =>
    s.map((x) => ({ tree: x.tree, label: x.label, keywordDepth: x.keywordDepth }));
  return {
    name: `dataset ${options.dataset}`,
    vocab: data.vocab.words,
    classes: data.vocab.classes,
    train: split(data.train),
    dev: split(data.dev),
    test: split(data.test),
  };
}
