// A treebank in the bracketed format (Stanford Sentiment Treebank style, docs/data.md): a tree per
// line, a label on any node, the root's label the sentence's class; labels are tokens mapped to
// classes through a label list, given or collected from the training file. Pure: no Node APIs
// (src/train/data-dir.ts reads the files).
import { CAPS } from '../engine/limits.ts';
import { isSkippedLine, isWord, parseTree, TreeParseError } from '../trees/parse.ts';
import type { Tree } from '../trees/tree.ts';

/** What the parser says about a node that is not binary. */
export const BINARIZE_HINT = 'binarize the file first: treegrad binarize --factor left|right IN OUT';

/** Where a label list came from: given by the user, or collected from the training file. */
export type LabelOrigin = 'given' | 'integers' | 'sorted';

/** The classes: label i is class i. */
export interface LabelList {
  labels: string[];
  origin: LabelOrigin;
}

/** One tree of a split and its line in the file. */
export interface TreebankTree {
  tree: Tree;
  line: number;
}

/** The error of a label list: `line` is set for the one-per-line form (the caller names the flag or file). */
export class LabelListError extends Error {
  override name = 'LabelListError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * A label list from text: comma-separated (`neg,neutral,pos`) or one label per line (blank and
 * `#` lines skipped). Each label is a word of the format, none twice, at least two.
 */
export function parseLabelList(text: string): string[] {
  const byLine = text.includes('\n');
  const parts = (byLine ? text.split('\n') : text.split(','))
    .map((p, k) => ({ label: p.trim(), line: byLine ? k + 1 : undefined }))
    .filter((p) => !(byLine && isSkippedLine(p.label)));
  const labels = parts.map((p) => p.label);
  const seen = new Set<string>();
  for (const { label: l, line } of parts) {
    if (!isWord(l) || l === '_')
      throw new LabelListError(
        `${JSON.stringify(l)} is not a label (a label has no spaces or brackets, and is not _)`,
        line,
      );
    if (seen.has(l)) throw new LabelListError(`the label "${l}" is listed twice`, line);
    seen.add(l);
  }
  if (labels.length < 2)
    throw new LabelListError(`a label list needs at least two labels, got ${labels.length}`);
  if (labels.length > CAPS.classes)
    throw new LabelListError(`${labels.length} labels, over the cap of ${CAPS.classes} classes`);
  return labels;
}

const CANONICAL_INTEGER = /^(0|[1-9]\d*)$/;

/**
 * A treebank split: its whole text, or its lines without the newlines (a file streamed line by line,
 * e.g. by `readLines` in Node).
 */
export type TreebankText = string | Iterable<string>;

/** The lines of a split (a final newline ends the last line, as in a file). */
function linesOf(text: TreebankText): Iterable<string> {
  if (typeof text !== 'string') return text;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Reads the trees of `text` (one per line, blank and # lines skipped), labels through `label`. */
function readTrees(
  text: TreebankText,
  source: string,
  label: (token: string, line: number, column: number) => number,
): TreebankTree[] {
  const out: TreebankTree[] = [];
  let k = -1;
  for (const line of linesOf(text)) {
    k++;
    if (isSkippedLine(line)) continue;
    if (out.length >= CAPS.trees)
      throw new TreeParseError(source, k + 1, 1, `more than ${CAPS.trees} trees, the cap on one split`);
    const tree = parseTree(line, {
      source,
      line: k + 1,
      maxNodes: CAPS.treeNodes,
      unlabelled: true,
      binaryHint: BINARIZE_HINT,
      label: (token, column) => label(token, k + 1, column),
    });
    if (tree.label === undefined)
      throw new TreeParseError(
        source,
        k + 1,
        line.search(/\S/) + 1,
        "the root has no label (the sentence's class)",
      );
    out.push({ tree, line: k + 1 });
  }
  if (out.length === 0) throw new TreeParseError(source, 1, 1, 'no trees: expected one tree per line');
  return out;
}

/**
 * The label list of a training file: when every label is a non-negative integer (SST's 0 … 4),
 * class = the integer and the classes are 0 … the largest; otherwise the distinct labels in
 * code-unit order (so the order of the file does not matter). Errors are located.
 */
export function collectLabels(text: TreebankText, source: string): LabelList {
  const seen = new Map<string, { line: number; column: number }>();
  readTrees(text, source, (token, line, column) => {
    if (!seen.has(token)) seen.set(token, { line, column });
    return 0;
  });
  const tokens = [...seen.keys()];
  if (tokens.every((t) => CANONICAL_INTEGER.test(t))) {
    let top = '0';
    for (const t of tokens) if (Number(t) > Number(top)) top = t;
    if (Number(top) >= CAPS.classes) {
      const at = seen.get(top)!;
      throw new TreeParseError(
        source,
        at.line,
        at.column,
        `label ${top} would make ${top}+1 classes, over the cap of ${CAPS.classes}: give --labels`,
      );
    }
    return { labels: Array.from({ length: Number(top) + 1 }, (_, i) => String(i)), origin: 'integers' };
  }
  if (tokens.length > CAPS.classes) {
    const at = seen.get(tokens[CAPS.classes]!)!;
    throw new TreeParseError(source, at.line, at.column, `more than ${CAPS.classes} distinct labels`);
  }
  return { labels: tokens.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), origin: 'sorted' };
}

/**
 * Parses one split of a treebank: every label must be one of `labels` (class = its index), the
 * root must have one; blank and `#` lines are skipped; every error names source:line:column.
 */
export function parseTreebank(text: TreebankText, source: string, labels: LabelList): TreebankTree[] {
  const index = new Map(labels.labels.map((l, i) => [l, i]));
  const where = labels.origin === 'given' ? 'the label list' : 'the training file';
  const shown = labels.labels.length <= 12 ? `: ${labels.labels.join(' ')}` : '';
  return readTrees(text, source, (token, line, column) => {
    const k = index.get(token);
    if (k === undefined)
      throw new TreeParseError(
        source,
        line,
        column,
        `label "${token}" is not in ${where} (${labels.labels.length} labels${shown})`,
      );
    return k;
  });
}
