// Central finite differences in Float64 against the reference's analytic gradients.
import { REGISTRY } from '../../src/cells/index.ts';
import { type Comparison, type Tolerance, compare } from '../../src/check/compare.ts';
import { type Cell, type Params, initParams } from '../../src/params/index.ts';
import {
  forwardTree,
  gradTree,
  referenceForward,
  referenceGrad,
  wordIndex,
} from '../../src/reference/index.ts';
import { crossEntropy } from '../../src/reference/linalg.ts';
import { Rng } from '../../src/rng/index.ts';
import type { Tree } from '../../src/trees/index.ts';
import { preorder } from '../../src/trees/shape.ts';
import { zerosLike } from '../../src/params/params.ts';

/** Finite-difference step. */
export const STEP = 1e-6;

/** Where the loss is taken: the root only, or every labelled node. */
export type LossMode = 'root' | 'all';

/**
 * One tree's loss through the forward pass only, written out independently of the backward code:
 * the root's cross-entropy, plus (mode 'all') one at every other labelled node, from its h.
 */
export function treeLoss(
  params: Params,
  tree: Tree,
  ids: ReadonlyMap<string, number>,
  loss: LossMode,
  nudge?: { node: number; which: 'h' | 'c'; index: number; delta: number },
): number {
  const f = forwardTree(params, tree, ids, 1, nudge);
  let total = crossEntropy(f.logits, tree.label ?? 0);
  if (loss === 'root') return total;
  const { dim: d, classes: C } = params;
  const Wc = params.tensors.Wc as Float64Array;
  const bc = params.tensors.bc as Float64Array;
  preorder(tree).forEach((t, i) => {
    if (i === 0 || t.label === undefined) return;
    const h = (f.nodes[i] as { h: Float64Array }).h;
    const logits = Float64Array.from(bc, (b, c) => {
      let acc = b;
      for (let k = 0; k < d; k++) acc += (Wc[c * d + k] as number) * (h[k] as number);
      return acc;
    });
    if (logits.length !== C) throw new Error('classifier shape');
    total += crossEntropy(logits, t.label);
  });
  return total;
}

/** Batch loss through the forward pass only. */
export function batchLoss(params: Params, trees: readonly Tree[], loss: LossMode = 'root'): number {
  if (loss === 'all') {
    const ids = wordIndex(params.vocab);
    return trees.reduce((s, t) => s + treeLoss(params, t, ids, 'all'), 0) / trees.length;
  }
  const results = referenceForward(params, trees);
  return results.reduce((s, r) => s + (r.loss as number), 0) / trees.length;
}

/** Checks every parameter tensor's gradient against central differences. */
export function checkParamGrads(
  params: Params,
  trees: readonly Tree[],
  tol: Tolerance,
  loss: LossMode = 'root',
): Comparison[] {
  const { paramGrads } = referenceGrad(params, trees, undefined, { loss });
  return Object.entries(params.tensors).map(([name, t]) => {
    const numeric = new Float64Array(t.length);
    for (let i = 0; i < t.length; i++) {
      const keep = t[i] as number;
      t[i] = keep + STEP;
      const up = batchLoss(params, trees, loss);
      t[i] = keep - STEP;
      const down = batchLoss(params, trees, loss);
      t[i] = keep;
      numeric[i] = (up - down) / (2 * STEP);
    }
    return compare(name, paramGrads[name] as Float64Array, numeric, tol);
  });
}

/** Checks ∂J_t/∂h and (memory cells) ∂J_t/∂c at every node of one tree against central differences. */
export function checkNodeGrads(
  params: Params,
  tree: Tree,
  tol: Tolerance,
  mode: LossMode = 'root',
): Comparison[] {
  const ids = wordIndex(params.vocab);
  const label = tree.label ?? 0;
  const g = gradTree(params, tree, label, ids, 1, zerosLike(params), mode);
  const loss = (nudge: { node: number; which: 'h' | 'c'; index: number; delta: number }) =>
    treeLoss(params, tree, ids, mode, nudge);
  const checks: Comparison[] = [];
  for (let node = 0; node < g.nodes.length; node++) {
    for (const which of REGISTRY[params.cell].hasC ? (['h', 'c'] as const) : (['h'] as const)) {
      const numeric = new Float64Array(params.dim);
      for (let index = 0; index < params.dim; index++) {
        numeric[index] =
          (loss({ node, which, index, delta: STEP }) - loss({ node, which, index, delta: -STEP })) /
          (2 * STEP);
      }
      const analytic = which === 'h' ? g.dh[node] : g.dc?.[node];
      checks.push(compare(`node ${node} d${which}`, analytic as Float64Array, numeric, tol));
    }
  }
  return checks;
}

/** Parameters initialised per model.md, then every tensor (biases too) jittered so no term is trivially zero. */
export function testParams(
  cell: Cell,
  dim: number,
  vocab: readonly string[],
  classes: number,
  seed: number,
): Params {
  const p = initParams(cell, dim, vocab, classes, seed);
  const rng = Rng.fromSeed(seed, 1);
  for (const t of Object.values(p.tensors))
    for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) + rng.normal(0, 0.4);
  return p;
}
