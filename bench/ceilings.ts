// The adapter's floors and ceilings, measured in the same run as the points: what an empty dispatch
// round trip costs, what one more dispatch in an open pass costs, and how fast our gather_matmul
// kernel multiplies square matrices (dispatch only: buffers are made once and reused).
import { GatherMatmul, gatherMatmulReference } from '../src/gpu/gather-matmul.ts';
import type { KernelCache } from '../src/gpu/kernel.ts';
import { Rng } from '../src/rng/index.ts';
import { gflops, matmulFlops, median } from './napkin.ts';
import type { Ceilings } from './result.ts';

/** A bench-only kernel that does nothing: what a dispatch costs before any work. */
const EMPTY_WGSL = '@compute @workgroup_size(1) fn main() {}';
/** Timed round trips (they are cheap and bimodal: take many). */
const ROUND_TRIP_REPEATS = 21;
/** Dispatches in one pass when measuring the in-pass cost of one more. */
const IN_PASS = 200;
/** Wall time a timed batch of matrix products should take, so timer noise stays small. */
const TARGET_MS = 50;

/** Runs `encode` in one command buffer, submits it and waits on a 4-byte mapAsync. */
export class RoundTrip {
  private readonly src: GPUBuffer;
  private readonly dst: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.src = device.createBuffer({ label: 'bench round trip', size: 4, usage });
    const read = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
    this.dst = device.createBuffer({ label: 'bench round trip read', size: 4, usage: read });
  }

  /** Wall milliseconds from encoding to the mapped readback. */
  async time(encode: (encoder: GPUCommandEncoder) => void): Promise<number> {
    const t0 = performance.now();
    const encoder = this.device.createCommandEncoder({ label: 'bench' });
    encode(encoder);
    encoder.copyBufferToBuffer(this.src, 0, this.dst, 0, 4);
    this.device.queue.submit([encoder.finish()]);
    await this.dst.mapAsync(GPUMapMode.READ);
    this.dst.unmap();
    return performance.now() - t0;
  }

  /** Median of `repeats` timings after one warm-up. */
  async median(repeats: number, encode: (encoder: GPUCommandEncoder) => void): Promise<number> {
    await this.time(encode);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await this.time(encode));
    return median(times);
  }

  /** Frees the buffers. */
  destroy(): void {
    this.src.destroy();
    this.dst.destroy();
  }
}

/** Empty dispatch costs: a whole round trip (ms) and one more dispatch in an open pass (µs). */
export async function dispatchCosts(
  device: GPUDevice,
  repeats: number,
): Promise<{ emptyRoundTripMs: number; emptyDispatchUs: number }> {
  const module = device.createShaderModule({ label: 'bench empty', code: EMPTY_WGSL });
  const pipeline = await device.createComputePipelineAsync({
    label: 'bench empty',
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const trip = new RoundTrip(device);
  const dispatches = (n: number) => (encoder: GPUCommandEncoder) => {
    const pass = encoder.beginComputePass({ label: 'bench empty' });
    pass.setPipeline(pipeline);
    for (let i = 0; i < n; i++) pass.dispatchWorkgroups(1);
    pass.end();
  };
  try {
    const one = await trip.median(repeats, dispatches(1));
    const many = await trip.median(repeats, dispatches(IN_PASS + 1));
    return { emptyRoundTripMs: one, emptyDispatchUs: (1000 * Math.max(0, many - one)) / IN_PASS };
  } finally {
    trip.destroy();
  }
}

/**
 * GFLOP/s of our gather_matmul kernel on [size, size]·[size, size] (identity gather): K products
 * back to back in one pass (K sized so a batch takes ~50 ms), median over `repeats`, minus the
 * empty round trip. A few rows are first checked against Float64 (norm-wise 1e-4).
 */
export async function oursGemmGflops(
  device: GPUDevice,
  kernels: KernelCache,
  size: number,
  repeats: number,
  emptyRoundTripMs: number,
): Promise<number> {
  const rng = Rng.fromSeed(7);
  const X = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  const W = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  const idx = Uint32Array.from({ length: size }, (_, i) => i);
  const input = { X, W, idx, inDim: size, outDim: size };
  const op = await GatherMatmul.create(device, kernels, input);
  const trip = new RoundTrip(device);
  try {
    const products = (k: number) => (encoder: GPUCommandEncoder) => {
      const pass = encoder.beginComputePass({ label: 'bench gather_matmul' });
      op.encode(pass, k);
      pass.end();
    };
    const once = await trip.time(products(1));
    checkRows(await op.read(Math.min(4, size) * size), input);
    const k = Math.max(1, Math.min(256, Math.ceil(TARGET_MS / Math.max(once, 1e-3))));
    const ms = await trip.median(repeats, products(k));
    return gflops(matmulFlops(size, size, size) * k, Math.max(ms - emptyRoundTripMs, 1e-6));
  } finally {
    trip.destroy();
    op.destroy();
  }
}

/** The first rows of Y against Float64 (norm-wise 1e-4). */
function checkRows(
  got: Float32Array,
  input: { X: Float32Array; W: Float32Array; idx: Uint32Array; inDim: number; outDim: number },
): void {
  const rows = got.length / input.outDim;
  const want = gatherMatmulReference({ ...input, idx: input.idx.subarray(0, rows) });
  let diff = 0;
  let ref = 0;
  want.forEach((e, i) => {
    diff += (got[i]! - e) ** 2;
    ref += e * e;
  });
  const err = Math.sqrt(diff / Math.max(ref, 1e-300));
  if (!(err <= 1e-4)) throw new Error(`gather_matmul ceiling: rows disagree with Float64 (norm-wise ${err})`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The adapter's floors and ceilings: empty dispatch costs, our gather_matmul and (where given, in a
 * browser) TF.js matMul on [size, size]². A ceiling that fails is null, with a note saying why.
 */
export async function measureCeilings(
  device: GPUDevice,
  kernels: KernelCache,
  size: number,
  repeats: number,
  tfjsMatmul?: (size: number, repeats: number) => Promise<number>,
): Promise<Ceilings> {
  const costs = await dispatchCosts(device, ROUND_TRIP_REPEATS);
  const c: Ceilings = { tfjsMatmulGflops: null, oursGemmGflops: null, size, ...costs, notes: [] };
  try {
    c.oursGemmGflops = await oursGemmGflops(device, kernels, size, repeats, costs.emptyRoundTripMs);
  } catch (error) {
    c.notes.push(`our gather_matmul ceiling failed: ${errorText(error)}`);
  }
  if (!tfjsMatmul) c.notes.push('no TF.js WebGPU backend in this runtime: no TF.js matMul ceiling');
  else {
    try {
      c.tfjsMatmulGflops = await tfjsMatmul(size, repeats);
    } catch (error) {
      c.notes.push(`TF.js matMul ceiling failed: ${errorText(error)}`);
    }
  }
  return c;
}
