// Level-major numbering of a minibatch of trees: pure index arrays for the GPU kernels.
//
// Row rule: rows are sorted by (height, tree, left-to-right). All leaves come first (height 0),
// then every node of height 1, and so on; inside one height, tree 0's nodes, then tree 1's, …;
// inside one tree and height, left to right (= pre-order, since nodes of equal height are never
// ancestors of one another). So a level is one contiguous row range, and so is "tree t, level h".
import type { Tree } from '../trees/tree.ts';
import { flattenPreorder } from './traverse.ts';

/** Index arrays for one minibatch in level-major row order (all Int32Array; −1 means none). */
export interface LevelPlan {
  /** Number of trees in the minibatch. */
  readonly numTrees: number;
  /** Total nodes = numLeaves + numInternal = number of rows. */
  readonly numNodes: number;
  /** Leaves; they are rows [0, numLeaves). */
  readonly numLeaves: number;
  /** Internal nodes; they are rows [numLeaves, numNodes). */
  readonly numInternal: number;
  /** Max tree height + 1 (level 0 = leaves). */
  readonly numLevels: number;
  /** Vocabulary size the word indices were checked against; wordOffsets has vocabSize + 1 entries. */
  readonly vocabSize: number;
  /** [numLevels + 1]: level (= height) l is rows [levelStart[l], levelStart[l+1]). */
  readonly levelStart: Int32Array;
  /** [numInternal * 2]: internal row r has left child children[2(r−numLeaves)], right at +1. */
  readonly children: Int32Array;
  /** [numNodes]: parent row, −1 for a root. */
  readonly parent: Int32Array;
  /** [numTrees]: row of each tree's root (a leaf row for a one-leaf tree). */
  readonly roots: Int32Array;
  /** [numNodes]: tree index of each row. */
  readonly treeOfRow: Int32Array;
  /** [numNodes]: height of each row (0 for leaves); equals the level the row lies in. */
  readonly heightOfRow: Int32Array;
  /** [numNodes]: depth of each row, edges from its root. */
  readonly depthOfRow: Int32Array;
  /** [numLeaves]: vocabulary row of each leaf row. */
  readonly leafWords: Int32Array;
  /** [vocabSize + 1]: CSR offsets; word w's leaves are wordLeaves[wordOffsets[w] .. wordOffsets[w+1]). */
  readonly wordOffsets: Int32Array;
  /** [numLeaves]: leaf rows grouped by ascending word, ascending row inside a word (fixed sum order). */
  readonly wordLeaves: Int32Array;
  /** [numTrees + 1]: tree t's block in the concatenated pre-order is [preorderOffset[t], preorderOffset[t+1]). */
  readonly preorderOffset: Int32Array;
  /** [numNodes]: row of pre-order node i of tree t at index preorderOffset[t] + i. */
  readonly rowOfPreorder: Int32Array;
  /** [numNodes]: inverse of rowOfPreorder, a row's position in the concatenated pre-order. */
  readonly preorderOfRow: Int32Array;
  /** [numTrees]: height of each tree (its root's height). */
  readonly treeHeight: Int32Array;
  /** [numTrees + 1]: tree t's per-level entries are treeLevelOffset[t] + h for h = 0 … treeHeight[t]. */
  readonly treeLevelOffset: Int32Array;
  /** [treeLevelOffset[numTrees]]: first row of tree t at height h (index treeLevelOffset[t] + h). */
  readonly treeLevelStart: Int32Array;
  /** [treeLevelOffset[numTrees]]: row count of tree t at height h (≥ 1 for every h ≤ treeHeight[t]). */
  readonly treeLevelCount: Int32Array;
}

/**
 * Plan a minibatch: number every node level-major (see the row rule at the top of this file) and
 * build the index arrays the kernels and the scheduler read. `wordIndex` maps a leaf word to its
 * vocabulary row in [0, vocabSize) and may throw for unknown words (the error propagates).
 * Iterative throughout, so very deep trees are fine. Throws an Error naming the tree index for an
 * empty forest, a malformed node, or a word index out of range.
 */
export function planLevels(
  trees: readonly Tree[],
  wordIndex: (word: string, tree: number) => number,
  vocabSize: number,
): LevelPlan {
  if (!Number.isInteger(vocabSize) || vocabSize < 0) {
    throw new Error(`planLevels: vocabSize must be a non-negative integer, got ${vocabSize}`);
  }
  const pre = flattenPreorder(trees, wordIndex, vocabSize);
  const numTrees = trees.length;
  const numNodes = pre.parent.length;

  // Per-tree heights and the compact (tree, height) table.
  const treeHeight = new Int32Array(numTrees);
  const treeLevelOffset = new Int32Array(numTrees + 1);
  let maxHeight = 0;
  for (let t = 0; t < numTrees; t++) {
    const h = pre.height[pre.offset[t]!]!;
    treeHeight[t] = h;
    treeLevelOffset[t + 1] = treeLevelOffset[t]! + h + 1;
    if (h > maxHeight) maxHeight = h;
  }
  const numLevels = maxHeight + 1;
  const treeLevelCount = new Int32Array(treeLevelOffset[numTrees]!);
  const levelCount = new Int32Array(numLevels);
  for (let i = 0; i < numNodes; i++) {
    const h = pre.height[i]!;
    treeLevelCount[treeLevelOffset[pre.tree[i]!]! + h]!++;
    levelCount[h]!++;
  }
  const levelStart = new Int32Array(numLevels + 1);
  for (let h = 0; h < numLevels; h++) levelStart[h + 1] = levelStart[h]! + levelCount[h]!;

  // Inside each level, trees follow one another in order.
  const treeLevelStart = new Int32Array(treeLevelCount.length);
  const levelCursor = levelStart.slice(0, numLevels);
  for (let t = 0; t < numTrees; t++) {
    for (let h = 0; h <= treeHeight[t]!; h++) {
      const k = treeLevelOffset[t]! + h;
      treeLevelStart[k] = levelCursor[h]!;
      levelCursor[h]! += treeLevelCount[k]!;
    }
  }

  // Rows: walking pre-order, each node takes the next free row of its (tree, height) range.
  const rowOfPreorder = new Int32Array(numNodes);
  const preorderOfRow = new Int32Array(numNodes);
  const rowCursor = treeLevelStart.slice();
  for (let i = 0; i < numNodes; i++) {
    const row = rowCursor[treeLevelOffset[pre.tree[i]!]! + pre.height[i]!]!++;
    rowOfPreorder[i] = row;
    preorderOfRow[row] = i;
  }

  const numLeaves = levelCount[0]!;
  const numInternal = numNodes - numLeaves;
  const parent = new Int32Array(numNodes);
  const treeOfRow = new Int32Array(numNodes);
  const heightOfRow = new Int32Array(numNodes);
  const depthOfRow = new Int32Array(numNodes);
  const children = new Int32Array(numInternal * 2);
  const leafWords = new Int32Array(numLeaves);
  for (let row = 0; row < numNodes; row++) {
    const i = preorderOfRow[row]!;
    const p = pre.parent[i]!;
    parent[row] = p >= 0 ? rowOfPreorder[p]! : -1;
    treeOfRow[row] = pre.tree[i]!;
    heightOfRow[row] = pre.height[i]!;
    depthOfRow[row] = pre.depth[i]!;
    if (row < numLeaves) {
      leafWords[row] = pre.word[i]!;
    } else {
      const k = 2 * (row - numLeaves);
      children[k] = rowOfPreorder[pre.child[2 * i]!]!;
      children[k + 1] = rowOfPreorder[pre.child[2 * i + 1]!]!;
    }
  }
  const roots = new Int32Array(numTrees);
  for (let t = 0; t < numTrees; t++) roots[t] = rowOfPreorder[pre.offset[t]!]!;

  const { wordOffsets, wordLeaves } = wordToLeaves(leafWords, vocabSize);
  return {
    numTrees,
    numNodes,
    numLeaves,
    numInternal,
    numLevels,
    vocabSize,
    levelStart,
    children,
    parent,
    roots,
    treeOfRow,
    heightOfRow,
    depthOfRow,
    leafWords,
    wordOffsets,
    wordLeaves,
    preorderOffset: pre.offset,
    rowOfPreorder,
    preorderOfRow,
    treeHeight,
    treeLevelOffset,
    treeLevelStart,
    treeLevelCount,
  };
}

/** CSR word → leaf rows by counting sort: ascending word, ascending row within a word. */
function wordToLeaves(
  leafWords: Int32Array,
  vocabSize: number,
): { wordOffsets: Int32Array; wordLeaves: Int32Array } {
  const wordOffsets = new Int32Array(vocabSize + 1);
  for (const w of leafWords) wordOffsets[w + 1]!++;
  for (let w = 0; w < vocabSize; w++) wordOffsets[w + 1]! += wordOffsets[w]!;
  const cursor = wordOffsets.slice(0, vocabSize);
  const wordLeaves = new Int32Array(leafWords.length);
  for (let row = 0; row < leafWords.length; row++) wordLeaves[cursor[leafWords[row]!]!++] = row;
  return { wordOffsets, wordLeaves };
}
