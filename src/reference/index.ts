// The Float64 reference: a direct transcription of docs/model.md, the ground truth for the GPU.
export { type RlstmSaved, rlstmBackward, rlstmForward } from '../cells/rlstm/index.ts';
export { type RnnSaved, rnnBackward, rnnForward } from '../cells/rnn/index.ts';
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
