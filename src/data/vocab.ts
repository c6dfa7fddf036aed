// A vocabulary built from training trees, and mapping other trees onto it: words seen fewer than
// `minCount` times in training, and words never seen there (dev, test), become `<unk>`, and every
// split counts how many tokens and types that touched. Pure: no Node APIs.
import type { Tree } from '../trees/tree.ts';
import { leaf, node } from '../trees/tree.ts';

/** The word that stands for every word outside the vocabulary: row 0 of E. */
export const UNK = '<unk>';

/** Words (row i of E is word i; `<unk>` is row 0) and their training counts. */
export interface Vocabulary {
  words: string[];
  /** Word → row. */
  index: Map<string, number>;
  /** The smallest count kept: training words seen fewer times map to `<unk>`. */
  minCount: number;
}

/** How many tokens and distinct words (types) of a split there were, and how many became `<unk>`. */
export interface UnknownCount {
  tokens: number;
  unknownTokens: number;
  types: number;
  unknownTypes: number;
}

/** Each word's count over the leaves of `trees` (iterative: deep trees are fine). */
export function wordCounts(trees: Iterable<Tree>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tree of trees) {
    const todo: Tree[] = [tree];
    while (todo.length > 0) {
      const t = todo.pop()!;
      if (t.kind === 'leaf') counts.set(t.word, (counts.get(t.word) ?? 0) + 1);
      else todo.push(t.right, t.left);
    }
  }
  return counts;
}

/**
 * The vocabulary of training trees: `<unk>` first, then every word seen at least `minCount`
 * times (default 1), in code-unit order, so the same trees in any order give the same rows.
 */
export function buildVocabulary(trees: Iterable<Tree>, options: { minCount?: number } = {}): Vocabulary {
  const minCount = options.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1)
    throw new RangeError(`minCount must be a positive integer, got ${minCount}`);
  const kept = [...wordCounts(trees)]
    .filter(([w, n]) => n >= minCount && w !== UNK)
    .map(([w]) => w)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const words = [UNK, ...kept];
  return { words, index: new Map(words.map((w, i) => [w, i])), minCount };
}

/** The same tree with every leaf's word passed through `f` (labels kept; iterative). */
export function mapWords(tree: Tree, f: (word: string) => string): Tree {
  const done: Tree[] = [];
  const todo: { t: Tree; expanded: boolean }[] = [{ t: tree, expanded: false }];
  while (todo.length > 0) {
    const { t, expanded } = todo.pop()!;
    if (t.kind === 'leaf') done.push(leaf(f(t.word), t.label));
    else if (!expanded)
      todo.push({ t, expanded: true }, { t: t.right, expanded: false }, { t: t.left, expanded: false });
    else {
      const right = done.pop()!;
      const l = done.pop()!;
      done.push(node(l, right, t.label));
    }
  }
  return done[0]!;
}

/** Maps a split's trees onto `vocab` (unknown words become `<unk>`), counting what changed. */
export function toVocabulary(
  trees: readonly Tree[],
  vocab: Vocabulary,
): { trees: Tree[]; count: UnknownCount } {
  const counts = wordCounts(trees);
  const count: UnknownCount = { tokens: 0, unknownTokens: 0, types: counts.size, unknownTypes: 0 };
  for (const [w, n] of counts) {
    count.tokens += n;
    if (!vocab.index.has(w) || w === UNK) {
      count.unknownTokens += n;
      count.unknownTypes++;
    }
  }
  const known = (w: string) => (vocab.index.has(w) ? w : UNK);
  return { trees: count.unknownTokens === 0 ? [...trees] : trees.map((t) => mapWords(t, known)), count };
}

/** `12 of 3400 tokens (10 of 900 types)`: a split's unknown words in one phrase. */
export function formatUnknown(c: UnknownCount): string {
  const pct = (a: number, b: number) => `${b === 0 ? 0 : ((100 * a) / b).toFixed(1)}%`;
  return `${c.unknownTokens} of ${c.tokens} tokens (${pct(c.unknownTokens, c.tokens)}), ${c.unknownTypes} of ${c.types} types`;
}
