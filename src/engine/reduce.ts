// The tables that drive shaders/outer_reduce.wgsl: which sums of outer products make each
// weight gradient, and where each lands in the flat gradient buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { type CellSpec, type GradTerms, SRC } from './cells.ts';
import type { ParamLayout } from './layout.ts';

/** Entries per tensor in the table (see the kernel's header). */
const ENTRY = 12;
/** Block edge of outer_reduce (a workgroup owns a REDUCE_TILE² block of one tensor). */
export const REDUCE_TILE = 32;

/** One uploaded table: its tensors, blocks per chunk of rows, and elements in all. */
export interface ReduceTable {
  buffer: GPUBuffer;
  numTensors: number;
  /** 32 × 32 blocks over all the table's tensors (workgroups per chunk). */
  tiles: number;
  /** Elements of all the table's tensors (the stride of a chunk's partial sums). */
  elements: number;
}

/** Rows per chunk the reduction aims for: enough work per workgroup, enough workgroups per step. */
const ROWS_PER_CHUNK = 128;
/** Most chunks (the partial sums take chunks × elements floats). */
const MAX_CHUNKS = 32;

/** How a reduction over R rows is split into chunks (one chunk: no second pass). */
export function chunking(R: number): { numChunks: number; chunkRows: number } {
  const numChunks = Math.max(1, Math.min(MAX_CHUNKS, Math.ceil(R / ROWS_PER_CHUNK)));
  return { numChunks, chunkRows: Math.max(1, Math.ceil(R / numChunks)) };
}

function table(
  device: GPUDevice,
  label: string,
  layout: ParamLayout,
  grads: readonly GradTerms[],
): ReduceTable {
  const words = new Uint32Array(grads.length * ENTRY);
  let tiles = 0;
  let elements = 0;
  grads.forEach((g, e) => {
    const shape = layout.shapes[g.tensor];
    if (!shape) throw new Error(`no tensor "${g.tensor}" in the layout`);
    const rows = shape[0]!;
    const cols = shape.length > 1 ? shape[1]! : 1;
    words.set([layout.offsets[g.tensor]!, rows, cols, tiles, g.terms.length], e * ENTRY);
    words[e * ENTRY + 9] = elements;
    elements += rows * cols;
    g.terms.forEach(([slot, src], t) => {
      words.set([slot, src], e * ENTRY + 5 + 2 * t);
    });
    tiles += Math.ceil(rows / REDUCE_TILE) * Math.ceil(cols / REDUCE_TILE);
  });
  return {
    buffer: uploadBuffer(device, label, words, GPUBufferUsage.STORAGE),
    numTensors: grads.length,
    tiles,
    elements,
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

/**
 * outer_reduce's uniform for R rows (gathered through idx with stride iStride, deltas with stride
 * dStride) and reduce_partials' uniform, with the chunking of R.
 */
export function reduceParams(
  t: ReduceTable,
  R: number,
  dStride: number,
  iStride: number,
  selfBase: number,
  dim: number,
  scale: number,
): { reduce: Uint32Array; partials: Uint32Array; numChunks: number } {
  const { numChunks, chunkRows } = chunking(R);
  const reduce = new Uint32Array([
    R,
    dStride,
    iStride,
    t.numTensors,
    selfBase,
    dim,
    0,
    chunkRows,
    numChunks,
    t.tiles,
    t.elements,
    0,
  ]);
  new Float32Array(reduce.buffer)[6] = scale;
  const partials = new Uint32Array([t.elements, numChunks, t.numTensors, 0]);
  new Float32Array(partials.buffer)[3] = scale;
  return { reduce, partials, numChunks };
}
