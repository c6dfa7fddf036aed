// A model's parameters: the cell, sizes, the vocabulary (row i of E is word i) and the tensors.
import { Rng } from '../rng/index.ts';
import { type Cell, fanIn, numel, tensorShapes } from './shapes.ts';

export { tensor } from '../reference/linalg.ts';

/** Parameters of one model; every tensor is row-major Float64 with the shape tensorShapes gives. */
export interface Params {
  readonly cell: Cell;
  readonly dim: number;
  readonly classes: number;
  readonly vocab: readonly string[];
  readonly tensors: Record<string, Float64Array>;
}

/** The parameter with every tensor set to zero (same names and shapes); a gradient accumulator. */
export function zerosLike(params: Params): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const [name, t] of Object.entries(params.tensors)) out[name] = new Float64Array(t.length);
  return out;
}

/**
 * Initial parameters per model.md, seeded: matrices uniform in ±1/√fan_in, biases 0, E ~ N(0, 1).
 * Draws go tensor by tensor in canonical order, row-major, from Rng.fromSeed(seed).
 */
export function initParams(
  cell: Cell,
  dim: number,
  vocab: readonly string[],
  classes: number,
  seed: number,
): Params {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(classes) || classes < 1)
    throw new RangeError(`classes must be a positive integer, got ${classes}`);
  if (vocab.length === 0) throw new RangeError('the vocabulary is empty');
  const rng = Rng.fromSeed(seed);
  const tensors: Record<string, Float64Array> = {};
  for (const [name, shape] of tensorShapes(cell, dim, vocab.length, classes)) {
    const t = new Float64Array(numel(shape));
    const fan = fanIn(cell, name, dim);
    if (name === 'E') for (let i = 0; i < t.length; i++) t[i] = rng.normal();
    else if (fan !== undefined) {
      const a = 1 / Math.sqrt(fan);
      for (let i = 0; i < t.length; i++) t[i] = rng.uniform(-a, a);
    }
    tensors[name] = t;
  }
  return { cell, dim, classes, vocab: [...vocab], tensors };
}
