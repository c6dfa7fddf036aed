// The forward level kernels' copy of the cell's tensors (shaders/transpose_weights.wgsl): each
// square matrix transposed, so that the threads of a forward kernel, which own neighbouring quads
// of outputs, read neighbouring vec4s of weights; each bias as it is. Same offsets as theta.
import { uploadBuffer } from '../gpu/buffers.ts';
import { CELL_TENSORS } from '../params/shapes.ts';
import type { ParamLayout } from './param-layout.ts';

/** The cell's tensors in thetaT: their offsets (matrices first) and the invocations that copy them. */
export interface TransposeTable {
  /** [tensors] u32 element offsets, the `matrices` square matrices first, then the vectors. */
  buffer: GPUBuffer;
  matrices: number;
  tensors: number;
  /** Invocations of the kernel: one per 4 × 4 block of a matrix and per quad of a vector. */
  invocations: number;
}

/** The transposition table of `layout`'s cell (the engine's layout: dim a multiple of 4). */
export function transposeTable(device: GPUDevice, layout: ParamLayout): TransposeTable {
  const names = CELL_TENSORS[layout.cell];
  const square = (name: string) => layout.shapes[name]!.length === 2;
  const matrices = names.filter(square);
  const vectors = names.filter((name) => !square(name));
  const offsets = Uint32Array.from([...matrices, ...vectors], (name) => layout.offsets[name]!);
  const D = layout.dim;
  return {
    buffer: uploadBuffer(device, 'transpose table', offsets, GPUBufferUsage.STORAGE),
    matrices: matrices.length,
    tensors: offsets.length,
    invocations: (matrices.length * D * D) / 16 + (vectors.length * D) / 4,
  };
}
