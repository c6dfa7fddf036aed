// What the engine needs to know of each cell, read from the registry (src/cells): its kernels, how
// to launch them, its uniform parameters, and which sums of outer products make its weight gradients.
import { type Cell, cellDef } from '../cells/index.ts';
import type { CellKernels } from '../cells/types.ts';
import { CELL_TENSORS } from '../params/shapes.ts';
import type { ParamLayout } from './layout.ts';

export { type GradTerms, type LevelLaunch, SRC } from '../cells/types.ts';

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

/** The level kernels' uniform: numLeaves, then the offset of each cell tensor in model.md's order. */
export function cellParams(layout: ParamLayout, numLeaves: number): Uint32Array {
  const names = CELL_TENSORS[layout.cell];
  const words = new Uint32Array(Math.ceil((1 + names.length) / 4) * 4);
  words[0] = numLeaves;
  names.forEach((name, i) => {
    words[i + 1] = layout.offsets[name]!;
  });
  return words;
}
