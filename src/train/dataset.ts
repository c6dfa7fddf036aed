// What training reads: labelled trees in three splits, with each tree's keyword depth, generated
// in memory for a keyword-task dataset (no Node APIs: also used in pages; data folders are read
// by data-dir.ts).
import type { PretrainedRows } from '../data/embeddings.ts';
import { generateKeywordData, type KeywordConfig } from '../data/keyword.ts';
import type { TreebankTree } from '../data/treebank.ts';
import { toVocabulary, type UnknownCount, type Vocabulary } from '../data/vocab.ts';
import { numberNodes } from '../trees/shape.ts';
import type { Tree } from '../trees/tree.ts';

/** One labelled tree; `keywordDepth` is the depth of its keyword leaf (undefined: none, or several). */
export interface Example {
  tree: Tree;
  label: number;
  keywordDepth: number | undefined;
}

/**
 * Where a dataset came from, exactly enough to tell two apart: a generated keyword-task dataset by
 * its generator settings, a data folder by its path and each file's SHA-256. Both give the sizes.
 */
export type DataIdentity = (
  | { kind: 'keyword'; dataset: number; seed: number; nonKeywords: number; keywords: number }
  | { kind: 'folder'; dir: string; files: Record<string, string> }
  | TreebankIdentity
) & { train: number; dev: number; test: number; vocab: number; classes: number };

/**
 * A treebank given as files (`--train F --dev F --test F`): each file's absolute path and SHA-256
 * by role (train, dev, test, and vectors when given), the vocabulary's --min-count and the label
 * list (label i is class i).
 */
export interface TreebankIdentity {
  kind: 'treebank';
  paths: Record<string, string>;
  files: Record<string, string>;
  minCount: number;
  labels: string[];
}

/** A training set: vocabulary (row i of E is word i), classes and three splits. */
export interface Dataset {
  name: string;
  /** What the data is (recorded in checkpoints and result files); absent for ad-hoc sets. */
  identity?: DataIdentity;
  vocab: string[];
  classes: number;
  train: Example[];
  dev: Example[];
  test: Example[];
  /** Pretrained word vectors for some rows of E, copied in after initialisation. */
  pretrained?: PretrainedRows;
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

/** The identity of a generated keyword-task dataset (known without generating it). */
export function keywordIdentity(c: KeywordConfig): DataIdentity {
  return {
    kind: 'keyword',
    dataset: c.dataset,
    seed: c.seed,
    nonKeywords: c.nonKeywords,
    keywords: c.keywords,
    train: c.train,
    dev: c.dev,
    test: c.test,
    vocab: c.nonKeywords + c.keywords,
    classes: c.classes,
  };
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
    identity: keywordIdentity(data.config),
    vocab: data.vocab.words,
    classes: data.vocab.classes,
    train: split(data.train),
    dev: split(data.dev),
    test: split(data.test),
  };
}

/** The three splits of a data set. */
export type Split = 'train' | 'dev' | 'test';

/**
 * A treebank's parsed splits as examples on the training file's vocabulary: words outside it (or
 * under its min-count) become `<unk>`, counted per split; `where(split, line)` names a tree in
 * errors (a root without a label). The same for the command line and the page.
 */
export function treebankExamples(
  parsed: Readonly<Record<Split, readonly TreebankTree[]>>,
  vocab: Vocabulary,
  where: (split: Split, line: number) => string,
): { splits: Record<Split, Example[]>; unknown: Record<Split, UnknownCount> } {
  const splits = {} as Record<Split, Example[]>;
  const unknown = {} as Record<Split, UnknownCount>;
  for (const split of ['train', 'dev', 'test'] as const) {
    const mapped = toVocabulary(
      parsed[split].map((t) => t.tree),
      vocab,
    );
    unknown[split] = mapped.count;
    splits[split] = mapped.trees.map((tree, i) => example(tree, where(split, parsed[split][i]!.line)));
  }
  return { splits, unknown };
}
