// The GPU test table's runtime: one case = one function of a context that tracks its buffers.
// Both runners (vitest in Node through Dawn, the puppeteer page in Chrome) call runCase.
import { readBuffer, uploadBuffer, type Words } from '../../src/gpu/buffers.ts';
import type { KernelCache } from '../../src/gpu/kernel.ts';

/** What a case gets: the device, a kernel cache, tracked buffers and a seed for its inputs. */
export interface GpuTestContext {
  readonly device: GPUDevice;
  readonly kernels: KernelCache;
  /** Seed of this run's random inputs (printed on failure, so a failure can be replayed). */
  readonly seed: number;
  /** A tracked storage buffer holding `data`. */
  storage(label: string, data: Words, extraUsage?: GPUBufferUsageFlags): GPUBuffer;
  /** A tracked zero-filled storage buffer of `bytes` bytes. */
  zeros(label: string, bytes: number): GPUBuffer;
  /** A tracked uniform buffer holding `data`. */
  uniform(label: string, data: Words): GPUBuffer;
  /** Reads a buffer back as float32 values. */
  readF32(buffer: GPUBuffer): Promise<Float32Array>;
  /** Adds a line to the case's log (printed by the runner). */
  log(line: string): void;
}

/** A device whose createBuffer records every buffer, and which of them are not yet destroyed. */
export function trackBuffers(device: GPUDevice): { device: GPUDevice; live(): string[] } {
  const live = new Set<GPUBuffer>();
  const createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = device.createBuffer(descriptor);
    const destroy = buffer.destroy.bind(buffer);
    live.add(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  const proxy = new Proxy(device, {
    get(target, key) {
      if (key === 'createBuffer') return createBuffer;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { device: proxy, live: () => [...live].map((b) => b.label || `${b.size} bytes`) };
}

/** One GPU test case, shared by both runners. */
export interface GpuCase {
  readonly name: string;
  run(ctx: GpuTestContext): Promise<void>;
}

/** What running a case produced. */
export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  logs: string[];
}

const SCOPES: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Runs one case inside validation, out-of-memory and internal error scopes; any error from a
 * scope or the case fails it. Every buffer the case created is destroyed afterwards.
 */
export async function runCase(
  device: GPUDevice,
  kernels: KernelCache,
  c: GpuCase,
  seed: number,
): Promise<CaseResult> {
  const buffers: GPUBuffer[] = [];
  const logs: string[] = [];
  const track = (b: GPUBuffer) => {
    buffers.push(b);
    return b;
  };
  const storageUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const ctx: GpuTestContext = {
    device,
    kernels,
    seed,
    storage: (label, data, extra = 0) => track(uploadBuffer(device, label, data, storageUsage | extra)),
    zeros: (label, bytes) =>
      track(device.createBuffer({ label, size: Math.max(4, bytes), usage: storageUsage })),
    uniform: (label, data) =>
      track(uploadBuffer(device, label, data, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST)),
    readF32: async (b) => new Float32Array(await readBuffer(device, b)),
    log: (line) => logs.push(line),
  };
  for (const filter of SCOPES) device.pushErrorScope(filter);
  const start = performance.now();
  let error: string | undefined;
  try {
    await c.run(ctx);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const scoped: string[] = [];
  for (const filter of [...SCOPES].reverse()) {
    const gpuError = await device.popErrorScope();
    if (gpuError) scoped.push(`${filter} error: ${gpuError.message}`);
  }
  for (const b of buffers) b.destroy();
  const problems = [error, ...scoped].filter((x): x is string => x !== undefined);
  const result: CaseResult = { name: c.name, ok: problems.length === 0, ms: performance.now() - start, logs };
  if (problems.length > 0) result.error = `${problems.join('\n')}\n(seed ${seed})`;
  return result;
}
