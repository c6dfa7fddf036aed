// Model parameters: tensor names and shapes, initialisation, and parameter files.
export {
  CELLS,
  CELL_TENSORS,
  type Cell,
  type TensorSpec,
  fanIn,
  isCell,
  numel,
  tensorNames,
  tensorShapes,
} from './shapes.ts';
export { type Params, initParams, tensor, zerosLike } from './params.ts';
export {
  type ParamsJson,
  ParamsError,
  type TensorJson,
  loadParams,
  paramsFromJson,
  paramsToJson,
  saveParams,
} from './io.ts';
