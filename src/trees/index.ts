// Binary trees: the type, the bracketed text format, shape helpers and generators.
export type { Internal, Leaf, Tree } from './tree.ts';
export { leaf, node, withRootLabel } from './tree.ts';
export {
  type ParseOptions,
  TreeParseError,
  formatTree,
  formatTrees,
  parseTree,
  parseTrees,
} from './parse.ts';
export { type NodeInfo, depths, height, leaves, maxDepth, numberNodes, preorder, size } from './shape.ts';
export { balancedTree, leftChain, randomTree, rightChain, treeWithLeafAtDepth } from './generate.ts';
