// One way to a GPUDevice, in a browser (navigator.gpu) or in Node (Dawn, the `webgpu` package).
import { GpuUnavailableError } from './unavailable.ts';

export { GpuUnavailableError } from './unavailable.ts';

/** What an adapter is, in the terms `gpu-info` prints. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
  runtime: 'browser' | 'node';
}

/** A device with its adapter and the list of errors WebGPU reported outside any error scope. */
export interface Gpu {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly summary: AdapterSummary;
  /** Uncaptured errors and unexpected device loss, in the order they came. */
  readonly errors: string[];
  /** Destroys the device; a loss caused by this is not reported as an error. */
  destroy(): void;
}

/**
 * Whether an adapter runs on the CPU (lavapipe, SwiftShader): a fallback adapter, or one that
 * names either driver (some runtimes leave `isFallbackAdapter` unset).
 */
export function isCpuAdapter(info: GPUAdapterInfo | undefined): boolean {
  if (!info) return false;
  if ((info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${info.description}`);
}

/** Options for `getGpu`. */
export interface GpuOptions {
  powerPreference?: GPUPowerPreference;
  /** Called for each uncaptured error or unexpected device loss (default: console.error). */
  onError?: (message: string) => void;
  /**
   * Forward multiply-adds per internal node of the heaviest model this process will run (the
   * cell's mat-vecs × d², `forwardMultiplyAdds(cell, d, 1)`). Node only, first call only: on lavapipe it decides
   * whether compute runs inline or on the driver's thread pool (src/gpu/vulkan-env.ts).
   */
  work?: number;
}

/** Limits requested at the adapter's maximum: big levels need big buffers and workgroups. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;
const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query'];

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

async function findGpu(work?: number): Promise<{ gpu: GPU; runtime: 'browser' | 'node' }> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, runtime: 'browser' };
  if (!isNode) {
    throw new GpuUnavailableError(
      'this browser has no WebGPU (navigator.gpu is undefined): use a recent Chrome, serve the page ' +
        'from http://127.0.0.1 or https, and for headless Chromium pass --enable-unsafe-webgpu',
    );
  }
  // A relative specifier in a variable: bundlers leave this Node-only module out of pages, and the
  // package build rewrites its .ts to .js (rewriteRelativeImportExtensions).
  const nodeGpuModule = './node-gpu.ts';
  const { nodeGpu } = (await import(/* @vite-ignore */ nodeGpuModule)) as typeof import('./node-gpu.ts');
  return { gpu: await nodeGpu(work === undefined ? {} : { work }), runtime: 'node' };
}

function summarize(adapter: GPUAdapter, runtime: 'browser' | 'node'): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = adapter.limits[key as keyof GPUSupportedLimits];
    if (typeof value === 'number') limits[key] = value;
  }
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    features: [...adapter.features].sort(),
    limits,
    runtime,
  };
}

/**
 * Returns a WebGPU device from navigator.gpu in a browser or from Dawn in Node, with the
 * adapter's maximum buffer and workgroup limits and timestamp queries where they exist.
 * Uncaptured errors and unexpected device loss are reported through `onError`, never swallowed.
 */
export async function getGpu(options: GpuOptions = {}): Promise<Gpu> {
  const { gpu, runtime } = await findGpu(options.work);
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (!adapter) {
    throw new GpuUnavailableError(
      runtime === 'node'
        ? "Dawn found no WebGPU adapter: no usable Vulkan driver (install a GPU driver, or Debian's " +
            '"chromium" for its SwiftShader driver, and run through `treegrad` or `npm test`)'
        : 'navigator.gpu.requestAdapter() returned null: WebGPU is disabled or unsupported here ' +
            '(headless Chromium needs --enable-unsafe-webgpu)',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const key of RAISED_LIMITS) requiredLimits[key] = adapter.limits[key];
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ label: 'treegrad', requiredLimits, requiredFeatures });

  const errors: string[] = [];
  const report = (message: string) => {
    errors.push(message);
    (options.onError ?? ((m: string) => console.error(`treegrad: ${m}`)))(message);
  };
  let destroyed = false;
  device.addEventListener('uncapturederror', (event) => {
    report(`WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  void device.lost.then((info) => {
    if (!destroyed) report(`WebGPU device lost (${info.reason}): ${info.message}`);
  });
  return {
    device,
    adapter,
    summary: summarize(adapter, runtime),
    errors,
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
}
