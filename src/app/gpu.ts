// The page's one WebGPU device, shared by the gradient view and the lab: asked for once, asked for
// again after a device loss; uncaptured errors go to every listener.
import { type Gpu, getGpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { loadShaderSource, reflectShader } from '../gpu/shaders.ts';

const listeners: ((message: string) => void)[] = [];
let gpuPromise: Promise<Gpu> | undefined;
let kernels: { device: GPUDevice; cache: KernelCache } | undefined;

/** Calls `listener` with each uncaptured WebGPU error or device loss. */
export function onGpuError(listener: (message: string) => void): void {
  listeners.push(listener);
}

/** The page's device (rejects with GpuUnavailableError when there is no WebGPU adapter). */
export function pageGpu(): Promise<Gpu> {
  if (!gpuPromise) {
    const promise = getGpu({
      onError: (message) => {
        if (message.includes('device lost')) gpuPromise = undefined;
        for (const listener of listeners) listener(message);
      },
    });
    promise.catch(() => {
      gpuPromise = undefined;
    });
    gpuPromise = promise;
  }
  return gpuPromise;
}

/**
 * One pipeline cache per device, so runs after the first compile nothing; pipelines are set up one
 * per task, so a run that needs many at once leaves the page free in between.
 */
export function pageKernels(device: GPUDevice): KernelCache {
  if (kernels?.device !== device) kernels = { device, cache: new KernelCache(device, { pace: nextTask }) };
  return kernels.cache;
}

/** Resolves after the browser has had a turn (a macrotask): input, painting and timers run. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Every kernel's name (shaders/NAME.wgsl), known to vite when it serves the page. */
const SHADERS = Object.keys(import.meta.glob('../../shaders/*.wgsl')).map((path) =>
  path.replace(/^.*\/(.+)\.wgsl$/, '$1'),
);

/**
 * Parses every kernel's WGSL (bindings, structs) ahead of use, one kernel per task while the page
 * is idle, so pipelines built later (by a training run) no longer hold the main thread.
 */
export async function prewarmShaders(): Promise<void> {
  for (const name of SHADERS) {
    const code = await loadShaderSource(name);
    await new Promise<void>((resolve) =>
      'requestIdleCallback' in window
        ? requestIdleCallback(() => resolve(), { timeout: 500 })
        : setTimeout(resolve, 0),
    );
    reflectShader(name, code);
  }
}
