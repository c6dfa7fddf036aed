import { describe, expect, it } from 'vitest';
import { forwardRanges, type LevelPlan, planLevels, SCHEDULES } from '../../src/plan/index.ts';
import type { Tree } from '../../src/trees/tree.ts';

// --- tiny tree builders (independent of src/trees parsing) ---------------------------------------

const VOCAB = 10;
const leaf = (word: string): Tree => ({ kind: 'leaf', word });
const node = (left: Tree, right: Tree): Tree => ({ kind: 'node', left, right });

/** w0 … w9 → 0 … 9; anything else is an unknown word. */
function wordIndex(word: string): number {
  const m = /^w(\d)$/.exec(word);
  if (!m) throw new Error(`unknown word ${JSON.stringify(word)}`);
  return Number(m[1]);
}

/** Small seeded generator (mulberry32), so random cases are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A chain of `n` internal nodes, built iteratively; `leftDeep` hangs the spine on the left. */
function chain(n: number, leftDeep = true): Tree {
  let t = leaf('w0');
  for (let i = 0; i < n; i++) t = leftDeep ? node(t, leaf(`w${i % VOCAB}`)) : node(leaf(`w${i % VOCAB}`), t);
  return t;
}

function balanced(height: number, next: () => number): Tree {
  if (height === 0) return leaf(`w${Math.floor(next() * VOCAB)}`);
  return node(balanced(height - 1, next), balanced(height - 1, next));
}

function randomTree(leaves: number, next: () => number): Tree {
  if (leaves === 1) return leaf(`w${Math.floor(next() * VOCAB)}`);
  const split = 1 + Math.floor(next() * (leaves - 1));
  return node(randomTree(split, next), randomTree(leaves - split, next));
}

function randomForest(seed: number): Tree[] {
  const next = rng(seed);
  const n = 1 + Math.floor(next() * 8);
  return Array.from({ length: n }, () => randomTree(1 + Math.floor(next() * 40), next));
}

// --- recursive reference pre-order and the invariant checker --------------------------------------

interface RefNode {
  tree: Tree;
  parent: number;
  left: number;
  right: number;
  depth: number;
  height: number;
}

/** Recursive pre-order (root = 0, left subtree, right subtree), indices local to the tree. */
function refPreorder(root: Tree): RefNode[] {
  const out: RefNode[] = [];
  const visit = (t: Tree, parent: number, depth: number): number => {
    const i = out.length;
    const r: RefNode = { tree: t, parent, left: -1, right: -1, depth, height: 0 };
    out.push(r);
    if (t.kind === 'node') {
      r.left = visit(t.left, i, depth + 1);
      r.right = visit(t.right, i, depth + 1);
      r.height = 1 + Math.max(out[r.left]!.height, out[r.right]!.height);
    }
    return i;
  };
  visit(root, -1, 0);
  return out;
}

/** Every ranged schedule covers each internal row once, children before parents. */
function checkSchedules(p: LevelPlan): void {
  for (const s of SCHEDULES) {
    const ranges = forwardRanges(p, s);
    const done = new Uint8Array(p.numNodes).fill(1, 0, p.numLeaves);
    for (let k = 0; k < ranges.length; k += 2) {
      const [start, count] = [ranges[k]!, ranges[k + 1]!];
      expect(count).toBeGreaterThan(0);
      if (s === 'node') expect(count).toBe(1);
      for (let r = start; r < start + count; r++) {
        expect(done[r]).toBe(0);
        const c = 2 * (r - p.numLeaves);
        expect(done[p.children[c]!]! & done[p.children[c + 1]!]!).toBe(1);
      }
      done.fill(1, start, start + count);
    }
    expect(done.every((d) => d === 1)).toBe(true);
    if (s === 'level') expect(ranges.length).toBe(2 * (p.numLevels - 1));
    if (s === 'node') expect(ranges.length).toBe(2 * p.numInternal);
  }
}

function checkPlan(trees: readonly Tree[], p: LevelPlan): void {
  const refs = trees.map(refPreorder);
  const N = refs.reduce((a, r) => a + r.length, 0);
  expect(p.numTrees).toBe(trees.length);
  expect(p.numNodes).toBe(N);
  expect(p.numLeaves + p.numInternal).toBe(N);
  expect(p.numLevels).toBe(1 + Math.max(...refs.map((r) => r[0]!.height)));

  // Pre-order maps: inverse bijections, matching the recursive reference node by node.
  const seen = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    const row = p.rowOfPreorder[i]!;
    expect(row >= 0 && row < N && seen[row] === 0).toBe(true);
    seen[row] = 1;
    expect(p.preorderOfRow[row]).toBe(i);
  }
  refs.forEach((ref, t) => {
    const off = p.preorderOffset[t]!;
    expect(p.preorderOffset[t + 1]! - off).toBe(ref.length);
    expect(p.roots[t]).toBe(p.rowOfPreorder[off]);
    expect(p.treeHeight[t]).toBe(ref[0]!.height);
    ref.forEach((n, i) => {
      const row = p.rowOfPreorder[off + i]!;
      expect(p.treeOfRow[row]).toBe(t);
      expect(p.heightOfRow[row]).toBe(n.height);
      expect(p.depthOfRow[row]).toBe(n.depth);
      expect(p.parent[row]).toBe(n.parent < 0 ? -1 : p.rowOfPreorder[off + n.parent]);
      if (n.tree.kind === 'leaf') {
        expect(row).toBeLessThan(p.numLeaves);
        expect(p.leafWords[row]).toBe(wordIndex(n.tree.word));
      } else {
        expect(row).toBeGreaterThanOrEqual(p.numLeaves);
        const c = 2 * (row - p.numLeaves);
        expect([p.children[c], p.children[c + 1]]).toEqual([
          p.rowOfPreorder[off + n.left],
          p.rowOfPreorder[off + n.right],
        ]);
      }
    });
  });

  // Row rule: rows strictly increase in (height, tree, pre-order); levels are contiguous.
  for (let r = 1; r < N; r++) {
    const a = [p.heightOfRow[r - 1]!, p.treeOfRow[r - 1]!, p.preorderOfRow[r - 1]!];
    const b = [p.heightOfRow[r]!, p.treeOfRow[r]!, p.preorderOfRow[r]!];
    const cmp = a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
    expect(cmp).toBeLessThan(0);
  }
  expect(p.levelStart.length).toBe(p.numLevels + 1);
  expect(p.levelStart[0]).toBe(0);
  expect(p.levelStart[1]).toBe(p.numLeaves);
  expect(p.levelStart[p.numLevels]).toBe(N);
  for (let l = 0; l < p.numLevels; l++) {
    expect(p.levelStart[l + 1]!).toBeGreaterThan(p.levelStart[l]!);
    for (let r = p.levelStart[l]!; r < p.levelStart[l + 1]!; r++) expect(p.heightOfRow[r]).toBe(l);
  }

  // Children: lower level, same tree, each non-root row is exactly one child of its parent.
  const asChild = new Int32Array(N);
  expect(p.children.length).toBe(2 * p.numInternal);
  for (let r = p.numLeaves; r < N; r++) {
    for (const c of [p.children[2 * (r - p.numLeaves)]!, p.children[2 * (r - p.numLeaves) + 1]!]) {
      expect(p.heightOfRow[c]!).toBeLessThan(p.heightOfRow[r]!);
      expect(p.treeOfRow[c]).toBe(p.treeOfRow[r]);
      expect(p.parent[c]).toBe(r);
      asChild[c]!++;
    }
  }
  for (let r = 0; r < N; r++) expect(asChild[r]).toBe(p.parent[r]! < 0 ? 0 : 1);
  expect(p.parent.filter((x) => x < 0).length).toBe(trees.length);

  // Per-tree level ranges: contiguous, tiling each level in tree order, left to right inside.
  const covered = new Uint8Array(N);
  const levelCursor = p.levelStart.slice();
  for (let t = 0; t < p.numTrees; t++) {
    expect(p.treeLevelOffset[t + 1]! - p.treeLevelOffset[t]!).toBe(p.treeHeight[t]! + 1);
    for (let h = 0; h <= p.treeHeight[t]!; h++) {
      const start = p.treeLevelStart[p.treeLevelOffset[t]! + h]!;
      const count = p.treeLevelCount[p.treeLevelOffset[t]! + h]!;
      expect(count).toBeGreaterThan(0);
      expect(start).toBe(levelCursor[h]);
      levelCursor[h]! += count;
      for (let r = start; r < start + count; r++) {
        expect([p.treeOfRow[r], p.heightOfRow[r], covered[r]]).toEqual([t, h, 0]);
        if (r > start) expect(p.preorderOfRow[r]!).toBeGreaterThan(p.preorderOfRow[r - 1]!);
        covered[r] = 1;
      }
    }
  }
  for (let l = 0; l < p.numLevels; l++) expect(levelCursor[l]).toBe(p.levelStart[l + 1]);
  expect(covered.every((c) => c === 1)).toBe(true);

  // CSR word → leaves: every leaf once, grouped by ascending word, ascending rows inside.
  expect(p.wordOffsets.length).toBe(VOCAB + 1);
  expect(p.wordOffsets[0]).toBe(0);
  expect(p.wordOffsets[VOCAB]).toBe(p.numLeaves);
  const listed = new Uint8Array(p.numLeaves);
  for (let w = 0; w < VOCAB; w++) {
    for (let k = p.wordOffsets[w]!; k < p.wordOffsets[w + 1]!; k++) {
      const row = p.wordLeaves[k]!;
      expect(p.leafWords[row]).toBe(w);
      expect(listed[row]).toBe(0);
      listed[row] = 1;
      if (k > p.wordOffsets[w]!) expect(row).toBeGreaterThan(p.wordLeaves[k - 1]!);
    }
  }
  expect(listed.every((x) => x === 1)).toBe(true);

  checkSchedules(p);
}

const plan = (trees: readonly Tree[]): LevelPlan => planLevels(trees, wordIndex, VOCAB);

// --- tests ----------------------------------------------------------------------------------------

describe('planLevels', () => {
  it('numbers a small forest exactly as the row rule says', () => {
    // Tree 0: (w1 (w2 w3)), tree 1: (w0 w1).
    const trees = [node(leaf('w1'), node(leaf('w2'), leaf('w3'))), node(leaf('w0'), leaf('w1'))];
    const p = plan(trees);
    expect([p.numNodes, p.numLeaves, p.numInternal, p.numLevels]).toEqual([8, 5, 3, 3]);
    expect([...p.levelStart]).toEqual([0, 5, 7, 8]);
    expect([...p.children]).toEqual([1, 2, 3, 4, 0, 5]);
    expect([...p.parent]).toEqual([7, 5, 5, 6, 6, 7, -1, -1]);
    expect([...p.roots]).toEqual([7, 6]);
    expect([...p.treeOfRow]).toEqual([0, 0, 0, 1, 1, 0, 1, 0]);
    expect([...p.depthOfRow]).toEqual([1, 2, 2, 1, 1, 1, 0, 0]);
    expect([...p.leafWords]).toEqual([1, 2, 3, 0, 1]);
    expect([...p.wordOffsets]).toEqual([0, 1, 3, 4, 5, 5, 5, 5, 5, 5, 5]);
    expect([...p.wordLeaves]).toEqual([3, 0, 4, 1, 2]);
    expect([...p.preorderOffset]).toEqual([0, 5, 8]);
    expect([...p.rowOfPreorder]).toEqual([7, 0, 5, 1, 2, 6, 3, 4]);
    expect([...p.treeHeight]).toEqual([2, 1]);
    expect([...p.treeLevelOffset]).toEqual([0, 3, 5]);
    expect([...p.treeLevelStart]).toEqual([0, 5, 7, 3, 6]);
    expect([...p.treeLevelCount]).toEqual([3, 1, 1, 2, 1]);
    expect([...forwardRanges(p, 'level')]).toEqual([5, 2, 7, 1]);
    expect([...forwardRanges(p, 'tree')]).toEqual([5, 1, 7, 1, 6, 1]);
    expect([...forwardRanges(p, 'node')]).toEqual([5, 1, 7, 1, 6, 1]);
    checkPlan(trees, p);
  });

  it('plans a mixed forest: one leaf beside a 60-deep chain, balanced and random trees', () => {
    const next = rng(7);
    const trees = [
      leaf('w3'),
      chain(60),
      balanced(4, next),
      chain(60, false),
      balanced(1, next),
      leaf('w3'),
      ...Array.from({ length: 10 }, () => randomTree(1 + Math.floor(next() * 30), next)),
    ];
    const p = plan(trees);
    expect(p.numLevels).toBe(61);
    expect(p.roots[0]).toBeLessThan(p.numLeaves);
    checkPlan(trees, p);
  });

  it('keeps every invariant on seeded random forests', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const trees = randomForest(seed);
      checkPlan(trees, plan(trees));
    }
  });

  it('plans a lone one-leaf tree: root is leaf row 0, no internal nodes, no dispatches', () => {
    const p = plan([leaf('w5')]);
    expect([p.numNodes, p.numLeaves, p.numInternal, p.numLevels]).toEqual([1, 1, 0, 1]);
    expect([...p.roots, ...p.parent, ...p.children]).toEqual([0, -1]);
    expect([...p.wordLeaves, p.wordOffsets[5], p.wordOffsets[6]]).toEqual([0, 0, 1]);
    for (const s of SCHEDULES) expect(forwardRanges(p, s).length).toBe(0);
    checkPlan([leaf('w5')], p);
  });

  it('handles a shared subtree by planning each occurrence as its own node', () => {
    const shared = node(leaf('w1'), leaf('w2'));
    const trees = [node(shared, shared), shared];
    const p = plan(trees);
    expect(p.numNodes).toBe(10);
    checkPlan(trees, p);
  });

  it('plans 10,000-deep chains (left and right spines) without recursion', () => {
    for (const leftDeep of [true, false]) {
      const n = 10_000;
      const p = plan([chain(n, leftDeep), leaf('w1')]);
      expect([p.numNodes, p.numLeaves, p.numInternal, p.numLevels]).toEqual([2 * n + 2, n + 2, n, n + 1]);
      expect([...p.roots]).toEqual([2 * n + 1, n + 1]);
      expect(p.depthOfRow[p.rowOfPreorder[leftDeep ? n : 2 * n]!]).toBe(n);
      for (let h = 1; h <= n; h++) {
        const r = p.levelStart[h]!;
        expect(p.levelStart[h + 1]! - r).toBe(1);
        const spine = p.children[2 * (r - p.numLeaves) + (leftDeep ? 0 : 1)]!;
        expect(spine).toBe(h === 1 ? (leftDeep ? 0 : n) : r - 1);
        expect(p.parent[spine]).toBe(r);
      }
      expect(forwardRanges(p, 'node').length).toBe(2 * n);
    }
  });

  it('rejects an empty forest and malformed nodes, naming the tree', () => {
    expect(() => plan([])).toThrow(/empty forest/);
    const bad = { kind: 'branch', left: leaf('w1') } as unknown as Tree;
    expect(() => plan([leaf('w1'), leaf('w2'), node(leaf('w1'), bad)])).toThrow(/tree 2.*'leaf' or 'node'/);
    const oneChild = { kind: 'node', left: leaf('w1') } as unknown as Tree;
    expect(() => plan([leaf('w1'), oneChild])).toThrow(/tree 1.*both left and right/);
    expect(() => plan([null as unknown as Tree])).toThrow(/tree 0.*null/);
    expect(() => plan([{ kind: 'leaf', word: 3 } as unknown as Tree])).toThrow(/tree 0.*string word/);
    const loop = { kind: 'node', left: leaf('w1'), right: leaf('w2') } as {
      kind: string;
      left: unknown;
      right: unknown;
    };
    loop.right = node(leaf('w3'), loop as unknown as Tree);
    expect(() => plan([leaf('w0'), loop as unknown as Tree])).toThrow(/tree 1.*cycle/);
  });

  it('lets wordIndex errors propagate and checks the indices it returns', () => {
    expect(() => plan([leaf('w1'), node(leaf('w2'), leaf('cat'))])).toThrow('unknown word "cat"');
    expect(() => planLevels([leaf('w1'), leaf('w9')], wordIndex, 5)).toThrow(/tree 1.*"w9" mapped to 9/);
    expect(() => planLevels([leaf('w1')], () => 0.5, 5)).toThrow(/tree 0/);
    expect(() => planLevels([leaf('w1')], wordIndex, -1)).toThrow(/vocabSize/);
  });

  it('rejects an unknown schedule name', () => {
    expect(() => forwardRanges(plan([leaf('w1')]), 'warp' as never)).toThrow(/unknown schedule "warp"/);
  });
});
