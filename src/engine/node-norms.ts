// From rows back to trees: per-node gradient norms in each tree's pre-order, as the reference
// and `treegrad grad` report them.
import type { LevelPlan } from '../plan/levels.ts';
import type { NodeGrad } from '../grad/result.ts';

/**
 * Per tree, in pre-order: depth, gh (and gc when `hasC`), and the word at leaves, from the
 * row-indexed norms a backward step read back.
 */
export function nodeGrads(
  plan: LevelPlan,
  norms: Float32Array,
  hasC: boolean,
  vocab: readonly string[],
): NodeGrad[][] {
  const out: NodeGrad[][] = [];
  for (let t = 0; t < plan.numTrees; t++) {
    const first = plan.preorderOffset[t]!;
    const last = plan.preorderOffset[t + 1]!;
    const nodes: NodeGrad[] = [];
    for (let i = first; i < last; i++) {
      const row = plan.rowOfPreorder[i]!;
      const rec: NodeGrad = { depth: plan.depthOfRow[row]!, gh: norms[2 * row]! };
      if (hasC) rec.gc = norms[2 * row + 1]!;
      if (row < plan.numLeaves) rec.word = vocab[plan.leafWords[row]!]!;
      nodes.push(rec);
    }
    out.push(nodes);
  }
  return out;
}
