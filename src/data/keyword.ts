// The keyword task (docs/model.md, our reconstruction of Le & Zuidema 2016): each sentence holds one
// keyword at a uniform position among uniform non-keywords; its class is the keyword's class; the
// tree is a random uniform-split binary tree over the words.
import { Rng } from '../rng/index.ts';
import { randomTree } from '../trees/generate.ts';
import { numberNodes } from '../trees/shape.ts';
import { type Tree, withRootLabel } from '../trees/tree.ts';

/** Everything that defines a generated dataset; every number but `dataset` and `seed` has model.md's default. */
export interface KeywordConfig {
  /** Dataset i = 1 … 10: sentence lengths uniform in [10i − 9, 10i]. */
  dataset: number;
  seed: number;
  /** Non-keywords w0 … w(N−1), default 100. */
  nonKeywords: number;
  /** Keywords k0 … k(K−1), default 10. */
  keywords: number;
  /** Classes C, default 5; keyword kj has class j mod C. */
  classes: number;
  /** Split sizes, default 10,000 / 1,000 / 1,000. */
  train: number;
  dev: number;
  test: number;
}

/** model.md's defaults for everything except dataset and seed. */
export const KEYWORD_DEFAULTS = {
  nonKeywords: 100,
  keywords: 10,
  classes: 5,
  train: 10_000,
  dev: 1_000,
  test: 1_000,
};

/** The task's vocabulary: all words (non-keywords then keywords), the keywords and each keyword's class. */
export interface KeywordVocab {
  words: string[];
  keywords: string[];
  keywordClasses: number[];
  classes: number;
}

/** One generated sentence with its tree (root label = class) and where its keyword landed. */
export interface Sentence {
  words: string[];
  label: number;
  keyword: string;
  /** 0-based position of the keyword among the words. */
  position: number;
  /** Depth of the keyword leaf in the tree (edges from the root). */
  keywordDepth: number;
  tree: Tree;
}

/** A generated dataset: its config, vocabulary and the three splits. */
export interface KeywordData {
  config: KeywordConfig;
  vocab: KeywordVocab;
  train: Sentence[];
  dev: Sentence[];
  test: Sentence[];
}

/** The sentence-length range [10i − 9, 10i] of dataset i. */
export function lengthRange(dataset: number): [number, number] {
  return [10 * dataset - 9, 10 * dataset];
}

/** The vocabulary: w0 … w(N−1), k0 … k(K−1), class of kj = j mod C. */
export function keywordVocab(nonKeywords: number, keywords: number, classes: number): KeywordVocab {
  const ks = Array.from({ length: keywords }, (_, j) => `k${j}`);
  return {
    words: [...Array.from({ length: nonKeywords }, (_, j) => `w${j}`), ...ks],
    keywords: ks,
    keywordClasses: ks.map((_, j) => j % classes),
    classes,
  };
}

/**
 * One sentence. Draws, in order: length, keyword position, keyword, each other word left to right,
 * then the tree's splits (recursive uniform split, left subtree first).
 */
export function generateSentence(rng: Rng, dataset: number, vocab: KeywordVocab): Sentence {
  const [lo, hi] = lengthRange(dataset);
  const length = rng.uniformInt(lo, hi);
  const position = rng.uniformInt(0, length - 1);
  const k = rng.uniformInt(0, vocab.keywords.length - 1);
  const keyword = vocab.keywords[k] as string;
  const label = vocab.keywordClasses[k] as number;
  const nonKeywords = vocab.words.length - vocab.keywords.length;
  const words = Array.from({ length }, (_, i) =>
    i === position ? keyword : `w${rng.uniformInt(0, nonKeywords - 1)}`,
  );
  const tree = withRootLabel(randomTree(words, rng), label);
  const leafDepths = numberNodes(tree).filter((n) => n.node.kind === 'leaf');
  const keywordDepth = (leafDepths[position] as { depth: number }).depth;
  return { words, label, keyword, position, keywordDepth, tree };
}

/** Checks a config's numbers; throws RangeError naming the first bad one. */
export function checkKeywordConfig(config: KeywordConfig): void {
  const need = (name: keyof KeywordConfig, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = config[name];
    if (!Number.isInteger(v) || v < min || v > max)
      throw new RangeError(`${name} must be an integer in ${min} … ${max}, got ${v}`);
  };
  need('dataset', 1, 10);
  need('seed', 0);
  need('nonKeywords', 1);
  need('keywords', 1);
  need('classes', 1);
  need('train', 0);
  need('dev', 0);
  need('test', 0);
}

/**
 * Generates a whole dataset, reproducibly: Rng.fromSeed(seed, dataset) draws train, then dev, then
 * test sentences, so the same (seed, dataset) always gives the same data and datasets are independent.
 */
export function generateKeywordData(
  options: Partial<KeywordConfig> & Pick<KeywordConfig, 'dataset' | 'seed'>,
): KeywordData {
  const config: KeywordConfig = { ...KEYWORD_DEFAULTS, ...options };
  checkKeywordConfig(config);
  const vocab = keywordVocab(config.nonKeywords, config.keywords, config.classes);
  const rng = Rng.fromSeed(config.seed, config.dataset);
  const split = (n: number) => Array.from({ length: n }, () => generateSentence(rng, config.dataset, vocab));
  const train = split(config.train);
  const dev = split(config.dev);
  const test = split(config.test);
  return { config, vocab, train, dev, test };
}
