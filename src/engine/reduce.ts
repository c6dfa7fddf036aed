// The tables that drive shaders/outer_reduce.wgsl: which sums of outer products make each
// weight gradient, and where each lands in the flat gradient buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { type CellSpec, type GradTerms, SRC } from './cells.ts';
import type { ParamLayout } from './param-layout.ts';

/** Entries per tensor in the table (see the kernel's header). */
const ENTRY = 12;
/** Most quads (4 rows or columns) along a tile's edge (the workgroup memory holds 16 per row). */
const MAX_QUADS = 16;
/** Threads a workgroup aims for when a tile is small (GROUPS copies of its threads). */
const MIN_THREADS = 64;
/** Most groups: each takes at least 2 of a slab's 32 rows. */
const MAX_GROUPS = 16;

/** Hidden sizes from which each thread owns 8 rows of a tile (measured on lavapipe: 1.2–1.7× at d = 32 … 128). */
const RM2_FROM = 32;

/** outer_reduce's tile: threads along o (each rm quads of rows) and k (each a quad), groups. */
export interface ReduceTile {
  edgeO: number;
  edgeK: number;
  rm: number;
  groups: number;
}

/** The fewest pieces of at most `max` units covering n units, as even as can be: units per piece. */
function perPiece(n: number, max: number): number {
  return Math.ceil(n / Math.ceil(n / max));
}

/**
 * outer_reduce's tile at hidden size `dim`: as few tiles along each edge as fit in 16 quads, each
 * as small as covers d (d = 50 → one tile of 56 × 52). From d = 32 each thread owns 8 rows (rm = 2);
 * below, small tiles take thread groups that split the rows (a power of two).
 */
export function reduceTile(dim: number): ReduceTile {
  const rm = dim >= RM2_FROM ? 2 : 1;
  const edgeO = perPiece(Math.ceil(dim / (4 * rm)), MAX_QUADS / rm);
  const edgeK = perPiece(Math.ceil(dim / 4), MAX_QUADS);
  let groups = 1;
  while (rm === 1 && groups < MAX_GROUPS && 2 * groups * edgeO * edgeK <= MIN_THREADS) groups *= 2;
  return { edgeO, edgeK, rm, groups };
}

/**
 * Hidden sizes below which the weight gradients take one invocation per 4 × 4 block
 * (shaders/outer_reduce_blocks.wgsl) instead of tiles in workgroup memory: a tile's staging and
 * barriers per slab of rows cost more than its reuse saves when a row of a tensor is a few floats.
 * The cell's reduction on 64 random trees of depth 8 (1,066 internal nodes), blocks against tiles:
 * d = 8 2–6× faster on lavapipe and 3–12× on SwiftShader; d = 12 and 16 1.4–3.7× and 2.6–4× faster;
 * d = 32 1.3–1.8× faster on lavapipe, 1.0–1.6× slower on SwiftShader; d = 50 1.1–1.2× and
 * 1.4–1.8× slower.
 */
export const BLOCKS_BELOW = 32;
/** Invocations per workgroup of outer_reduce_blocks. */
const BLOCK_WG = 64;

/** A weight-gradient kernel: its shader and override constants. */
export interface ReduceKernel {
  shader: string;
  constants: Record<string, number>;
}

/**
 * The input slots of the SRC table (src/cells/types.ts) by name (hLeft → SRC_H_LEFT). Both
 * shaders declare each SRC_* without a default, so a slot missing on either side fails when the
 * pipeline is built.
 */
function srcSlots(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(SRC).map(([name, v]) => [
      `SRC_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      v,
    ]),
  );
}

/** outer_reduce_blocks: one invocation per 4 × 4 block of a tensor. */
function blocksKernel(): ReduceKernel {
  return { shader: 'outer_reduce_blocks', constants: { WG: BLOCK_WG, ...srcSlots() } };
}

/** The cell's weight-gradient kernel at hidden size `dim`: blocks below BLOCKS_BELOW, tiles from there. */
export function reduceKernel(dim: number): ReduceKernel {
  if (dim < BLOCKS_BELOW) return blocksKernel();
  const { edgeO, edgeK, rm, groups } = reduceTile(dim);
  return {
    shader: 'outer_reduce',
    constants: { EDGE_O: edgeO, EDGE_K: edgeK, RM: rm, GROUPS: groups, ...srcSlots() },
  };
}

/**
 * The classifier's weight-gradient kernel at every d: blocks. Its tensors have one row per class
 * (a handful), so a tile fitted to d is mostly padding and its slabs' staging and barriers buy
 * nothing.
 */
export function classifierReduceKernel(): ReduceKernel {
  return blocksKernel();
}

/** One uploaded table: its tensors, blocks per chunk of rows, and elements in all. */
export interface ReduceTable {
  buffer: GPUBuffer;
  numTensors: number;
  /** Workgroups per chunk of rows: tiles over all the table's tensors, or WG-wide runs of 4 × 4 blocks. */
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
  tile: ReduceTile,
  blocks: boolean,
): ReduceTable {
  const words = new Uint32Array(grads.length * ENTRY);
  // outer_reduce_blocks gives every tensor blocks of its own; outer_reduce lets biases ride along.
  const riders = blocks
    ? { biasOf: new Map<number, number>(), riding: new Set<number>() }
    : biasRiders(grads);
  let tiles = 0;
  let elements = 0;
  grads.forEach((g, e) => {
    const shape = layout.shapes[g.tensor];
    if (!shape) throw new Error(`no tensor "${g.tensor}" in the layout`);
    const rows = shape[0]!;
    const cols = shape.length > 1 ? shape[1]! : 1;
    const bias = riders.biasOf.get(e);
    if (bias !== undefined && layout.shapes[grads[bias]!.tensor]?.[0] !== rows) {
      throw new Error(`bias ${grads[bias]!.tensor} has not the rows of ${g.tensor}`);
    }
    words.set([layout.offsets[g.tensor]!, rows, cols, tiles, g.terms.length], e * ENTRY);
    words[e * ENTRY + 9] = elements;
    words[e * ENTRY + 10] = bias === undefined ? 0 : bias + 1;
    elements += rows * cols;
    g.terms.forEach(([slot, src], t) => {
      words.set([slot, src], e * ENTRY + 5 + 2 * t);
    });
    // A bias that rides along has no tiles; its weight computes one more column.
    if (riders.riding.has(e)) return;
    const width = cols + (bias === undefined ? 0 : 1);
    tiles += blocks
      ? Math.ceil(rows / 4) * Math.ceil(cols / 4)
      : Math.ceil(rows / (4 * tile.rm * tile.edgeO)) * Math.ceil(width / (4 * tile.edgeK));
  });
  return {
    buffer: uploadBuffer(device, label, words, GPUBufferUsage.STORAGE),
    numTensors: grads.length,
    // Workgroups per chunk: the tiles, or WG-wide runs of blocks.
    tiles: blocks ? Math.ceil(tiles / BLOCK_WG) : tiles,
    elements,
  };
}

/**
 * Biases that ride along with a weight: a bias (every term's input the constant 1) is the weight's
 * sum with x = 1, so where a weight has exactly the bias's delta slots, the bias is computed as one
 * more column of the weight's tiles (in the padding of its last tile at most sizes) instead of
 * tiles of its own that compute one useful column. Same rows, same order: the same bits.
 */
export function biasRiders(grads: readonly GradTerms[]): {
  biasOf: Map<number, number>;
  riding: Set<number>;
} {
  const biasOf = new Map<number, number>();
  const riding = new Set<number>();
  const slots = (g: GradTerms) => g.terms.map(([slot]) => slot).join(',');
  grads.forEach((g, e) => {
    if (!g.terms.every(([, src]) => src === SRC.one)) return;
    const weight = grads.findIndex(
      (w, i) => !biasOf.has(i) && w.terms.every(([, src]) => src !== SRC.one) && slots(w) === slots(g),
    );
    if (weight < 0) return;
    biasOf.set(weight, e);
    riding.add(e);
  });
  return { biasOf, riding };
}

/** The cell's table (over internal nodes) and the classifier's (over its targets; always in blocks). */
export function reduceTables(
  device: GPUDevice,
  layout: ParamLayout,
  spec: CellSpec,
): { cell: ReduceTable; classifier: ReduceTable } {
  const tile = reduceTile(layout.dim);
  return {
    cell: table(device, 'reduce table (cell)', layout, spec.grads, tile, layout.dim < BLOCKS_BELOW),
    classifier: table(
      device,
      'reduce table (classifier)',
      layout,
      [
        { tensor: 'Wc', terms: [[0, SRC.hLeft]] },
        { tensor: 'bc', terms: [[0, SRC.one]] },
      ],
      tile,
      true,
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
