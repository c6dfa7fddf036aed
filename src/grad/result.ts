// What a gradient computation returns, whichever computes it (the Float64 reference or the GPU
// engine): batch loss, parameter gradients, per-node gradient norms, and gh(focal)/gh(root).
import { TreeDataError } from '../trees/labels.ts';

/** One node's gradient record, in pre-order: gh = ‖∂J_t/∂h‖, gc = ‖∂J_t/∂c‖ (cells with a memory cell), word at leaves. */
export interface NodeGrad {
  depth: number;
  gh: number;
  gc?: number;
  word?: string;
}

/** Result of a batch's gradients (referenceGrad, engineGrad): batch loss, parameter gradients by name, per-node norms and focal ratios. */
export interface GradResult {
  loss: number;
  paramGrads: Record<string, Float64Array>;
  nodes: NodeGrad[][];
  /** gh(focal)/gh(root) per tree; null where the tree has no focal leaf. */
  ratios: (number | null)[];
}

const KEYWORD = /^k\d+$/;

/** Pre-order index of the focal node of tree `treeNo`: the option if given, else its single keyword leaf. */
export function focalIndex(
  nodes: readonly { word?: string }[],
  treeNo: number,
  focal: number | undefined,
): number | undefined {
  if (focal !== undefined) {
    if (!Number.isInteger(focal) || focal < 0 || focal >= nodes.length) {
      throw new TreeDataError(treeNo, `focal node ${focal} is not a pre-order index 0 … ${nodes.length - 1}`);
    }
    return focal;
  }
  const keywords = nodes.flatMap((s, i) => (s.word !== undefined && KEYWORD.test(s.word) ? [i] : []));
  return keywords.length === 1 ? keywords[0] : undefined;
}

/** gh(focal)/gh(root) of one tree's pre-order node records; null without a focal node or when not finite. */
export function focalRatio(
  nodes: readonly NodeGrad[],
  treeNo: number,
  focal: number | undefined,
): number | null {
  const f = focalIndex(nodes, treeNo, focal);
  const ratio = f === undefined ? null : (nodes[f] as NodeGrad).gh / (nodes[0] as NodeGrad).gh;
  return ratio !== null && Number.isFinite(ratio) ? ratio : null;
}
