// Parameter tensors: names, shapes and the canonical order, per docs/model.md.
// Canonical order: E, then the cell's tensors in model.md's order, then Wc, bc. Every consumer that
// packs tensors into one flat buffer (the GPU engine, AdaGrad state) uses this order, row-major.

/** The two recursive cells. */
export type Cell = 'rnn' | 'rlstm';

/** The cells, for validating user input. */
export const CELLS: readonly Cell[] = ['rnn', 'rlstm'];

/** The cell's own tensors in model.md's order (without E, Wc, bc). */
export const CELL_TENSORS: Readonly<Record<Cell, readonly string[]>> = {
  rnn: ['W_L', 'W_R', 'b'],
  rlstm: [
    'Wi',
    'Wi_sib',
    'Ui',
    'Ui_sib',
    'bi',
    'Wf',
    'Wf_sib',
    'Uf',
    'Uf_sib',
    'bf',
    'W_L',
    'W_R',
    'b',
    'O_L',
    'O_R',
    'O_c',
    'bo',
  ],
};

/** One tensor's name and shape ([rows, cols] for a matrix with y = W x, [n] for a vector). */
export type TensorSpec = readonly [name: string, shape: readonly number[]];

/** Whether `value` names one of the cells. */
export function isCell(value: string): value is Cell {
  return (CELLS as readonly string[]).includes(value);
}

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
 * pre-activation (RNN 2; RLSTM gates 4, W_L/W_R 2, output gate 3; classifier 1). Undefined for E and biases.
 */
export function fanIn(cell: Cell, name: string, dim: number): number | undefined {
  if (name === 'Wc') return dim;
  if (name === 'E' || name.startsWith('b')) return undefined;
  if (cell === 'rnn' || name === 'W_L' || name === 'W_R') return 2 * dim;
  if (name.startsWith('O_')) return 3 * dim;
  return 4 * dim;
}
