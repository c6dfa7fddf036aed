// The bracketed tree format (docs/model.md): one tree per line, an internal node is
// `(LABEL LEFT RIGHT)`, a leaf `(LABEL word)` or a bare `word`, labels are integers.
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
 * 1-based column and bracket depth (1 = the root's), and may throw (e.g. TreeParseError) to refuse it.
 */
export interface ParseOptions {
  source?: string;
  line?: number;
  maxNodes?: number;
  onToken?(kind: 'word' | 'label', token: string, column: number, depth: number): void;
}

/** An open bracket: where it is, its label once read, and the children read so far. */
interface Frame {
  column: number;
  label: number | undefined;
  items: Item[];
}

/** A parsed child: a tree, and its word when it was a bare word (so `(LABEL word)` is a leaf). */
interface Item {
  tree: Tree;
  bare?: string;
}

const INTEGER = /^-?\d+$/;
/** The characters that end a word: what the parser splits on (a line never holds '\n'). */
const BREAKS = ' \t\r\n()';
const WORD = /^[^ \t\r\n()]+$/;

/** Whether `word` is one word of the format: non-empty, without space, tab, CR, LF or brackets. */
export function isWord(word: string): boolean {
  return WORD.test(word);
}

/** Parses one tree from one line of text; throws TreeParseError when it is malformed. */
export function parseTree(text: string, options: ParseOptions = {}): Tree {
  const source = options.source ?? 'input';
  const lineNo = options.line ?? 1;
  const fail = (column: number, reason: string): never => {
    throw new TreeParseError(source, lineNo, column, reason);
  };
  const stack: Frame[] = [];
  let root: Tree | undefined;
  const maxNodes = options.maxNodes ?? Number.POSITIVE_INFINITY;
  let nodes = 0;
  const emit = (item: Item, column: number): void => {
    if (++nodes > maxNodes) fail(column, `the tree has more than ${maxNodes} nodes (the cap on one tree)`);
    const top = stack[stack.length - 1];
    if (top) top.items.push(item);
    else if (root !== undefined) fail(column, 'unexpected text after the tree (one tree per line)');
    else root = item.tree;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const column = i + 1;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      i++;
    } else if (ch === '(') {
      if (stack.length === 0 && root !== undefined)
        fail(column, 'unexpected text after the tree (one tree per line)');
      const top = stack[stack.length - 1];
      if (top && top.label === undefined) fail(column, "missing label: expected an integer after '('");
      stack.push({ column, label: undefined, items: [] });
      i++;
    } else if (ch === ')') {
      const frame = stack.pop() ?? fail(column, "unbalanced brackets: this ')' has no matching '('");
      if (frame.label === undefined) fail(column, "missing label: expected an integer after '('");
      emit(close(frame, fail), frame.column);
      i++;
    } else {
      let j = i;
      while (j < text.length && !BREAKS.includes(text[j] as string)) j++;
      const token = text.slice(i, j);
      const top = stack[stack.length - 1];
      if (top && top.label === undefined) {
        if (!INTEGER.test(token)) fail(column, `label "${token}" is not an integer`);
        const label = Number(token);
        if (!Number.isSafeInteger(label)) fail(column, `label ${token} is too large`);
        top.label = label + 0; // -0 reads as 0
        options.onToken?.('label', token, column, stack.length);
      } else {
        options.onToken?.('word', token, column, stack.length);
        emit({ tree: leaf(token), bare: token }, column);
      }
      i = j;
    }
  }
  const open = stack[stack.length - 1];
  if (open) {
    const more = stack.length > 1 ? ` (${stack.length} brackets open at the end of the line)` : '';
    fail(open.column, `unbalanced brackets: this '(' is never closed${more}`);
  }
  return root ?? fail(1, 'empty line: expected a tree');
}

/** Turns a closed bracket into a leaf (one bare word) or an internal node (two children). */
function close(frame: Frame, fail: (column: number, reason: string) => never): Item {
  const label = frame.label as number;
  const [first, second] = frame.items;
  const n = frame.items.length;
  if (n === 1 && first?.bare !== undefined) return { tree: leaf(first.bare, label) };
  if (n === 2 && first && second) return { tree: node(first.tree, second.tree, label) };
  if (n === 0) return fail(frame.column, 'node has no children, expected 2 (or one word for a leaf)');
  return fail(frame.column, `node has ${n} ${n === 1 ? 'child' : 'children'}, expected 2`);
}

/** Parses a file of trees, one per line (a final newline is allowed; blank lines are errors). */
export function parseTrees(text: string, options: ParseOptions = {}): Tree[] {
  const source = options.source ?? 'input';
  const first = options.line ?? 1;
  if (text.trim() === '')
    throw new TreeParseError(source, first, 1, 'empty file: expected one tree per line');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line, k) => parseTree(line, { ...options, source, line: first + k }));
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
