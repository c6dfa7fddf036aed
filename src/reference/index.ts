// The Float64 reference: a direct transcription of docs/model.md, the ground truth for the GPU.
export {
  type RlstmSaved,
  type RnnSaved,
  rlstmBackward,
  rlstmForward,
  rnnBackward,
  rnnForward,
} from './cells.ts';
export {
  type ForwardResult,
  type NodeState,
  type Nudge,
  TreeDataError,
  type TreeForward,
  forwardTree,
  referenceForward,
  treeLabel,
  wordIndex,
} from './forward.ts';
export {
  type GradOptions,
  type GradResult,
  type NodeGrad,
  type TreeGrad,
  gradTree,
  referenceGrad,
} from './grad.ts';
export { crossEntropy, norm, sigmoid, softmax } from './linalg.ts';
