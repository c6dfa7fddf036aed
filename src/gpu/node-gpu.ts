// Node only: Dawn's WebGPU implementation from the `webgpu` package.
import { type DriverHints, driverEnv, vulkanEnv } from './vulkan-env.ts';
import { GpuUnavailableError } from './unavailable.ts';

let cached: GPU | undefined;

/**
 * Creates (once per process) Dawn's GPU object and installs the WebGPU globals (GPUBufferUsage, …).
 * The first call's hints set the driver's threading (`driverEnv`).
 */
export async function nodeGpu(hints: DriverHints = {}): Promise<GPU> {
  if (cached) return cached;
  const choice = vulkanEnv();
  const wanted = { ...choice.env, ...driverEnv(choice, process.env, hints) };
  const missing = Object.entries(wanted).filter(([key, value]) => process.env[key] !== value);
  for (const [key, value] of missing) {
    if (key === 'LD_LIBRARY_PATH') {
      throw new GpuUnavailableError(
        `no system Vulkan loader: start Node with LD_LIBRARY_PATH=${value} ` +
          '(the `treegrad` command and `npm test` do this), or install Debian\'s "libvulkan1"',
      );
    }
    process.env[key] = value;
  }
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (error) {
    throw new GpuUnavailableError(`cannot load Dawn (the "webgpu" package): ${(error as Error).message}`);
  }
  Object.assign(globalThis, dawn.globals);
  cached = dawn.create([]);
  return cached;
}
