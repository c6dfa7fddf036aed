// What the engine needs to know of each cell, read from the registry (src/cells): its kernels, how
// to launch them, its uniform parameters, and which sums of outer products make its weight gradients.
import { type Cell, cellDef } from '../cells/index.ts';
import type { CellKernels, LevelLaunch } from '../cells/types.ts';
import { CELL_TENSORS } from '../params/shapes.ts';
import type { Kernel } from '../gpu/kernel.ts';
import type { ShaderInfo } from '../gpu/shaders.ts';
import { checkFields, UniformMismatchError } from '../gpu/uniforms.ts';
import type { ParamLayout } from './param-layout.ts';

export { type GradTerms, type LevelLaunch, type LevelShape, SRC } from '../cells/types.ts';

/** A cell as the engine sees it. */
export interface CellSpec extends CellKernels {
  cell: Cell;
  hasC: boolean;
}

/** The engine's description of `cell` at hidden size `dim`. */
export function cellSpec(cell: Cell, dim: number): CellSpec {
  if (!Number.isInteger(dim) || dim < 1 || dim > 512)
    throw new RangeError(`dim must be an integer in 1 … 512, got ${dim}`);
  const def = cellDef(cell);
  return { cell, hasC: def.hasC, ...def.kernels(dim) };
}

/** The level kernels' `Params` fields: numLeaves, then off<tensor> for each cell tensor in model.md's order. */
export function cellParamFields(cell: Cell): string[] {
  return ['numLeaves', ...CELL_TENSORS[cell].map((name) => `off${name}`)];
}

/**
 * Checks a level kernel's `Params` struct against the cell's tensor list, field by field and in
 * order (forward and backward share one uniform buffer), and its `Range` struct against the
 * (start, count) pairs of the dispatch ranges, when its pipeline is built.
 */
export function checkCellKernel(info: ShaderInfo, cell: Cell): void {
  const layout = info.uniforms.params;
  if (!layout) throw new UniformMismatchError(`kernel ${info.name}: no uniform binding "params"`);
  checkFields(info.name, 'params', layout, cellParamFields(cell), `the ${cell} tensors`);
  // The dispatch ranges are written as (start, count) pairs, one per RANGE_STRIDE (GpuBatch).
  const range = info.uniforms.range;
  if (!range) throw new UniformMismatchError(`kernel ${info.name}: no uniform binding "range"`);
  checkFields(info.name, 'range', range, ['start', 'count'], 'a dispatch range');
}

/** The level kernels' uniform, packed by field name: numLeaves and the offset of each cell tensor. */
export function cellParams(kernel: Kernel, layout: ParamLayout, numLeaves: number): Uint32Array {
  const offsets = CELL_TENSORS[layout.cell].map((name) => [`off${name}`, layout.offsets[name]!] as const);
  return kernel.pack('params', { numLeaves, ...Object.fromEntries(offsets) });
}

/**
 * Levels of at least this many nodes run in a launch's widest shape when wide shapes are on (CPU
 * drivers). Below it the extra padding nodes of a short last workgroup cost more than the wide
 * shape saves: on lavapipe at d = 50 a workgroup of 8 RLSTM nodes costs ~1.75× (forward) to
 * ~1.9× (backward) one of 4.
 */
export const WIDE_LEVEL_NODES = 64;

/** Which of `launch`'s shapes runs a level of `count` nodes (see WIDE_LEVEL_NODES). */
export function levelShape(launch: LevelLaunch, count: number, wide: boolean): number {
  return wide && count >= WIDE_LEVEL_NODES ? launch.shapes.length - 1 : 0;
}
