// The tables that drive shaders/outer_reduce.wgsl: which sums of outer products make each
// weight gradient, and where each lands in the flat gradient buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { type CellSpec, type GradTerms, SRC } from './cells.ts';
import type { ParamLayout } from './layout.ts';

/** Entries per tensor in the table (see the kernel's header). */
const ENTRY = 12;
/** Block edge of outer_reduce (a workgroup owns a REDUCE_TILE² block of one tensor). */
export const REDUCE_TILE = 32;

/** One uploaded table and how many workgroups its dispatch needs. */
export interface ReduceTable {
  buffer: GPUBuffer;
  numTensors: number;
  workgroups: number;
}

function table(
  device: GPUDevice,
  label: string,
  layout: ParamLayout,
  grads: readonly GradTerms[],
): ReduceTable {
  const words = new Uint32Array(grads.length * ENTRY);
  let tiles = 0;
  grads.forEach((g, e) => {
    const shape = layout.shapes[g.tensor];
    if (!shape) throw new Error(`no tensor "${g.tensor}" in the layout`);
    const rows = shape[0]!;
    const cols = shape.length > 1 ? shape[1]! : 1;
    words.set([layout.offsets[g.tensor]!, rows, cols, tiles, g.terms.length], e * ENTRY);
    g.terms.forEach(([slot, src], t) => {
      words.set([slot, src], e * ENTRY + 5 + 2 * t);
    });
    tiles += Math.ceil(rows / REDUCE_TILE) * Math.ceil(cols / REDUCE_TILE);
  });
  return {
    buffer: uploadBuffer(device, label, words, GPUBufferUsage.STORAGE),
    numTensors: grads.length,
    workgroups: tiles,
  };
}

/** The cell's table (over internal nodes) and the classifier's (over roots). */
export function reduceTables(
  device: GPUDevice,
  layout: ParamLayout,
  spec: CellSpec,
): { cell: ReduceTable; classifier: ReduceTable } {
  return {
    cell: table(device, 'reduce table (cell)', layout, spec.grads),
    classifier: table(device, 'reduce table (classifier)', layout, [
      { tensor: 'Wc', terms: [[0, SRC.hLeft]] },
      { tensor: 'bc', terms: [[0, SRC.one]] },
    ]),
  };
}

/** outer_reduce's uniform: R, dStride, iStride, numTensors, selfBase, D, scale (f32), pad. */
export function reduceParams(
  R: number,
  dStride: number,
  iStride: number,
  numTensors: number,
  selfBase: number,
  dim: number,
  scale: number,
): Uint32Array {
  const words = new Uint32Array([R, dStride, iStride, numTensors, selfBase, dim, 0, 0]);
  new Float32Array(words.buffer)[6] = scale;
  return words;
}
