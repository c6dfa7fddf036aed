// What the page computes, read from its form: trees, cell, hidden size, seed and classes, checked
// with messages a reader can act on; and the generators that fill the tree box.
// (Browser code: it imports modules, not the index files of src/data and src/params, which also
// export Node file I/O.)
import { generateSentence, keywordVocab } from '../data/keyword.ts';
import type { Params } from '../params/params.ts';
import { type Cell, isCell } from '../params/shapes.ts';
import { Rng } from '../rng/index.ts';
import {
  type NodeInfo,
  type Tree,
  TreeParseError,
  balancedTree,
  formatTrees,
  leaves,
  leftChain,
  numberNodes,
  parseTrees,
  randomTree,
  rightChain,
  withRootLabel,
} from '../trees/index.ts';

/** The most nodes (over all trees) the page computes and draws, so a CPU adapter stays responsive. */
export const MAX_NODES = 2000;
/** Hidden sizes the engine supports. */
export const MAX_DIM = 512;
/** Classes when no label asks for more (the keyword task's C). */
export const DEFAULT_CLASSES = 5;

/** A checked request: trees with their pre-order numbering, root labels and model settings. */
export interface PageRequest {
  text: string;
  trees: Tree[];
  infos: NodeInfo[][];
  labels: number[];
  vocab: string[];
  cell: Cell;
  dim: number;
  seed: number;
  classes: number;
  /** Whether to run the Float64 reference too. */
  compare: boolean;
}

/** Bad input, with the message to show; `line`/`column` (1-based) point into the tree box when known. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** The raw form values (strings as typed), as main.ts reads them from the page. */
export interface FormValues {
  text: string;
  cell: string;
  dim: string;
  seed: string;
  classes: string;
  compare: boolean;
}

/** An integer field in [min, max]; throws InputError naming the field. */
export function intField(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${name} must be a whole number from ${min} to ${max} (got "${raw.trim()}")`);
  }
  return value;
}

/** Sorted distinct leaf words of the trees (code-unit order): row i of E is word i. */
export function treeVocab(trees: readonly Tree[]): string[] {
  return [...new Set(trees.flatMap(leaves))].sort();
}

/** Classes for these labels when the field is blank: the default, or the largest label + 1. */
export function autoClasses(labels: readonly number[]): number {
  return Math.max(DEFAULT_CLASSES, ...labels.map((l) => l + 1));
}

/**
 * Checks the form and parses the trees. Throws InputError (with the TreeParseError's line and
 * column for a malformed tree), never anything else for bad input.
 */
export function readRequest(form: FormValues): PageRequest {
  if (!isCell(form.cell)) throw new InputError(`unknown cell "${form.cell}"`);
  const dim = intField('d', form.dim, 1, MAX_DIM);
  const seed = intField('init seed', form.seed, 0, Number.MAX_SAFE_INTEGER);
  const text = form.text.replace(/\s+$/, '');
  let trees: Tree[];
  try {
    trees = parseTrees(text, { source: 'trees' });
  } catch (error) {
    if (error instanceof TreeParseError) throw new InputError(error.message, error.line, error.column);
    throw error;
  }
  const infos = trees.map(numberNodes);
  const total = infos.reduce((sum, nodes) => sum + nodes.length, 0);
  if (total > MAX_NODES) {
    throw new InputError(
      `${total} nodes: this page computes at most ${MAX_NODES} nodes so that it stays responsive on a ` +
        'CPU adapter; use fewer or smaller trees, or `treegrad grad --device gpu` for big inputs',
    );
  }
  const labels = trees.map((t) => t.label ?? 0);
  const bad = labels.findIndex((l) => l < 0);
  if (bad >= 0)
    throw new InputError(`line ${bad + 1}: the root label ${labels[bad]} is negative`, bad + 1, 1);
  const needed = autoClasses(labels);
  const classes = form.classes.trim() === '' ? needed : intField('classes', form.classes, 1, 1000);
  const over = labels.findIndex((l) => l >= classes);
  if (over >= 0) {
    throw new InputError(
      `line ${over + 1}: the root label ${labels[over]} needs at least ${labels[over]! + 1} classes, not ${classes}`,
      over + 1,
      1,
    );
  }
  return {
    text,
    trees,
    infos,
    labels,
    vocab: treeVocab(trees),
    cell: form.cell,
    dim,
    seed,
    classes,
    compare: form.compare,
  };
}

/** Keyword-task sentences (model.md): the first `count` training sentences of dataset `dataset` with `seed`. */
export function keywordTrees(dataset: number, seed: number, count: number): string {
  const vocab = keywordVocab(100, 10, DEFAULT_CLASSES);
  const rng = Rng.fromSeed(seed, dataset);
  const trees = Array.from({ length: count }, () => generateSentence(rng, dataset, vocab).tree);
  return formatTrees(trees);
}

/** Tree shapes the page can generate. */
export const SHAPES = ['balanced', 'left', 'right', 'random'] as const;
/** One of SHAPES. */
export type Shape = (typeof SHAPES)[number];

/**
 * A tree of `n` leaves w0 … w(n−1) of the given shape with the keyword k0 (class 0) at its deepest
 * leaf (the leftmost of the deepest), so the ratio shows the longest path; `seed` shapes a random tree.
 */
export function shapeTree(shape: Shape, n: number, seed: number): string {
  const build = (words: string[]): Tree => {
    if (shape === 'balanced') return balancedTree(words);
    if (shape === 'left') return leftChain(words);
    if (shape === 'right') return rightChain(words);
    return randomTree(words, Rng.fromSeed(seed));
  };
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  const leafDepths = numberNodes(build(words)).filter((info) => info.node.kind === 'leaf');
  const deepest = Math.max(...leafDepths.map((info) => info.depth));
  words[leafDepths.findIndex((info) => info.depth === deepest)] = 'k0';
  return formatTrees([withRootLabel(build(words), 0)]);
}

/**
 * The request with loaded parameters: their cell, d, classes and vocabulary. Every word of the
 * trees must be in that vocabulary and every label below its classes (InputError at the line).
 */
export function withParams(request: PageRequest, params: Params, source: string): PageRequest {
  const known = new Set(params.vocab);
  request.trees.forEach((tree, t) => {
    const word = leaves(tree).find((w) => !known.has(w));
    if (word !== undefined)
      throw new InputError(
        `line ${t + 1}: the word "${word}" is not in the vocabulary of ${source} (${params.vocab.length} words)`,
        t + 1,
        1,
      );
    const label = request.labels[t]!;
    if (label >= params.classes)
      throw new InputError(
        `line ${t + 1}: the root label ${label} needs ${label + 1} classes; ${source} has ${params.classes}`,
        t + 1,
        1,
      );
  });
  return {
    ...request,
    cell: params.cell,
    dim: params.dim,
    classes: params.classes,
    vocab: [...params.vocab],
  };
}
