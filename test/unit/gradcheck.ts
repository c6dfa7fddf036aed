// Central finite differences in Float64 against the reference's analytic gradients.
import { REGISTRY } from '../../src/cells/index.ts';
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
import { zerosLike } from '../../src/params/params.ts';

/** Finite-difference step. */
export const STEP = 1e-6;

/** |a − e| ≤ atol + rtol·|e|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Worst disagreement of one tensor (or one node's vector). */
export interface Check {
  name: string;
  ok: boolean;
  /** Largest |a − e| over all elements. */
  maxAbs: number;
  /** Largest |a − e| / (atol + rtol·|e|): ok iff ≤ 1. */
  worstRatio: number;
  worstIndex: number;
  analytic: number;
  numeric: number;
}

/** Compares analytic `a` with numeric `e` elementwise. */
export function compare(name: string, a: ArrayLike<number>, e: ArrayLike<number>, tol: Tolerance): Check {
  let worst: Check = { name, ok: true, maxAbs: 0, worstRatio: 0, worstIndex: -1, analytic: 0, numeric: 0 };
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs((a[i] as number) - (e[i] as number));
    const ratio = diff / (tol.atol + tol.rtol * Math.abs(e[i] as number));
    const maxAbs = Math.max(worst.maxAbs, diff);
    if (ratio > worst.worstRatio || worst.worstIndex < 0) {
      worst = {
        name,
        ok: ratio <= 1,
        maxAbs,
        worstRatio: ratio,
        worstIndex: i,
        analytic: a[i] as number,
        numeric: e[i] as number,
      };
    } else worst.maxAbs = maxAbs;
  }
  worst.ok = worst.worstRatio <= 1;
  return worst;
}

/** Human-readable line for a failed check. */
export function describe(c: Check): string {
  return `${c.name}: NOT OK, worst index ${c.worstIndex}: analytic ${c.analytic} vs numeric ${c.numeric} (max |diff| ${c.maxAbs.toExponential(2)})`;
}

/** Batch loss through the forward pass only. */
export function batchLoss(params: Params, trees: readonly Tree[]): number {
  const results = referenceForward(params, trees);
  return results.reduce((s, r) => s + (r.loss as number), 0) / trees.length;
}

/** Checks every parameter tensor's gradient against central differences. */
export function checkParamGrads(params: Params, trees: readonly Tree[], tol: Tolerance): Check[] {
  const { paramGrads } = referenceGrad(params, trees);
  return Object.entries(params.tensors).map(([name, t]) => {
    const numeric = new Float64Array(t.length);
    for (let i = 0; i < t.length; i++) {
      const keep = t[i] as number;
      t[i] = keep + STEP;
      const up = batchLoss(params, trees);
      t[i] = keep - STEP;
      const down = batchLoss(params, trees);
      t[i] = keep;
      numeric[i] = (up - down) / (2 * STEP);
    }
    return compare(name, paramGrads[name] as Float64Array, numeric, tol);
  });
}

/** Checks ∂J_t/∂h and (memory cells) ∂J_t/∂c at every node of one tree against central differences. */
export function checkNodeGrads(params: Params, tree: Tree, tol: Tolerance): Check[] {
  const ids = wordIndex(params.vocab);
  const label = tree.label ?? 0;
  const g = gradTree(params, tree, label, ids, 1, zerosLike(params));
  const loss = (nudge: { node: number; which: 'h' | 'c'; index: number; delta: number }) =>
    crossEntropy(forwardTree(params, tree, ids, 1, nudge).logits, label);
  const checks: Check[] = [];
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
