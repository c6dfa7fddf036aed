/** A binary tree node: a leaf holds a word, an internal node exactly two children. */
export type Tree = Leaf | Internal;

/** A leaf: one word; `label` is the integer label when the text gave one. */
export interface Leaf {
  readonly kind: 'leaf';
  readonly word: string;
  readonly label?: number;
}

/** An internal node with exactly two children, left then right. */
export interface Internal {
  readonly kind: 'node';
  readonly left: Tree;
  readonly right: Tree;
  readonly label?: number;
}

/** Makes a leaf; the label is omitted when undefined. */
export function leaf(word: string, label?: number): Leaf {
  return label === undefined ? { kind: 'leaf', word } : { kind: 'leaf', word, label };
}

/** Makes an internal node; the label is omitted when undefined. */
export function node(left: Tree, right: Tree, label?: number): Internal {
  return label === undefined ? { kind: 'node', left, right } : { kind: 'node', left, right, label };
}

/** The same tree with the root's label replaced (the keyword task's class lives on the root). */
export function withRootLabel(tree: Tree, label: number): Tree {
  return tree.kind === 'leaf' ? leaf(tree.word, label) : node(tree.left, tree.right, label);
}
