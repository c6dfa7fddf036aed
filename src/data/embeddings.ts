// Pretrained word vectors for some rows of E, and copying them into freshly initialised
// parameters. Pure: no Node APIs (src/data/vectors.ts streams them from a file).
import type { Params } from '../params/params.ts';

/** Vectors for some vocabulary rows: row `rows[k]` of E gets `values[k·dim … (k+1)·dim)`. */
export interface PretrainedRows {
  dim: number;
  rows: number[];
  values: Float32Array;
}

/** Copies the pretrained rows into `params`' E (in place; every other row keeps its initial value). */
export function copyPretrainedRows(params: Params, pretrained: PretrainedRows): Params {
  const E = params.tensors.E;
  if (!E) throw new Error('the parameters have no E');
  if (pretrained.dim !== params.dim)
    throw new RangeError(`the pretrained vectors have ${pretrained.dim} dimensions, the model ${params.dim}`);
  const d = params.dim;
  pretrained.rows.forEach((row, k) => {
    if (!Number.isInteger(row) || row < 0 || row >= params.vocab.length)
      throw new RangeError(`pretrained row ${row} is outside the vocabulary (${params.vocab.length} words)`);
    for (let j = 0; j < d; j++) E[row * d + j] = pretrained.values[k * d + j]!;
  });
  return params;
}
