// The adapter's floors and ceilings, measured in the same run as the points: what an empty dispatch
// round trip costs, what one more dispatch in an open pass costs (empty, and one that depends on
// the one before), and how fast our tiled GEMM and our gather_matmul kernel multiply square
// matrices (dispatch only: buffers are made once and reused).
import { readBuffer } from '../src/gpu/buffers.ts';
import { GatherMatmul, gatherMatmulReference } from '../src/matmul/gather.ts';
import { Gemm, gemmReference } from '../src/matmul/gemm.ts';
import type { KernelCache } from '../src/gpu/kernel.ts';
import { Rng } from '../src/rng/index.ts';
import { gflops, matmulFlops, median } from './napkin.ts';
import type { Ceilings } from './result.ts';

/** A bench-only kernel that does nothing: what a dispatch costs before any work. */
const EMPTY_WGSL = '@compute @workgroup_size(1) fn main() {}';
/**
 * A bench-only kernel that reads and writes one small buffer: back to back in a pass, each
 * dispatch depends on the one before (the driver must wait for it), the way a level waits for the
 * level below.
 */
const DEPENDENT_WGSL = `@group(0) @binding(0) var<storage, read_write> x: array<f32, 64>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) { x[i] = x[i] + 1.0; }`;
/**
 * The dependent kernel with a per-dispatch uniform, as the level kernels take their range: each
 * dispatch gets it through a bind group of its own, or through a dynamic offset of one.
 */
const RANGED_WGSL = `@group(0) @binding(0) var<storage, read_write> x: array<f32, 64>;
@group(0) @binding(1) var<uniform> range: vec4u;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_index) i: u32) { x[i] = x[i] + f32(range.x); }`;
/** Uniform slots the ranged probes cycle through (256 bytes apart: the offset alignment). */
const SLOTS = 16;
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

/**
 * What dispatches cost: a whole round trip (ms), one more empty and one more dependent dispatch,
 * and one more dependent dispatch whose uniform changes by bind group or by dynamic offset (µs).
 */
export interface DispatchCosts {
  emptyRoundTripMs: number;
  emptyDispatchUs: number;
  dependentDispatchUs: number;
  rangeGroupDispatchUs: number;
  dynamicOffsetDispatchUs: number;
}

async function pipeline(
  device: GPUDevice,
  label: string,
  code: string,
  layout: GPUPipelineLayout | 'auto' = 'auto',
): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label, code });
  return device.createComputePipelineAsync({ label, layout, compute: { module, entryPoint: 'main' } });
}

/**
 * Dispatch costs: one empty dispatch's round trip, and the cost of one more dispatch in an open
 * pass (IN_PASS more, over the difference): empty; dependent; dependent with a uniform that
 * changes every dispatch through a bind group per slot (what the level kernels do) or through a
 * dynamic offset. The dependent probes' buffer is checked afterwards: every dispatch must have
 * added its value.
 */
export async function dispatchCosts(device: GPUDevice, repeats: number): Promise<DispatchCosts> {
  const empty = await pipeline(device, 'bench empty', EMPTY_WGSL);
  const dependent = await pipeline(device, 'bench dependent', DEPENDENT_WGSL);
  const ranged = await pipeline(device, 'bench ranged', RANGED_WGSL);
  const layout = device.createBindGroupLayout({
    label: 'bench dynamic offset',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
    ],
  });
  const dynamic = await pipeline(
    device,
    'bench dynamic offset',
    RANGED_WGSL,
    device.createPipelineLayout({ label: 'bench dynamic offset', bindGroupLayouts: [layout] }),
  );
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const x = device.createBuffer({ label: 'bench dependent x', size: 64 * 4, usage });
  // Slot s holds s + 1: a dispatch that read the wrong slot adds the wrong amount.
  const slots = new Uint32Array((SLOTS * 256) / 4);
  for (let s = 0; s < SLOTS; s++) slots[(s * 256) / 4] = s + 1;
  const u = device.createBuffer({
    label: 'bench ranges',
    size: slots.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(u, 0, slots);
  const group = device.createBindGroup({
    label: 'bench dependent',
    layout: dependent.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: x } }],
  });
  const perSlot = Array.from({ length: SLOTS }, (_, s) =>
    device.createBindGroup({
      label: `bench ranged ${s}`,
      layout: ranged.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: x } },
        { binding: 1, resource: { buffer: u, offset: s * 256, size: 16 } },
      ],
    }),
  );
  const dynamicGroup = device.createBindGroup({
    label: 'bench dynamic offset',
    layout,
    entries: [
      { binding: 0, resource: { buffer: x } },
      { binding: 1, resource: { buffer: u, size: 16 } },
    ],
  });
  type Probe = 'empty' | 'dependent' | 'group' | 'offset';
  let added = 0;
  const trip = new RoundTrip(device);
  const dispatches = (n: number, probe: Probe) => (encoder: GPUCommandEncoder) => {
    const pass = encoder.beginComputePass({ label: `bench ${probe}` });
    pass.setPipeline({ empty, dependent, group: ranged, offset: dynamic }[probe]);
    if (probe === 'dependent') pass.setBindGroup(0, group);
    for (let i = 0; i < n; i++) {
      const s = i % SLOTS;
      if (probe === 'group') pass.setBindGroup(0, perSlot[s]!);
      if (probe === 'offset') pass.setBindGroup(0, dynamicGroup, [s * 256]);
      pass.dispatchWorkgroups(1);
      if (probe === 'dependent') added += 1;
      else if (probe !== 'empty') added += s + 1;
    }
    pass.end();
  };
  const extra = async (probe: Probe) => {
    const one = await trip.median(repeats, dispatches(1, probe));
    const many = await trip.median(repeats, dispatches(IN_PASS + 1, probe));
    return { one, us: (1000 * Math.max(0, many - one)) / IN_PASS };
  };
  try {
    const empties = await extra('empty');
    const dependentUs = (await extra('dependent')).us;
    const groupUs = (await extra('group')).us;
    const offsetUs = (await extra('offset')).us;
    const got = new Float32Array(await readBuffer(device, x));
    if (got.some((v) => v !== added))
      throw new Error(
        `dependent-dispatch probe: x holds ${got[0]}, expected ${added} (each dispatch adds its slot's value)`,
      );
    return {
      emptyRoundTripMs: empties.one,
      emptyDispatchUs: empties.us,
      dependentDispatchUs: dependentUs,
      rangeGroupDispatchUs: groupUs,
      dynamicOffsetDispatchUs: offsetUs,
    };
  } finally {
    trip.destroy();
    x.destroy();
    u.destroy();
  }
}

/** What the timed products need of a prepared kernel. */
interface Product {
  encode(pass: GPUComputePassEncoder, times: number): void;
}

/**
 * GFLOP/s of `op` doing `flops` per product: K products back to back in one pass (K sized so a
 * batch takes ~50 ms), median over `repeats`, minus the empty round trip.
 */
async function productGflops(
  device: GPUDevice,
  op: Product,
  flops: number,
  repeats: number,
  emptyRoundTripMs: number,
): Promise<number> {
  const trip = new RoundTrip(device);
  try {
    const products = (k: number) => (encoder: GPUCommandEncoder) => {
      const pass = encoder.beginComputePass({ label: 'bench product' });
      op.encode(pass, k);
      pass.end();
    };
    const once = await trip.time(products(1));
    const k = Math.max(1, Math.min(256, Math.ceil(TARGET_MS / Math.max(once, 1e-3))));
    const ms = await trip.median(repeats, products(k));
    return gflops(flops * k, Math.max(ms - emptyRoundTripMs, 1e-6));
  } finally {
    trip.destroy();
  }
}

/** Random square matrices of the ceiling (seeded). */
function squares(size: number): { A: Float32Array; B: Float32Array } {
  const rng = Rng.fromSeed(7);
  const A = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  const B = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  return { A, B };
}

/**
 * GFLOP/s of our tiled GEMM (shaders/gemm.wgsl) on [size, size]·[size, size], timed as
 * productGflops does. The first rows are checked against Float64 (norm-wise 1e-4) before timing.
 */
export async function oursGemmGflops(
  device: GPUDevice,
  kernels: KernelCache,
  size: number,
  repeats: number,
  emptyRoundTripMs: number,
): Promise<number> {
  const input = { ...squares(size), M: size, K: size, N: size };
  const op = await Gemm.create(device, kernels, input);
  try {
    const encoder = device.createCommandEncoder({ label: 'bench gemm check' });
    const pass = encoder.beginComputePass({ label: 'bench gemm check' });
    op.encode(pass, 1);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const rows = Math.min(4, size);
    checkRows('gemm', await op.read(rows), gemmReference(input, rows));
    return await productGflops(device, op, matmulFlops(size, size, size), repeats, emptyRoundTripMs);
  } finally {
    op.destroy();
  }
}

/** GFLOP/s of our gather_matmul kernel on the same product (identity gather), checked and timed the same way. */
export async function gatherMatmulGflops(
  device: GPUDevice,
  kernels: KernelCache,
  size: number,
  repeats: number,
  emptyRoundTripMs: number,
): Promise<number> {
  const { A: X, B: W } = squares(size);
  const idx = Uint32Array.from({ length: size }, (_, i) => i);
  const input = { X, W, idx, inDim: size, outDim: size };
  const op = await GatherMatmul.create(device, kernels, input);
  try {
    const encoder = device.createCommandEncoder({ label: 'bench gather_matmul check' });
    const pass = encoder.beginComputePass({ label: 'bench gather_matmul check' });
    op.encode(pass, 1);
    pass.end();
    device.queue.submit([encoder.finish()]);
    const rows = Math.min(4, size);
    const want = gatherMatmulReference({ ...input, idx: idx.subarray(0, rows) });
    checkRows('gather_matmul', await op.read(rows * size), want);
    return await productGflops(device, op, matmulFlops(size, size, size), repeats, emptyRoundTripMs);
  } finally {
    op.destroy();
  }
}

/** Rows of a product against Float64, norm-wise 1e-4. */
function checkRows(kernel: string, got: Float32Array, want: Float64Array): void {
  let diff = 0;
  let ref = 0;
  want.forEach((e, i) => {
    diff += (got[i]! - e) ** 2;
    ref += e * e;
  });
  const err = Math.sqrt(diff / Math.max(ref, 1e-300));
  if (!(err <= 1e-4)) throw new Error(`${kernel} ceiling: rows disagree with Float64 (norm-wise ${err})`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The adapter's floors and ceilings: dispatch costs, our GEMM, our gather_matmul and (where given,
 * in a browser) TF.js matMul on [size, size]². A ceiling that fails is null, with a note saying why.
 */
export async function measureCeilings(
  device: GPUDevice,
  kernels: KernelCache,
  size: number,
  repeats: number,
  tfjsMatmul?: (size: number, repeats: number) => Promise<number>,
): Promise<Ceilings> {
  const costs = await dispatchCosts(device, ROUND_TRIP_REPEATS);
  const c: Ceilings = {
    tfjsMatmulGflops: null,
    oursGemmGflops: null,
    gatherMatmulGflops: null,
    size,
    ...costs,
    notes: [],
  };
  try {
    c.oursGemmGflops = await oursGemmGflops(device, kernels, size, repeats, costs.emptyRoundTripMs);
  } catch (error) {
    c.notes.push(`our GEMM ceiling failed: ${errorText(error)}`);
  }
  try {
    c.gatherMatmulGflops = await gatherMatmulGflops(device, kernels, size, repeats, costs.emptyRoundTripMs);
  } catch (error) {
    c.notes.push(`our gather_matmul failed: ${errorText(error)}`);
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
