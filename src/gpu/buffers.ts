// Small buffer helpers shared by the engine, the tests and the benchmarks.

/** Typed arrays that go to and from the GPU as 32-bit words. */
export type Words = Float32Array | Uint32Array | Int32Array;

/** A buffer holding `data` (size rounded up to 4 bytes, at least 4), created mapped. */
export function uploadBuffer(
  device: GPUDevice,
  label: string,
  data: Words,
  usage: GPUBufferUsageFlags,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(4, data.byteLength),
    usage,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

/** Copies `byteLength` bytes of `source` (COPY_SRC) to a staging buffer and returns them. */
export async function readBuffer(
  device: GPUDevice,
  source: GPUBuffer,
  byteLength = source.size,
): Promise<ArrayBuffer> {
  const staging = device.createBuffer({
    label: `${source.label || 'buffer'} readback`,
    size: byteLength,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'readBuffer' });
    encoder.copyBufferToBuffer(source, 0, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}
