// Reference forward pass over one tree: children before parents, nodes numbered in pre-order.
// (Iterative rather than recursive, so chains thousands of nodes deep cannot overflow the stack.)
import type { Params } from '../params/params.ts';
import { tensor } from '../params/params.ts';
import { type NodeInfo, numberNodes } from '../trees/shape.ts';
import type { Tree } from '../trees/tree.ts';
import { cellDef } from '../cells/index.ts';
import type { Saved } from '../cells/types.ts';
import { crossEntropy, matVecAdd, softmax } from './linalg.ts';
import { TreeDataError, treeLabel, wordIndex } from '../trees/labels.ts';

// The label checks live beside the trees (the engine uses them too); re-exported for the reference's users.
export { TreeDataError, treeLabel, wordIndex } from '../trees/labels.ts';

/** One node after the forward pass, in pre-order; `saved` is what the cell's backward needs. */
export interface NodeState {
  readonly depth: number;
  readonly left: number;
  readonly right: number;
  /** Row of E for a leaf, -1 for an internal node. */
  readonly wordId: number;
  readonly word: string | undefined;
  readonly h: Float64Array;
  /** The memory cell (zeros at a leaf); undefined for a cell without one. */
  readonly c: Float64Array | undefined;
  readonly saved: Saved | undefined;
}

/** A probe for finite differences: adds `delta` to h or c of pre-order node `node`, component `index`. */
export interface Nudge {
  node: number;
  which: 'h' | 'c';
  index: number;
  delta: number;
}

/** Forward result of one tree: nodes in pre-order (root = 0), root logits and class probabilities. */
export interface TreeForward {
  nodes: NodeState[];
  logits: Float64Array;
  probs: Float64Array;
}

/** Runs the cell over one tree bottom-up; `treeNo` (1-based) names the tree in errors. */
export function forwardTree(
  params: Params,
  tree: Tree,
  ids: ReadonlyMap<string, number>,
  treeNo: number,
  nudge?: Nudge,
): TreeForward {
  const { dim: d } = params;
  const def = cellDef(params.cell);
  const P = params.tensors;
  const E = tensor(P, 'E');
  const shift = (idx: number, which: 'h' | 'c', v: Float64Array | undefined) => {
    if (nudge && v && nudge.node === idx && nudge.which === which)
      v[nudge.index] = (v[nudge.index] as number) + nudge.delta;
  };
  // Children before parents: in pre-order every child comes after its parent, so walk it backwards.
  const info = numberNodes(tree);
  const nodes: NodeState[] = new Array(info.length);
  for (let idx = info.length - 1; idx >= 0; idx--) {
    const { node: t, depth, left: l, right: r } = info[idx] as NodeInfo;
    if (t.kind === 'leaf') {
      const id = ids.get(t.word);
      if (id === undefined)
        throw new TreeDataError(treeNo, `unknown word "${t.word}" (not in the vocabulary)`);
      const h = E.slice(id * d, (id + 1) * d);
      const c = def.hasC ? new Float64Array(d) : undefined;
      shift(idx, 'h', h);
      shift(idx, 'c', c);
      nodes[idx] = { depth, left: -1, right: -1, wordId: id, word: t.word, h, c, saved: undefined };
      continue;
    }
    const L = nodes[l] as NodeState;
    const R = nodes[r] as NodeState;
    const shiftC = nudge && nudge.node === idx && nudge.which === 'c' ? nudge : undefined;
    const saved = def.reference.forward(P, d, L, R, shiftC);
    const h = saved.h;
    shift(idx, 'h', h);
    const c = saved.c;
    nodes[idx] = { depth, left: l, right: r, wordId: -1, word: undefined, h, c, saved };
  }
  const root = nodes[0] as NodeState;
  const logits = Float64Array.from(tensor(P, 'bc'));
  matVecAdd(logits, tensor(P, 'Wc'), root.h, params.classes, d);
  return { nodes, logits, probs: softmax(logits) };
}

/** Evaluation output of one tree: h (and c) per node in pre-order, logits, probabilities, prediction, loss if labelled. */
export interface ForwardResult {
  h: Float64Array[];
  c: Float64Array[] | undefined;
  logits: Float64Array;
  probs: Float64Array;
  prediction: number;
  loss: number | undefined;
}

/** Forward only, for evaluation: every tree's states, class probabilities, argmax prediction and (if labelled) loss. */
export function referenceForward(
  params: Params,
  trees: readonly Tree[],
  labels?: readonly number[],
): ForwardResult[] {
  const ids = wordIndex(params.vocab);
  return trees.map((tree, t) => {
    const f = forwardTree(params, tree, ids, t + 1);
    const given = labels?.[t];
    const label = given ?? tree.label;
    const loss =
      label === undefined ? undefined : crossEntropy(f.logits, treeLabel(tree, t + 1, params.classes, given));
    let prediction = 0;
    f.probs.forEach((p, k) => {
      if (p > (f.probs[prediction] as number)) prediction = k;
    });
    return {
      h: f.nodes.map((n) => n.h),
      c: cellDef(params.cell).hasC ? f.nodes.map((n) => n.c as Float64Array) : undefined,
      logits: f.logits,
      probs: f.probs,
      prediction,
      loss,
    };
  });
}
