import { afterAll, describe, expect, it } from 'vitest';
import { CELLS, type Cell, REGISTRY } from '../../src/cells/index.ts';
import type { Params } from '../../src/params/index.ts';
import { TreeDataError, referenceForward, referenceGrad } from '../../src/reference/index.ts';
import { Rng } from '../../src/rng/index.ts';
import {
  type Tree,
  balancedTree,
  leaf,
  leftChain,
  node,
  parseTrees,
  randomTree,
  rightChain,
  withRootLabel,
} from '../../src/trees/index.ts';
import { type Comparison, type Tolerance, describe as explain } from '../../src/check/compare.ts';
import { checkNodeGrads, checkParamGrads, testParams } from './gradcheck.ts';

/** Finite differences (step 1e-6, Float64) must agree this well with the analytic gradients. */
const TOL: Tolerance = { atol: 1e-9, rtol: 1e-6 };
const VOCAB = ['a', 'b', 'c', 'd', 'e', 'k1'];
const CLASSES = 3;

function words(n: number, seed: number): string[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: n }, () => VOCAB[rng.uniformInt(0, VOCAB.length - 1)] as string);
}

/** The shared table of tree shapes (the GPU tests use the same kinds). */
const CASES: { name: string; dim: number; trees: Tree[] }[] = [
  { name: 'single leaf', dim: 4, trees: [leaf('a', 1)] },
  { name: 'two leaves', dim: 4, trees: [node(leaf('a'), leaf('k1'), 2)] },
  { name: 'same word twice', dim: 3, trees: [node(leaf('b'), leaf('b'), 0)] },
  { name: 'balanced, 8 leaves', dim: 4, trees: [withRootLabel(balancedTree(words(8, 1)), 1)] },
  { name: '30-deep left chain', dim: 3, trees: [withRootLabel(leftChain(words(31, 2)), 2)] },
  { name: '30-deep right chain', dim: 3, trees: [withRootLabel(rightChain(words(31, 3)), 0)] },
  {
    name: 'batch of 4 random trees',
    dim: 3,
    trees: [5, 9, 1, 12].map((n, i) =>
      withRootLabel(randomTree(words(n, 10 + i), Rng.fromSeed(i)), i % CLASSES),
    ),
  },
];

const worst: Record<string, number> = {};
afterAll(() => {
  // The tolerance actually reached, per cell: the largest |analytic − numeric| over every check.
  console.log(
    `finite differences: largest |analytic − numeric| ${JSON.stringify(worst)}; bound ${JSON.stringify(TOL)}`,
  );
});

function expectAllOk(cell: Cell, checks: Comparison[]): void {
  worst[cell] = Math.max(worst[cell] ?? 0, ...checks.map((c) => c.maxAbs));
  const failed = checks.filter((c) => !c.ok).map((c) => explain(c, TOL));
  expect(failed).toEqual([]);
}

describe.each(CELLS)('%s gradients agree with central finite differences', (cell) => {
  it.each(CASES)('every parameter tensor: $name', ({ dim, trees }) => {
    expectAllOk(cell, checkParamGrads(testParams(cell, dim, VOCAB, CLASSES, 7), trees, TOL));
  });
  it.each(CASES)('∂J/∂h (and ∂J/∂c) at every node: $name', ({ dim, trees }) => {
    const p = testParams(cell, dim, VOCAB, CLASSES, 8);
    expectAllOk(
      cell,
      trees.flatMap((t) => checkNodeGrads(p, t, TOL)),
    );
  });
});

/** Trees with a label at (almost) every node, as a sentiment treebank has them. */
const LABELLED: { name: string; dim: number; trees: Tree[] }[] = [
  { name: 'single leaf', dim: 4, trees: [leaf('a', 1)] },
  { name: 'two labelled leaves', dim: 4, trees: [node(leaf('a', 0), leaf('k1', 1), 2)] },
  {
    name: 'every node labelled, and one not',
    dim: 5,
    trees: [
      node(node(leaf('a', 2), leaf('b', 1), 0), node(leaf('c'), node(leaf('d', 0), leaf('e', 2), 1), 1), 2),
      node(leaf('b', 1), node(leaf('a', 0), leaf('b', 2)), 0),
    ],
  },
];

describe.each(CELLS)('%s with a loss at every labelled node (--loss all)', (cell) => {
  it.each(LABELLED)('every parameter tensor: $name', ({ dim, trees }) => {
    expectAllOk(cell, checkParamGrads(testParams(cell, dim, VOCAB, CLASSES, 11), trees, TOL, 'all'));
  });
  it.each(LABELLED)('∂J/∂h (and ∂J/∂c) at every node: $name', ({ dim, trees }) => {
    const p = testParams(cell, dim, VOCAB, CLASSES, 12);
    expectAllOk(
      cell,
      trees.flatMap((t) => checkNodeGrads(p, t, TOL, 'all')),
    );
  });
  it('adds every labelled node to the loss, and the root mode ignores inner labels', () => {
    const p = testParams(cell, 5, VOCAB, CLASSES, 13);
    const trees = LABELLED[2]!.trees;
    const root = referenceGrad(p, trees);
    const all = referenceGrad(p, trees, undefined, { loss: 'all' });
    const bare = referenceGrad(
      p,
      trees.map((t) => withRootLabel(stripLabels(t), t.label!)),
    );
    expect(root.loss).toBe(bare.loss);
    expect(all.loss).toBeGreaterThan(root.loss);
    expect(() => referenceGrad(p, [node(leaf('a', 7), leaf('b'), 0)], undefined, { loss: 'all' })).toThrow(
      /tree 1.*node 1 \(pre-order\) has label 7, outside 0 … 2/,
    );
  });
});

function stripLabels(t: Tree): Tree {
  return t.kind === 'leaf' ? leaf(t.word) : node(stripLabels(t.left), stripLabels(t.right));
}

/** Scalar helpers over number[] rows for the transcriptions. */
function rows(p: Params) {
  const d = p.dim;
  const T = (name: string) => Array.from(p.tensors[name] as Float64Array);
  const W = (name: string, x: number[]) =>
    x.map((_, r) => x.reduce((s, xc, c) => s + (T(name)[r * d + c] as number) * xc, 0));
  const add = (...vs: number[][]) =>
    vs[0]?.map((_, k) => vs.reduce((s, v) => s + (v[k] as number), 0)) as number[];
  const sig = (v: number[]) => v.map((x) => 1 / (1 + Math.exp(-x)));
  const mul = (a: number[], b: number[]) => a.map((x, k) => x * (b[k] as number));
  return { T, W, add, sig, mul };
}

type State = { h: number[]; c: number[] };

/** An independent scalar transcription of model.md's composition, per cell. */
const TRANSCRIPTIONS: Record<Cell, (p: Params, l: State, r: State) => State> = {
  rnn(p, { h: hL }, { h: hR }) {
    const { T, W, add } = rows(p);
    return { h: add(W('W_L', hL), W('W_R', hR), T('b')).map(Math.tanh), c: [] };
  },
  rlstm(p, { h: hL, c: cL }, { h: hR, c: cR }) {
    const { T, W, add, sig, mul } = rows(p);
    const iL = sig(add(W('Wi', hL), W('Wi_sib', hR), W('Ui', cL), W('Ui_sib', cR), T('bi')));
    const iR = sig(add(W('Wi', hR), W('Wi_sib', hL), W('Ui', cR), W('Ui_sib', cL), T('bi')));
    const fL = sig(add(W('Wf', hL), W('Wf_sib', hR), W('Uf', cL), W('Uf_sib', cR), T('bf')));
    const fR = sig(add(W('Wf', hR), W('Wf_sib', hL), W('Uf', cR), W('Uf_sib', cL), T('bf')));
    const c = add(
      mul(fL, cL),
      mul(fR, cR),
      add(mul(iL, W('W_L', hL)), mul(iR, W('W_R', hR)), T('b')).map(Math.tanh),
    );
    const o = sig(add(W('O_L', hL), W('O_R', hR), W('O_c', c), T('bo')));
    return { h: mul(o, c.map(Math.tanh)), c };
  },
  treelstm(p, { h: hL, c: cL }, { h: hR, c: cR }) {
    const { T, W, add, sig, mul } = rows(p);
    const i = sig(add(W('Ui_L', hL), W('Ui_R', hR), T('bi')));
    const fL = sig(add(W('Uf_LL', hL), W('Uf_LR', hR), T('bf')));
    const fR = sig(add(W('Uf_RL', hL), W('Uf_RR', hR), T('bf')));
    const o = sig(add(W('Uo_L', hL), W('Uo_R', hR), T('bo')));
    const u = add(W('Uu_L', hL), W('Uu_R', hR), T('bu')).map(Math.tanh);
    const c = add(mul(i, u), mul(fL, cL), mul(fR, cR));
    return { h: mul(o, c.map(Math.tanh)), c };
  },
};

/** The root's h and c by the transcription (number[] rows). */
function transcribedRootH(p: Params, t: Tree): State {
  if (t.kind === 'leaf') {
    const d = p.dim;
    const i = p.vocab.indexOf(t.word);
    return {
      h: rows(p)
        .T('E')
        .slice(i * d, (i + 1) * d),
      c: new Array(d).fill(0),
    };
  }
  return TRANSCRIPTIONS[p.cell](p, transcribedRootH(p, t.left), transcribedRootH(p, t.right));
}

describe('reference forward', () => {
  it.each(CELLS)('%s matches a direct transcription of model.md', (cell) => {
    const p = testParams(cell, 3, VOCAB, CLASSES, 3);
    const trees = parseTrees('(1 (0 a (0 b c)) (0 (0 d e) k1))\n(2 a b)\n(0 c)\n');
    const out = referenceForward(p, trees);
    trees.forEach((t, i) => {
      const want = transcribedRootH(p, t);
      const got = out[i];
      expect(
        [...(got?.h[0] ?? [])].map((v, k) => v - (want.h[k] as number)).every((x) => Math.abs(x) < 1e-15),
      ).toBe(true);
      if (REGISTRY[cell].hasC)
        expect(
          Math.max(...(got?.c?.[0] ?? []).map((v, k) => Math.abs(v - (want.c[k] as number)))),
        ).toBeLessThan(1e-15);
      expect(got?.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      expect(got?.prediction).toBe(got?.probs.indexOf(Math.max(...(got?.probs ?? []))));
    });
    expect(out[0]?.c === undefined).toBe(!REGISTRY[cell].hasC);
  });

  it('gives the loss that referenceGrad reports', () => {
    const p = testParams('rlstm', 3, VOCAB, CLASSES, 4);
    const trees = parseTrees('(1 (0 a b) c)\n(2 k1 d)\n');
    const f = referenceForward(p, trees);
    expect(referenceGrad(p, trees).loss).toBeCloseTo(((f[0]?.loss ?? 0) + (f[1]?.loss ?? 0)) / 2, 14);
    expect(referenceForward(p, parseTrees('(0 a b)\nc\n'))[1]?.loss).toBeUndefined();
  });

  it('runs chains thousands of nodes deep', () => {
    const p = testParams('rlstm', 2, VOCAB, CLASSES, 5);
    const r = referenceGrad(p, [withRootLabel(leftChain(words(5000, 1)), 1)]);
    expect(r.nodes[0]?.length).toBe(9999);
    expect(r.nodes[0]?.[5000]).toMatchObject({ depth: 4999 });
    expect(r.nodes[0]?.[9998]).toMatchObject({ depth: 1 });
  });
});

describe('reference gradients: batch semantics and focal ratios', () => {
  it.each(CELLS)('%s: loss and parameter gradients are batch means, node norms per tree', (cell) => {
    const p = testParams(cell, 3, VOCAB, CLASSES, 6);
    const trees = parseTrees('(1 (0 a k1) (0 b c))\n(2 (0 (0 d e) a) b)\n(0 c)\n');
    const each = trees.map((t) => referenceGrad(p, [t]));
    const all = referenceGrad(p, trees);
    expect(all.loss).toBeCloseTo(each.reduce((s, r) => s + r.loss, 0) / 3, 14);
    for (const [name, g] of Object.entries(all.paramGrads)) {
      g.forEach((v, i) => {
        const mean = each.reduce((s, r) => s + (r.paramGrads[name]?.[i] ?? 0), 0) / 3;
        expect(Math.abs(v - mean)).toBeLessThan(1e-15);
      });
    }
    expect(all.nodes).toEqual(each.map((r) => r.nodes[0]));
    const root = all.nodes[0]?.[0];
    expect(root?.depth).toBe(0);
    expect(root?.word).toBeUndefined();
    expect(all.nodes[0]?.[2]).toMatchObject({ depth: 2, word: 'a' });
    expect('gc' in (root ?? {})).toBe(REGISTRY[cell].hasC);
  });

  it('uses the keyword leaf, or --focal, for gh(focal)/gh(root)', () => {
    const p = testParams('rnn', 3, VOCAB, CLASSES, 6);
    const trees = parseTrees('(1 (0 a k1) (0 b c))\n(2 a b)\n(0 (0 k1 k1) a)\n');
    const r = referenceGrad(p, trees);
    const gh = (t: number, n: number) => r.nodes[t]?.[n]?.gh as number;
    expect(r.ratios).toEqual([gh(0, 3) / gh(0, 0), null, null]);
    const f = referenceGrad(p, trees, undefined, { focal: 2 });
    expect(f.ratios).toEqual(
      [0, 1, 2].map((t) => (f.nodes[t]?.[2]?.gh as number) / (f.nodes[t]?.[0]?.gh as number)),
    );
    expect(() => referenceGrad(p, trees, undefined, { focal: 5 })).toThrow(
      'tree 2 (line 2): focal node 5 is not a pre-order index 0 … 2',
    );
  });

  it('names the tree and the word or label that is wrong', () => {
    const p = testParams('rlstm', 2, VOCAB, CLASSES, 6);
    const bad = (text: string) => () => referenceGrad(p, parseTrees(text));
    expect(bad('(1 a b)\n(2 a zzz)\n')).toThrow(
      new TreeDataError(2, 'unknown word "zzz" (not in the vocabulary)'),
    );
    expect(bad('(1 a b)\n(2 a zzz)\n')).toThrow(
      'tree 2 (line 2): unknown word "zzz" (not in the vocabulary)',
    );
    expect(bad('(1 a b)\n(1 a b)\n(3 a b)\n')).toThrow(
      'tree 3 (line 3): label 3 is outside 0 … 2 (3 classes)',
    );
    expect(bad('a\n')).toThrow('tree 1 (line 1): the root has no label (the class)');
    expect(() => referenceGrad(p, parseTrees('a\n'), [2])).not.toThrow();
    expect(() => referenceGrad(p, [])).toThrow(RangeError);
  });
});
