// The bracketed tree format (docs/model.md, docs/data.md): one tree per line, an internal node is
// `(LABEL LEFT RIGHT)`, a leaf `(LABEL word)` or a bare `word`. Labels are integers unless the
// caller maps label tokens itself (a treebank's string labels); with `unlabelled`, a bracket that
// opens with a bracket, or whose label is `_`, has none. Pure: no Node APIs (the page parses too).
import { type Tree, leaf, node } from './tree.ts';

/** A malformed tree text: `line` and `column` are 1-based; `reason` is the message without the location. */
export class TreeParseError extends Error {
  override name = 'TreeParseError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}:${column}: ${reason}`);
  }
}

/**
 * Where trees come from, for error messages: a file name (default `input`) and the first line's
 * number; `maxNodes` caps the nodes of one tree; `onToken` sees every word and label with its
 * 1-based column, bracket depth (1 = the root's) and line, and may throw (e.g. TreeParseError) to refuse it.
 */
export interface ParseOptions {
  source?: string;
  line?: number;
  maxNodes?: number;
  onToken?(kind: 'word' | 'label', token: string, column: number, depth: number, line: number): void;
  /**
   * Maps a label token to its integer (a treebank's label list); may throw TreeParseError to refuse
   * it. Default: the token must be an integer, and is the label.
   */
  label?(token: string, column: number): number;
  /**
   * Labels are optional: a bracket that opens with a bracket (`((2 It) (3 good))`, the Penn
   * Treebank's unlabelled root) or whose label is `_` (`(_ It good)`) has none. Default: refused.
   */
  unlabelled?: boolean;
  /** Appended to the error for a node that does not have exactly two children (how to binarize). */
  binaryHint?: string;
  /** Blank lines and lines whose first non-blank character is `#` are skipped (parseTrees only). */
  comments?: boolean;
}

/** The label token that means "no label" where labels are optional. */
export const NO_LABEL = '_';

/** An open bracket while it is read: where it is, its label once read, and its children so far. */
export interface Frame<L, T> {
  column: number;
  /** Whether the label's place has been read (a label, `_`, or a bracket where labels are optional). */
  labelRead: boolean;
  label: L | undefined;
  items: Item<T>[];
}

/** A parsed child: a tree, and its word when it was a bare word (so `(LABEL word)` is a leaf). */
export interface Item<T> {
  tree: T;
  bare?: string;
}

/** What a reader builds: how a label token reads, how a bare word and a closed bracket become trees. */
export interface Builder<L, T> {
  readLabel(token: string, column: number, fail: (column: number, reason: string) => never): L;
  word(word: string): T;
  close(frame: Frame<L, T>, fail: (column: number, reason: string) => never): T;
}

const INTEGER = /^-?\d+$/;
/** The characters that end a word: what the parser splits on (a line never holds '\n'). */
const BREAKS = ' \t\r\n()';
const WORD = /^[^ \t\r\n()]+$/;

/** Whether `word` is one word of the format: non-empty, without space, tab, CR, LF or brackets. */
export function isWord(word: string): boolean {
  return WORD.test(word);
}

/** Whether a line holds no tree where `comments` are allowed: blank, or a `#` comment. */
export function isSkippedLine(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

/**
 * Reads one bracketed tree from one line with `build`, left to right, so that the first problem
 * in the text is the one reported. Shared by the binary parser and the n-ary one (binarize.ts).
 */
export function readBrackets<L, T>(text: string, options: ParseOptions, build: Builder<L, T>): T {
  const source = options.source ?? 'input';
  const lineNo = options.line ?? 1;
  const fail = (column: number, reason: string): never => {
    throw new TreeParseError(source, lineNo, column, reason);
  };
  const what = options.label ? 'a label' : 'an integer';
  const missing = `missing label: expected ${what} after '('`;
  const stack: Frame<L, T>[] = [];
  let root: T | undefined;
  let done = false;
  const maxNodes = options.maxNodes ?? Number.POSITIVE_INFINITY;
  let nodes = 0;
  const emit = (item: Item<T>, column: number): void => {
    if (++nodes > maxNodes) fail(column, `the tree has more than ${maxNodes} nodes (the cap on one tree)`);
    const top = stack[stack.length - 1];
    if (top) top.items.push(item);
    else if (done) fail(column, 'unexpected text after the tree (one tree per line)');
    else {
      root = item.tree;
      done = true;
    }
  };
  /** The label's place of the innermost bracket is taken by a bracket: no label, or an error. */
  const noLabel = (top: Frame<L, T> | undefined, column: number): void => {
    if (!top || top.labelRead) return;
    if (!options.unlabelled) fail(column, missing);
    top.labelRead = true;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const column = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      i++;
    } else if (ch === '(') {
      if (stack.length === 0 && done) fail(column, 'unexpected text after the tree (one tree per line)');
      noLabel(stack[stack.length - 1], column);
      stack.push({ column, labelRead: false, label: undefined, items: [] });
      i++;
    } else if (ch === ')') {
      const frame = stack.pop() ?? fail(column, "unbalanced brackets: this ')' has no matching '('");
      noLabel(frame, column);
      emit({ tree: build.close(frame, fail) }, frame.column);
      i++;
    } else {
      let j = i;
      while (j < text.length && !BREAKS.includes(text[j] as string)) j++;
      const token = text.slice(i, j);
      const top = stack[stack.length - 1];
      if (top && !top.labelRead) {
        top.labelRead = true;
        if (!(options.unlabelled && token === NO_LABEL)) {
          top.label = build.readLabel(token, column, fail);
          options.onToken?.('label', token, column, stack.length, lineNo);
        }
      } else {
        options.onToken?.('word', token, column, stack.length, lineNo);
        emit({ tree: build.word(token), bare: token }, column);
      }
      i = j;
    }
  }
  const open = stack[stack.length - 1];
  if (open) {
    const more = stack.length > 1 ? ` (${stack.length} brackets open at the end of the line)` : '';
    fail(open.column, `unbalanced brackets: this '(' is never closed${more}`);
  }
  if (!done) fail(1, 'empty line: expected a tree');
  return root as T;
}

/** An integer label token, as the default format reads it. */
function integerLabel(
  token: string,
  column: number,
  fail: (column: number, reason: string) => never,
): number {
  if (!INTEGER.test(token)) fail(column, `label "${token}" is not an integer`);
  const label = Number(token);
  if (!Number.isSafeInteger(label)) fail(column, `label ${token} is too large`);
  return label + 0; // -0 reads as 0
}

/** Parses one binary tree from one line of text; throws TreeParseError when it is malformed. */
export function parseTree(text: string, options: ParseOptions = {}): Tree {
  const mapped = options.label;
  const hint = options.binaryHint ? `: ${options.binaryHint}` : '';
  return readBrackets<number, Tree>(text, options, {
    readLabel: mapped ? (token, column) => mapped(token, column) : integerLabel,
    word: (word) => leaf(word),
    close(frame, fail) {
      const label = frame.label;
      const [first, second] = frame.items;
      const n = frame.items.length;
      if (n === 1 && first?.bare !== undefined) return leaf(first.bare, label);
      if (n === 2 && first && second) return node(first.tree, second.tree, label);
      if (n === 0) return fail(frame.column, 'node has no children, expected 2 (or one word for a leaf)');
      return fail(frame.column, `node has ${n} ${n === 1 ? 'child' : 'children'}, expected 2${hint}`);
    },
  });
}

/**
 * Parses a file of trees, one per line (a final newline is allowed; blank lines are errors unless
 * `comments`, which skips blank and `#` lines while counting them, so line numbers stay right).
 */
export function parseTrees(text: string, options: ParseOptions = {}): Tree[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return Array.from(parseTreeLines(lines, options), (t) => t.tree);
}

/**
 * parseTrees over lines that arrive one at a time (a file streamed line by line, without its
 * newlines): the same rules and errors, each tree with its line number. Holds no line but the
 * current one (and blank lines before the first tree, to tell an empty file from a blank line).
 */
export function* parseTreeLines(
  lines: Iterable<string>,
  options: ParseOptions = {},
): Generator<{ tree: Tree; line: number }> {
  const source = options.source ?? 'input';
  const first = options.line ?? 1;
  let trees = 0;
  // A blank line before any tree is an error only if a tree follows: else the file is empty.
  let blank: { text: string; line: number } | undefined;
  let k = 0;
  for (const text of lines) {
    const line = first + k++;
    if (options.comments && isSkippedLine(text)) continue;
    if (trees === 0 && text.trim() === '') {
      blank ??= { text, line };
      continue;
    }
    if (blank) parseTree(blank.text, { ...options, source, line: blank.line });
    yield { tree: parseTree(text, { ...options, source, line }), line };
    trees++;
  }
  if (trees === 0) throw new TreeParseError(source, first, 1, 'empty file: expected one tree per line');
}

/** Writes a tree on one line; an unlabelled internal node is written with `defaultLabel` (default 0). */
export function formatTree(tree: Tree, options: { defaultLabel?: number } = {}): string {
  const fallback = options.defaultLabel ?? 0;
  const parts: string[] = [];
  const todo: (Tree | string)[] = [tree];
  while (todo.length > 0) {
    const t = todo.pop() as Tree | string;
    if (typeof t === 'string') parts.push(t);
    else if (t.kind === 'leaf') {
      if (!isWord(t.word))
        throw new Error(
          `cannot write the word ${JSON.stringify(t.word)}: words have no spaces, tabs, line breaks or brackets`,
        );
      parts.push(t.label === undefined ? t.word : `(${t.label} ${t.word})`);
    } else todo.push(')', t.right, ' ', t.left, `(${t.label ?? fallback} `);
  }
  return parts.join('');
}

/** Writes trees one per line, with a final newline. */
export function formatTrees(trees: readonly Tree[], options: { defaultLabel?: number } = {}): string {
  return trees.map((t) => formatTree(t, options) + '\n').join('');
}
