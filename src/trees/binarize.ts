// Binarizing n-ary bracketed trees (Penn Treebank style) for the binary cells: a node of n > 2
// children is factored into a chain of binary nodes (left or right), and a chain of one-child
// nodes collapses into one node. Labels are kept as the text's tokens; the new nodes of a
// factoring have no label (written `_`, or omitted before a bracket), so an all-node loss skips
// them; a collapsed chain keeps its topmost label. Pure and iterative (deep trees are fine).
import { isWord, NO_LABEL, type ParseOptions, readBrackets } from './parse.ts';

/** An n-ary tree as the text gives it: labels are the tokens (undefined: none). */
export type NaryTree =
  | { readonly kind: 'leaf'; readonly word: string; readonly label?: string }
  | { readonly kind: 'node'; readonly children: readonly NaryTree[]; readonly label?: string };

/** How an n-ary node becomes binary: `left` groups the first children, (((a b) c) d); `right` the last, (a (b (c d))). */
export type Factor = 'left' | 'right';

/** What binarizing one tree changed. */
export interface BinarizeCounts {
  /** Nodes with more than two children that were factored. */
  factored: number;
  /** Binary nodes added by factoring. */
  added: number;
  /** One-child nodes removed by collapsing chains. */
  collapsed: number;
}

/** Parses one n-ary tree (any number of children, any label token, labels optional). */
export function parseNaryTree(text: string, options: ParseOptions = {}): NaryTree {
  return readBrackets<string, NaryTree>(
    text,
    { ...options, unlabelled: true },
    {
      readLabel: (token) => token,
      word: (word) => ({ kind: 'leaf', word }),
      close(frame, fail) {
        const items = frame.items;
        const only = items[0];
        if (items.length === 1 && only?.bare !== undefined) return withLabel(only.tree, frame.label);
        if (items.length === 0) return fail(frame.column, 'node has no children (or one word for a leaf)');
        return withLabel({ kind: 'node', children: items.map((x) => x.tree) }, frame.label);
      },
    },
  );
}

function withLabel(t: NaryTree, label: string | undefined): NaryTree {
  return label === undefined ? t : { ...t, label };
}

/**
 * The binary form of `tree`: nodes of more than two children factored by `factor`, one-child
 * chains collapsed (the chain's topmost label is kept; a leaf at its bottom keeps its word).
 */
export function binarize(tree: NaryTree, factor: Factor): { tree: NaryTree; counts: BinarizeCounts } {
  const counts: BinarizeCounts = { factored: 0, added: 0, collapsed: 0 };
  // Post-order without recursion: each node is visited after its children have been binarized.
  const done = new Map<NaryTree, NaryTree>();
  const todo: { t: NaryTree; expanded: boolean }[] = [{ t: tree, expanded: false }];
  while (todo.length > 0) {
    const top = todo.pop()!;
    const t = top.t;
    if (t.kind === 'leaf') {
      done.set(t, t);
      continue;
    }
    if (!top.expanded) {
      todo.push({ t, expanded: true });
      for (const c of t.children) todo.push({ t: c, expanded: false });
      continue;
    }
    const kids = t.children.map((c) => done.get(c)!);
    for (const c of t.children) done.delete(c);
    let out: NaryTree;
    if (kids.length === 1) {
      counts.collapsed++;
      const child = kids[0]!;
      out = t.label === undefined ? child : { ...child, label: t.label };
    } else if (kids.length === 2) {
      out = withLabel({ kind: 'node', children: kids }, t.label);
    } else {
      counts.factored++;
      counts.added += kids.length - 2;
      out = factorChildren(kids, factor, t.label);
    }
    done.set(t, out);
  }
  return { tree: done.get(tree)!, counts };
}

/** n ≥ 3 children as binary nodes: the outermost keeps `label`, the new inner ones have none. */
function factorChildren(kids: NaryTree[], factor: Factor, label: string | undefined): NaryTree {
  const pair = (a: NaryTree, b: NaryTree): NaryTree => ({ kind: 'node', children: [a, b] });
  let acc: NaryTree;
  if (factor === 'right') {
    acc = kids[kids.length - 1]!;
    for (let i = kids.length - 2; i >= 1; i--) acc = pair(kids[i]!, acc);
    return withLabel(pair(kids[0]!, acc), label);
  }
  acc = kids[0]!;
  for (let i = 1; i < kids.length - 1; i++) acc = pair(acc, kids[i]!);
  return withLabel(pair(acc, kids[kids.length - 1]!), label);
}

/**
 * Writes an n-ary tree on one line, in the format the parser reads back: a labelled leaf
 * `(LABEL word)`, an unlabelled one as the bare word; an unlabelled node `((…) …)` when its first
 * child is a bracket, else `(_ word …)`.
 */
export function formatNaryTree(tree: NaryTree): string {
  const parts: string[] = [];
  const todo: (NaryTree | string)[] = [tree];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (typeof t === 'string') {
      parts.push(t);
      continue;
    }
    if (t.kind === 'leaf') {
      if (!isWord(t.word)) throw new Error(`cannot write the word ${JSON.stringify(t.word)}`);
      parts.push(t.label === undefined ? t.word : `(${t.label} ${t.word})`);
      continue;
    }
    const first = t.children[0];
    const bareFirst = first?.kind === 'leaf' && first.label === undefined;
    const open = t.label !== undefined ? `(${t.label} ` : bareFirst ? `(${NO_LABEL} ` : '(';
    todo.push(')');
    for (let i = t.children.length - 1; i >= 0; i--) {
      todo.push(t.children[i]!);
      if (i > 0) todo.push(' ');
    }
    todo.push(open);
  }
  return parts.join('');
}
