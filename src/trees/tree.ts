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
