// Parameter tensors: names, shapes and the canonical order, per docs/model.md.
// Canonical order: E, then the cell's tensors in model.md's order, then Wc, bc. Every consumer that
// packs tensors into one flat buffer (the GPU engine, AdaGrad state) uses this order, row-major.
import { CELLS, type Cell, REGISTRY } from '../cells/index.ts';

export { type Cell, CELLS, isCell } from '../cells/index.ts';

/** The cell's own tensors in model.md's order (without E, Wc, bc), from the registry. */
export const CELL_TENSORS: Readonly<Record<Cell, readonly string[]>> = Object.fromEntries(
  CELLS.map((c) => [c, REGISTRY[c].tensors]),
) as Record<Cell, readonly string[]>;

/** One tensor's name and shape ([rows, cols] for a matrix with y = W x, [n] for a vector). */
export type TensorSpec = readonly [name: string, shape: readonly number[]];

/** All tensor names of a cell in canonical order: E, the cell's tensors, Wc, bc. */
export function tensorNames(cell: Cell): string[] {
  return ['E', ...CELL_TENSORS[cell], 'Wc', 'bc'];
}

/** Names and shapes in canonical order for hidden size `dim`, vocabulary size `vocab`, `classes` classes. */
export function tensorShapes(cell: Cell, dim: number, vocab: number, classes: number): TensorSpec[] {
  return tensorNames(cell).map((name): TensorSpec => {
    if (name === 'E') return [name, [vocab, dim]];
    if (name === 'Wc') return [name, [classes, dim]];
    if (name === 'bc') return [name, [classes]];
    return [name, name.startsWith('b') ? [dim] : [dim, dim]];
  });
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Initialisation fan-in of a matrix per model.md: d × the number of d-vectors summed in its
 * pre-activation (the cell's registry entry; classifier 1). Undefined for E and biases.
 */
export function fanIn(cell: Cell, name: string, dim: number): number | undefined {
  if (name === 'Wc') return dim;
  const k = REGISTRY[cell].fanIn[name];
  return k === undefined ? undefined : k * dim;
}
