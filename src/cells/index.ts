// The cell registry: every recursive cell treegrad knows, one definition each (src/cells/<name>/).
// The engine, the reference, the CLI, the report, the benchmark, the page and the tests iterate
// it; adding a cell is a folder, its shaders, and one line here (docs/engine.md, "Adding a cell").
import { rlstm } from './rlstm/index.ts';
import { rnn } from './rnn/index.ts';
import { treelstm } from './treelstm/index.ts';
import type { CellDef } from './types.ts';

/** Every cell by name, in report order. */
export const REGISTRY = { rnn, rlstm, treelstm } as const satisfies Record<string, CellDef>;

/** A cell's name. */
export type Cell = keyof typeof REGISTRY;

/** The cells in report order, for validating input and iterating. */
export const CELLS: readonly Cell[] = Object.keys(REGISTRY) as Cell[];

/** Whether `value` names one of the cells. */
export function isCell(value: string): value is Cell {
  return Object.hasOwn(REGISTRY, value);
}

/** The definition of `cell`. */
export function cellDef(cell: Cell): CellDef {
  return REGISTRY[cell];
}

/** The cells as words for usage text and errors: "rnn, rlstm or treelstm". */
export function cellList(joiner = 'or'): string {
  return CELLS.length === 1 ? CELLS[0]! : `${CELLS.slice(0, -1).join(', ')} ${joiner} ${CELLS.at(-1)}`;
}

/**
 * d × d multiply-adds of the forward pass over `internal` nodes of `cell` at hidden size `dim`: its
 * mat-vecs per internal node (model.md) · d² each. The classifier and the leaves are left out.
 */
export function forwardMultiplyAdds(cell: Cell, dim: number, internal: number): number {
  return REGISTRY[cell].matvecs * internal * dim * dim;
}

/** Multiply-adds of a training step (forward and backward): the backward does about twice the forward's. */
export function stepMultiplyAdds(cell: Cell, dim: number, internal: number): number {
  return 3 * forwardMultiplyAdds(cell, dim, internal);
}

export type * from './types.ts';
