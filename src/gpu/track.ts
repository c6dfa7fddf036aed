// Live GPU buffers of a device, counted by wrapping createBuffer/destroy: for tests and the soak
// script that check that long work keeps GPU memory flat.

/** Live buffers and their bytes since `trackBuffers` was called on a device. */
export interface BufferTracker {
  count(): number;
  bytes(): number;
}

/** Wraps `device.createBuffer` so that buffers created from now on are counted until destroyed. */
export function trackBuffers(device: GPUDevice): BufferTracker {
  const live = new Map<GPUBuffer, number>();
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    live.set(buffer, descriptor.size);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  return { count: () => live.size, bytes: () => [...live.values()].reduce((a, b) => a + b, 0) };
}
