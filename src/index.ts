// `treegrad`: the public API, for Node and for pages. Trees and their text format, parameters,
// the Float64 reference, the level-batched WebGPU engine, training, and the keyword task.
// Browser-safe: it imports modules, never the Node-only ones (files, Dawn); those are `treegrad/node`.

// Trees: the type, the bracketed text format, shapes and generators.
export type { Internal, Leaf, Tree } from './trees/tree.ts';
export { leaf, node, withRootLabel } from './trees/tree.ts';
export {
  type ParseOptions,
  TreeParseError,
  formatTree,
  formatTrees,
  parseTree,
  parseTrees,
} from './trees/parse.ts';
export { depths, leaves, maxDepth, preorder, size } from './trees/shape.ts';
export { balancedTree, leftChain, randomTree, rightChain, treeWithLeafAtDepth } from './trees/generate.ts';
export { Rng } from './rng/index.ts';

// Parameters: cells, tensor names and shapes, initialisation.
export { CELLS, type Cell, isCell, tensorNames, tensorShapes } from './params/shapes.ts';
export { forwardMultiplyAdds } from './cells/index.ts';
export { type Params, initParams } from './params/params.ts';
export {
  type ParamsJson,
  ParamsError,
  type TensorJson,
  paramsFromJson,
  paramsToJson,
} from './params/json.ts';

// The Float64 reference: forward and backward of one batch, per-node gradient norms.
export { type ForwardResult, referenceForward } from './reference/forward.ts';
export { type GradOptions, referenceGrad } from './reference/grad.ts';
export type { GradResult, NodeGrad } from './grad/result.ts';
export { TreeDataError } from './trees/labels.ts';

// The GPU: a device, the engine, its per-node results.
export { type Gpu, type GpuOptions, GpuUnavailableError, getGpu } from './gpu/device.ts';
export { TreeEngine } from './engine/engine.ts';
export type { GpuBatch } from './engine/batch.ts';
export type { EngineOptions, ModelShape, StepOptions, StepResult } from './engine/types.ts';
export { engineGrad } from './engine/grad.ts';
export { nodeResults } from './engine/nodes.ts';

// Training: datasets in memory, the loop with AdaGrad, the keyword task.
export { type Dataset, type Example, example } from './train/dataset.ts';
export {
  type History,
  type LossMode,
  TRAIN_DEFAULTS,
  type TrainConfig,
  type TrainHooks,
  type TrainOutcome,
  train,
} from './train/loop.ts';
export {
  type KeywordConfig,
  KEYWORD_DEFAULTS,
  generateKeywordData,
  type KeywordData,
} from './data/keyword.ts';
export { keywordDataset } from './train/dataset.ts';
export { UNK, type UnknownCount, type Vocabulary, buildVocabulary, toVocabulary } from './data/vocab.ts';
