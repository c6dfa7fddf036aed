// Host side of shaders/gather_matmul.wgsl: Y[r] = W · X[idx[r]].
import { computeDispatch } from '../plan/dispatch.ts';
import { readBuffer, uploadBuffer } from '../gpu/buffers.ts';
import type { Kernel, KernelCache } from '../gpu/kernel.ts';
import { runOnce } from './run-once.ts';

/** Tile edge of the kernel (its workgroup is TILE × TILE invocations). */
export const GATHER_MATMUL_TILE = 16;

/** Inputs of one gathered matrix product; X is [numX, inDim], W is [outDim, inDim]. */
export interface GatherMatmulInput {
  X: Float32Array;
  W: Float32Array;
  idx: Uint32Array;
  inDim: number;
  outDim: number;
  /** Fold the dispatch as if the device allowed only this many workgroups per dimension. */
  maxWorkgroupsPerDim?: number;
}

/** The kernel with its inputs uploaded once: encode it any number of times, read Y, destroy. */
export class GatherMatmul {
  private constructor(
    private readonly device: GPUDevice,
    private readonly kernel: Kernel,
    private readonly buffers: Record<'Y' | 'X' | 'W' | 'idx' | 'params', GPUBuffer>,
    private readonly group: GPUBindGroup,
    private readonly dispatch: [number, number, number],
    /** Length of Y (rows × outDim). */
    readonly outputLength: number,
  ) {}

  /** Checks the inputs (a clear error for a size mismatch or an index past X) and uploads them. */
  static async create(
    device: GPUDevice,
    kernels: KernelCache,
    input: GatherMatmulInput,
  ): Promise<GatherMatmul> {
    const { X, W, idx, inDim, outDim } = input;
    const rows = idx.length;
    if (W.length !== outDim * inDim)
      throw new Error(`gather_matmul: W has ${W.length} values, expected ${outDim}×${inDim}`);
    if (X.length % inDim !== 0)
      throw new Error(`gather_matmul: X has ${X.length} values, not a multiple of ${inDim}`);
    const numX = X.length / inDim;
    const bad = idx.findIndex((i) => i >= numX);
    if (bad >= 0) throw new Error(`gather_matmul: idx[${bad}] = ${idx[bad]} is past the ${numX} rows of X`);
    const tile = GATHER_MATMUL_TILE;
    const kernel = await kernels.get('gather_matmul', { TILE: tile });
    const outTiles = Math.ceil(outDim / tile);
    const storage = GPUBufferUsage.STORAGE;
    const buffers = {
      Y: device.createBuffer({
        label: 'Y',
        size: Math.max(4, rows * outDim * 4),
        usage: storage | GPUBufferUsage.COPY_SRC,
      }),
      X: uploadBuffer(device, 'X', X, storage),
      W: uploadBuffer(device, 'W', W, storage),
      idx: uploadBuffer(device, 'idx', idx, storage),
      params: uploadBuffer(
        device,
        'params',
        kernel.pack('params', { rows, inDim, outDim, outTiles }),
        GPUBufferUsage.UNIFORM,
      ),
    };
    const maxPerDim = input.maxWorkgroupsPerDim ?? device.limits.maxComputeWorkgroupsPerDimension;
    const dispatch = computeDispatch(outTiles * Math.ceil(rows / tile), maxPerDim);
    return new GatherMatmul(device, kernel, buffers, kernel.bind(buffers), dispatch, rows * outDim);
  }

  /** Encodes `times` products back to back into an open pass. */
  encode(pass: GPUComputePassEncoder, times = 1): void {
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.group);
    for (let i = 0; i < times; i++) pass.dispatchWorkgroups(...this.dispatch);
  }

  /** Reads Y back (its first `length` values). */
  async read(length = this.outputLength): Promise<Float32Array> {
    return new Float32Array(await readBuffer(this.device, this.buffers.Y, length * 4));
  }

  /** Frees the buffers. */
  destroy(): void {
    for (const b of Object.values(this.buffers)) b.destroy();
  }
}

/** Runs the kernel once on fresh buffers and returns Y [idx.length, outDim]; frees its buffers. */
export async function gatherMatmul(
  device: GPUDevice,
  kernels: KernelCache,
  input: GatherMatmulInput,
): Promise<Float32Array> {
  return runOnce(device, 'gather_matmul', await GatherMatmul.create(device, kernels, input));
}

/** Float64 reference of the same product. */
export function gatherMatmulReference(input: GatherMatmulInput): Float64Array {
  const { X, W, idx, inDim, outDim } = input;
  const Y = new Float64Array(idx.length * outDim);
  for (let r = 0; r < idx.length; r++) {
    const base = idx[r]! * inDim;
    for (let o = 0; o < outDim; o++) {
      let acc = 0;
      for (let k = 0; k < inDim; k++) acc += W[o * inDim + k]! * X[base + k]!;
      Y[r * outDim + o] = acc;
    }
  }
  return Y;
}
