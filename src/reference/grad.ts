// Reference backward pass: softmax and cross-entropy at the root (or at every labelled node), then
// backward in pre-order (parents first). Parameter gradients are of the batch loss (mean over
// trees); per-node gradients of each tree's own loss.
import type { Params } from '../params/params.ts';
import { tensor, zerosLike } from '../params/params.ts';
import type { Tree } from '../trees/tree.ts';
import { cellDef } from '../cells/index.ts';
import { type NodeState, forwardTree } from './forward.ts';
import { type GradResult, type NodeGrad, focalRatio } from '../grad/result.ts';
import { lossLabels, treeLabel, wordIndex } from '../trees/labels.ts';
import { crossEntropy, matTVecAdd, matVecAdd, norm, outerAdd, softmax } from './linalg.ts';

// The result types and focal ratios are shared with the engine; re-exported for the reference's users.
export { type GradResult, type NodeGrad, focalIndex, focalRatio } from '../grad/result.ts';
export { lossLabels } from '../trees/labels.ts';

/** Gradients of one tree's own loss J_t: per node (pre-order) ∂J_t/∂h and, for a cell with a memory cell, total ∂J_t/∂c. */
export interface TreeGrad {
  loss: number;
  dh: Float64Array[];
  dc: Float64Array[] | undefined;
  nodes: NodeState[];
}

/**
 * Options: `focal` is a pre-order index used in every tree; otherwise the tree's one keyword leaf
 * (k + digits). `loss` is where the classifier's loss is taken: the root only (default), or every
 * labelled node, a tree's loss then being the sum over its labelled nodes.
 */
export interface GradOptions {
  focal?: number;
  loss?: 'root' | 'all';
}

/**
 * Forward and backward of one tree with label `label`; adds the (unscaled) parameter gradients of
 * J_t into G and returns the per-node gradient vectors. With `loss` 'all', J_t is the sum of the
 * cross-entropies at every labelled node.
 */
export function gradTree(
  params: Params,
  tree: Tree,
  label: number,
  ids: ReadonlyMap<string, number>,
  treeNo: number,
  G: Record<string, Float64Array>,
  loss: 'root' | 'all' = 'root',
): TreeGrad {
  const { dim: d, classes: C } = params;
  const P = params.tensors;
  const f = forwardTree(params, tree, ids, treeNo);
  const targets = lossLabels(tree, label, C, treeNo, loss);
  const dWc = tensor(G, 'Wc');
  const dbc = tensor(G, 'bc');
  let total = 0;
  // J = −log p[y] at a node; ∂J/∂logits = p − onehot(y); its part of ∂J/∂h is Wcᵀ(p − onehot(y)).
  const classify = (node: NodeState, y: number): Float64Array => {
    const logits = Float64Array.from(tensor(P, 'bc'));
    matVecAdd(logits, tensor(P, 'Wc'), node.h, C, d);
    total += crossEntropy(logits, y);
    const dlogits = softmax(logits);
    dlogits[y] = (dlogits[y] as number) - 1;
    outerAdd(dWc, dlogits, node.h, C, d);
    dlogits.forEach((g, k) => {
      dbc[k] = (dbc[k] as number) + g;
    });
    const dh = new Float64Array(d);
    matTVecAdd(dh, tensor(P, 'Wc'), dlogits, C, d);
    return dh;
  };

  const n = f.nodes.length;
  const dh: Float64Array[] = new Array(n);
  const def = cellDef(params.cell);
  const dc: Float64Array[] | undefined = def.hasC ? new Array(n) : undefined;
  const dE = tensor(G, 'E');
  // Parents before children (pre-order): a node's dh and dc are complete when its turn comes.
  const dhIn: Float64Array[] = new Array(n);
  const dcIn: Float64Array[] = new Array(n);
  dcIn[0] = new Float64Array(d);
  for (let idx = 0; idx < n; idx++) {
    const s = f.nodes[idx] as NodeState;
    const y = targets[idx];
    // The root's gradient is its loss's alone; another labelled node adds its own to its parent's.
    if (y !== undefined) {
      const own = classify(s, y);
      const fromParent = dhIn[idx];
      if (fromParent) for (let k = 0; k < d; k++) own[k] = (own[k] as number) + (fromParent[k] as number);
      dhIn[idx] = own;
    }
    const gradH = dhIn[idx] as Float64Array;
    dh[idx] = gradH;
    if (s.saved === undefined) {
      // Leaf: h = E[word], c = 0 (a constant); ∂J/∂c arrives only from the parent.
      if (dc) dc[idx] = dcIn[idx] as Float64Array;
      const row = s.wordId * d;
      for (let k = 0; k < d; k++) dE[row + k] = (dE[row + k] as number) + (gradH[k] as number);
    } else {
      const g = def.reference.backward(P, G, d, s.saved, gradH, dcIn[idx] ?? new Float64Array(d));
      [dhIn[s.left], dhIn[s.right]] = [g.dhL, g.dhR];
      if (dc) {
        dc[idx] = g.dc as Float64Array;
        [dcIn[s.left], dcIn[s.right]] = [g.dcL as Float64Array, g.dcR as Float64Array];
      }
    }
  }
  return { loss: total, dh, dc, nodes: f.nodes };
}

/**
 * Loss and gradients of a batch of trees: loss = mean over trees of −log p[label] at the root (with
 * `options.loss` 'all': summed over each tree's labelled nodes), paramGrads = ∂loss/∂θ
 * (L2 not included), per-node gh/gc of each tree's own loss J_t in pre-order, and gh(focal)/gh(root).
 * Labels default to the roots' labels.
 */
export function referenceGrad(
  params: Params,
  trees: readonly Tree[],
  labels?: readonly number[],
  options: GradOptions = {},
): GradResult {
  if (trees.length === 0) throw new RangeError('referenceGrad needs at least one tree');
  const ids = wordIndex(params.vocab);
  const G = zerosLike(params);
  let total = 0;
  const nodes: NodeGrad[][] = [];
  const ratios: (number | null)[] = [];
  trees.forEach((tree, t) => {
    const label = treeLabel(tree, t + 1, params.classes, labels?.[t]);
    const g = gradTree(params, tree, label, ids, t + 1, G, options.loss);
    total += g.loss;
    const gh = g.dh.map(norm);
    const records = g.nodes.map((s, i) => {
      const rec: NodeGrad = { depth: s.depth, gh: gh[i] as number };
      if (g.dc) rec.gc = norm(g.dc[i] as Float64Array);
      if (s.word !== undefined) rec.word = s.word;
      return rec;
    });
    nodes.push(records);
    ratios.push(focalRatio(records, t + 1, options.focal));
  });
  const scale = 1 / trees.length;
  for (const t of Object.values(G)) for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) * scale;
  return { loss: total * scale, paramGrads: G, nodes, ratios };
}
