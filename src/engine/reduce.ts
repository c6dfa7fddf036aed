// The tables that drive the weight-gradient kernels (shaders/outer_reduce_vec4.wgsl for the cell,
// shaders/outer_reduce_blocks.wgsl for the classifier): which sums of outer products make each
// weight gradient, and where each lands in the flat gradient buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { type CellSpec, type GradTerms, SRC } from './cells.ts';
import type { ParamLayout } from './param-layout.ts';

/** Entries per tensor in the table (see the kernels' headers). */
const ENTRY = 12;
/** Invocations per workgroup of both block kernels. */
const BLOCK_WG = 64;

/** A block of a tensor that one invocation owns: quads (4) of rows (bo) and of columns (bk). */
export interface Block {
  bo: number;
  bk: number;
}

/**
 * The cell's block: 8 × 8, four vec4 loads feeding 64 FMAs per row. On lavapipe (Dawn, Mesa 25),
 * a batch-5 training step of keyword dataset 5 at d = 50 (220 rows): 8 × 8 1.3–2.8× faster than
 * 4 × 4 or 8 × 4, and 3.4–4.5× faster than the tiled kernel in workgroup memory it replaced; 64 of
 * those trees (~2,200 rows) at d = 128: 2.4× faster than the tiles; at d = 8 ~2× faster than
 * scalar 4 × 4 blocks.
 */
export const CELL_BLOCK: Block = { bo: 2, bk: 2 };
/**
 * The classifier's block: 4 × 4 with scalar loads; its C rows and its deltas' stride C need not be
 * multiples of 4.
 */
export const CLASSIFIER_BLOCK: Block = { bo: 1, bk: 1 };

/** A weight-gradient kernel: its shader and override constants. */
export interface ReduceKernel {
  shader: string;
  constants: Record<string, number>;
}

/**
 * The input slots of the SRC table (src/cells/types.ts) by name (hLeft → SRC_H_LEFT). The shaders
 * declare each SRC_* without a default, so a slot missing on either side fails when the pipeline
 * is built.
 */
function srcSlots(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(SRC).map(([name, v]) => [
      `SRC_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      v,
    ]),
  );
}

/**
 * The cell's weight-gradient kernel at the engine's width `dim` (gpuDim: a multiple of 4, so
 * every row of deltas, H and C is whole vec4s): outer_reduce_vec4 with CELL_BLOCK.
 */
export function reduceKernel(dim: number): ReduceKernel {
  if (dim % 4 !== 0)
    throw new RangeError(`the cell's reduction needs a width that is a multiple of 4, got ${dim}`);
  return {
    shader: 'outer_reduce_vec4',
    constants: { WG: BLOCK_WG, BO: CELL_BLOCK.bo, BK: CELL_BLOCK.bk, ...srcSlots() },
  };
}

/** The classifier's weight-gradient kernel at every d: outer_reduce_blocks (CLASSIFIER_BLOCK). */
export function classifierReduceKernel(): ReduceKernel {
  return { shader: 'outer_reduce_blocks', constants: { WG: BLOCK_WG, ...srcSlots() } };
}

/** One uploaded table: its tensors, blocks and elements. */
export interface ReduceTable {
  buffer: GPUBuffer;
  numTensors: number;
  /** Blocks over all the table's tensors: invocations per chunk of rows. */
  blocks: number;
  /** Elements of all the table's tensors (the stride of a chunk's partial sums). */
  elements: number;
}

/** Invocations a reduction aims for before it splits its rows into chunks: 8 workgroups. */
const MIN_INVOCATIONS = 8 * BLOCK_WG;
/**
 * Fewest rows per chunk: each invocation then does at least 256 × 64 FMAs before a second pass is
 * worth its dispatch. A batch-5 training step (~220 rows at d = 50) takes one chunk: on lavapipe
 * the RNN's step lost its reduce_partials dispatch (110–120 µs) and the reduction took no longer.
 */
const MIN_CHUNK_ROWS = 256;
/** Most chunks (the partial sums take chunks × elements floats). */
const MAX_CHUNKS = 32;

/**
 * How a reduction over R rows with `blocks` blocks splits its rows into chunks (one chunk: no
 * second pass). Rows are split only while the blocks alone are too few invocations to keep a
 * device busy: the second pass over the partial sums costs more than it buys once there are
 * enough (the RLSTM's ~900 blocks at d = 50 take one chunk; the RNN's ~100 take several once there are
 * enough rows).
 */
export function chunking(R: number, blocks: number): { numChunks: number; chunkRows: number } {
  const wanted = Math.ceil(MIN_INVOCATIONS / Math.max(1, blocks));
  const numChunks = Math.max(1, Math.min(MAX_CHUNKS, wanted, Math.floor(R / MIN_CHUNK_ROWS)));
  return { numChunks, chunkRows: Math.max(1, Math.ceil(R / numChunks)) };
}

function table(
  device: GPUDevice,
  label: string,
  layout: ParamLayout,
  grads: readonly GradTerms[],
  block: Block,
): ReduceTable {
  const words = new Uint32Array(grads.length * ENTRY);
  let blocks = 0;
  let elements = 0;
  grads.forEach((g, e) => {
    const shape = layout.shapes[g.tensor];
    if (!shape) throw new Error(`no tensor "${g.tensor}" in the layout`);
    const rows = shape[0]!;
    const cols = shape.length > 1 ? shape[1]! : 1;
    words.set([layout.offsets[g.tensor]!, rows, cols, blocks, g.terms.length], e * ENTRY);
    words[e * ENTRY + 9] = elements;
    elements += rows * cols;
    g.terms.forEach(([slot, src], t) => {
      words.set([slot, src], e * ENTRY + 5 + 2 * t);
    });
    blocks += Math.ceil(rows / (4 * block.bo)) * Math.ceil(cols / (4 * block.bk));
  });
  return {
    buffer: uploadBuffer(device, label, words, GPUBufferUsage.STORAGE),
    numTensors: grads.length,
    blocks,
    elements,
  };
}

/**
 * Workgroups of a reduction over `chunks` chunks: one invocation per block and chunk, chunk-major,
 * in workgroups of BLOCK_WG (a table of few blocks fills the lanes with other chunks; on lavapipe
 * the RNN's reduction of a 64-tree step at d = 8, 3 blocks in 6 chunks, went from 6 workgroups
 * with 3 lanes busy to one).
 */
export function reduceWorkgroups(table: Pick<ReduceTable, 'blocks'>, chunks: number): number {
  return Math.ceil((table.blocks * chunks) / BLOCK_WG);
}

/** The cell's table (over internal nodes) and the classifier's (over its targets). */
export function reduceTables(
  device: GPUDevice,
  layout: ParamLayout,
  spec: CellSpec,
): { cell: ReduceTable; classifier: ReduceTable } {
  return {
    cell: table(device, 'reduce table (cell)', layout, spec.grads, CELL_BLOCK),
    classifier: table(
      device,
      'reduce table (classifier)',
      layout,
      [
        { tensor: 'Wc', terms: [[0, SRC.hLeft]] },
        { tensor: 'bc', terms: [[0, SRC.one]] },
      ],
      CLASSIFIER_BLOCK,
    ),
  };
}

/**
 * The reduction's uniform fields for R rows (gathered through idx with stride iStride, deltas with
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
  const { numChunks, chunkRows } = chunking(R, t.blocks);
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
    blocks: t.blocks,
    partialStride: t.elements,
  };
  const partials = { elements: t.elements, numChunks, numTensors: t.numTensors, scale };
  return { reduce, partials, numChunks };
}
