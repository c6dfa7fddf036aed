// Host side of shaders/gemm.wgsl: C = A · B, row-major, the benchmark's matrix-product ceiling.
import { computeDispatch } from '../plan/dispatch.ts';
import { readBuffer, uploadBuffer } from '../gpu/buffers.ts';
import type { Kernel, KernelCache } from '../gpu/kernel.ts';
import { runOnce } from './run-once.ts';

/** Threads of a workgroup along N (each owns CN vec4s of columns) and along M (each RM rows). */
const WX = 8;
const WY = 8;
/** Rows of C per thread (the shader's RM). */
const RM = 8;
/** vec4s of columns of C per thread (the shader's CN). */
const CN = 2;

/** One product: A is [M, K], B is [K, N], both row-major. */
export interface GemmInput {
  A: Float32Array;
  B: Float32Array;
  M: number;
  K: number;
  N: number;
  /** Fold the dispatch as if the device allowed only this many workgroups per dimension. */
  maxWorkgroupsPerDim?: number;
}

/** `rows` × `cols` row-major values widened to `stride` columns with zeros. */
function padColumns(x: Float32Array, rows: number, cols: number, stride: number): Float32Array {
  if (stride === cols) return x;
  const out = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) out.set(x.subarray(r * cols, (r + 1) * cols), r * stride);
  return out;
}

/** The kernel with its inputs uploaded once: encode it any number of times, read C, destroy. */
export class Gemm {
  private constructor(
    private readonly device: GPUDevice,
    private readonly kernel: Kernel,
    private readonly buffers: Record<'C' | 'A' | 'B' | 'params', GPUBuffer>,
    private readonly group: GPUBindGroup,
    private readonly dispatch: [number, number, number],
    private readonly shape: { M: number; N: number; N4: number },
  ) {}

  /** Checks the sizes, pads K and N to multiples of 4 with zeros and uploads A and B. */
  static async create(device: GPUDevice, kernels: KernelCache, input: GemmInput): Promise<Gemm> {
    const { A, B, M, K, N } = input;
    for (const [name, v] of Object.entries({ M, K, N }))
      if (!Number.isInteger(v) || v < 1)
        throw new Error(`gemm: ${name} must be a positive integer, got ${v}`);
    if (A.length !== M * K) throw new Error(`gemm: A has ${A.length} values, expected ${M}×${K}`);
    if (B.length !== K * N) throw new Error(`gemm: B has ${B.length} values, expected ${K}×${N}`);
    const K4 = Math.ceil(K / 4);
    const N4 = Math.ceil(N / 4);
    const kernel = await kernels.get('gemm', { WX, WY });
    const colTiles = Math.ceil(N4 / (WX * CN));
    const storage = GPUBufferUsage.STORAGE;
    const buffers = {
      C: device.createBuffer({ label: 'C', size: M * N4 * 16, usage: storage | GPUBufferUsage.COPY_SRC }),
      A: uploadBuffer(device, 'A', padColumns(A, M, K, 4 * K4), storage),
      B: uploadBuffer(device, 'B', padColumns(B, K, N, 4 * N4), storage),
      params: uploadBuffer(
        device,
        'params',
        kernel.pack('params', { M, K4, N4, colTiles }),
        GPUBufferUsage.UNIFORM,
      ),
    };
    const maxPerDim = input.maxWorkgroupsPerDim ?? device.limits.maxComputeWorkgroupsPerDimension;
    const dispatch = computeDispatch(colTiles * Math.ceil(M / (WY * RM)), maxPerDim);
    return new Gemm(device, kernel, buffers, kernel.bind(buffers), dispatch, { M, N, N4 });
  }

  /** Encodes `times` products back to back into an open pass. */
  encode(pass: GPUComputePassEncoder, times = 1): void {
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.group);
    for (let i = 0; i < times; i++) pass.dispatchWorkgroups(...this.dispatch);
  }

  /** Reads the first `rows` rows of C back ([rows, N], padding dropped). */
  async read(rows = this.shape.M): Promise<Float32Array> {
    const { N, N4 } = this.shape;
    const padded = new Float32Array(await readBuffer(this.device, this.buffers.C, rows * N4 * 16));
    if (N === 4 * N4) return padded;
    const out = new Float32Array(rows * N);
    for (let r = 0; r < rows; r++) out.set(padded.subarray(r * 4 * N4, r * 4 * N4 + N), r * N);
    return out;
  }

  /** Frees the buffers. */
  destroy(): void {
    for (const b of Object.values(this.buffers)) b.destroy();
  }
}

/** Runs the kernel once on fresh buffers and returns C [M, N]; frees its buffers. */
export async function gemm(device: GPUDevice, kernels: KernelCache, input: GemmInput): Promise<Float32Array> {
  return runOnce(device, 'gemm', await Gemm.create(device, kernels, input));
}

/** Float64 reference of the first `rows` rows of the same product. */
export function gemmReference(input: GemmInput, rows = input.M): Float64Array {
  const { A, B, K, N } = input;
  const C = new Float64Array(rows * N);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < K; k++) {
      const a = A[r * K + k]!;
      for (let c = 0; c < N; c++) C[r * N + c]! += a * B[k * N + c]!;
    }
  return C;
}
