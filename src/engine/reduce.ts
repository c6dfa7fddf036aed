// The tables that drive shaders/outer_reduce.wgsl: which sums of outer products make each
// weight gradient, and where each lands in the flat gradient buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { type CellSpec, type GradTerms, SRC } from './cells.ts';
import type { ParamLayout } from './layout.ts';

/** Entries per tensor in the table (see the kernel's header). */
const ENTRY = 12;
/** Block edges outer_reduce supports (a workgroup owns a block² of one tensor), largest first. */
const BLOCKS = [32, 16, 8] as const;

/**
 * What a block costs beyond its products, in products (per row): staging its slices of the
 * deltas and inputs and the row loop. Measured on lavapipe (d = 50: 4 blocks of 32 take 0.40× the
 * time of 49 blocks of 8, and 0.68× that of 16 blocks of 16).
 */
const BLOCK_OVERHEAD = 192;

/**
 * outer_reduce's block edge for hidden size `dim`: the one with the least work for a d×d tensor,
 * blocks × (BLOCK_OVERHEAD + block²). d ≤ 8 → 8, 9 … 16 → 16, larger → 32 (1/16 of a 32-block
 * is used at d = 8, and every block costs its full size).
 */
export function reduceBlock(dim: number): number {
  const cost = (b: number) => Math.ceil(dim / b) ** 2 * (BLOCK_OVERHEAD + b * b);
  return BLOCKS.reduce((best, b) => (cost(b) < cost(best) ? b : best));
}

/**
 * outer_reduce's override constants at hidden size `dim`: the block edge, and the input slots of
 * the SRC table (src/cells/types.ts) by name (hLeft → SRC_H_LEFT). The shader declares each SRC_*
 * without a default, so a slot missing on either side fails when the pipeline is built.
 */
export function reduceConstants(dim: number): Record<string, number> {
  const slots = Object.entries(SRC).map(([name, v]) => [
    `SRC_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
    v,
  ]);
  return { BLOCK: reduceBlock(dim), ...Object.fromEntries(slots) };
}

/** One uploaded table: its tensors, blocks per chunk of rows, and elements in all. */
export interface ReduceTable {
  buffer: GPUBuffer;
  numTensors: number;
  /** Blocks over all the table's tensors (workgroups per chunk). */
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
  block: number,
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
    tiles += Math.ceil(rows / block) * Math.ceil(cols / block);
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
  const block = reduceBlock(layout.dim);
  return {
    cell: table(device, 'reduce table (cell)', layout, spec.grads, block),
    classifier: table(
      device,
      'reduce table (classifier)',
      layout,
      [
        { tensor: 'Wc', terms: [[0, SRC.hLeft]] },
        { tensor: 'bc', terms: [[0, SRC.one]] },
      ],
      block,
    ),
  };
}

/**
 * outer_reduce's uniform fields for R rows (gathered through idx with stride iStride, deltas with
 * stride dStride) and reduce_partials', with the chunking of R; the kernels pack them by name.
 */
export function reduceParams(
  t: ReduceTable,
  R: number,
  dStride: number,
  iStride: number,
  selfBase: number,
  dim: number,
  scale: number,
): { reduce: Record<string, number>; partials: Record<string, number>; numChunks: number } {
  const { numChunks, chunkRows } = chunking(R);
  const reduce = {
    R,
    dStride,
    iStride,
    numTensors: t.numTensors,
    selfBase,
    D: dim,
    scale,
    chunkRows,
    numChunks,
    tiles: t.tiles,
    partialStride: t.elements,
  };
  const partials = { elements: t.elements, numChunks, numTensors: t.numTensors, scale };
  return { reduce, partials, numChunks };
}
