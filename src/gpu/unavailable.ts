// The error both ways to a device raise (device.ts in a page or in Node, node-gpu.ts under Dawn).

/** Raised when no WebGPU adapter or device can be had: says where and what to install. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}
