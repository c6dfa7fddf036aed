// GPU time per compute pass from timestamp queries, where the adapter has them. Without the
// `timestamp-query` feature it hands out plain pass descriptors and reports no times.

/** WebGPU's limit on queries in one query set. */
const MAX_QUERIES = 4096;

/** Timestamps around the first `capacity` passes of one command buffer (at most 2048). */
export class PassTimer {
  readonly enabled: boolean;
  /** Passes that get timestamps; later passes run untimed. */
  readonly capacity: number;
  private readonly querySet?: GPUQuerySet;
  private readonly resolveBuffer?: GPUBuffer;
  private readonly readBuffer?: GPUBuffer;
  private passes = 0;

  constructor(device: GPUDevice, capacity: number) {
    this.capacity = Math.min(capacity, MAX_QUERIES / 2);
    this.enabled = device.features.has('timestamp-query') && capacity > 0;
    if (!this.enabled) return;
    const count = 2 * this.capacity;
    this.querySet = device.createQuerySet({ label: 'pass timer', type: 'timestamp', count });
    this.resolveBuffer = device.createBuffer({
      label: 'pass timer resolve',
      size: count * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readBuffer = device.createBuffer({
      label: 'pass timer read',
      size: count * 8,
      usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
    });
  }

  /** A descriptor for the next pass, with timestamp writes when enabled. */
  pass(label: string): GPUComputePassDescriptor {
    if (!this.enabled || this.passes >= this.capacity) return { label };
    const i = this.passes++;
    return {
      label,
      timestampWrites: {
        querySet: this.querySet!,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  /** Encodes the resolve and the copy to the readable buffer (after the last timed pass). */
  resolve(encoder: GPUCommandEncoder): void {
    if (!this.enabled || this.passes === 0) return;
    encoder.resolveQuerySet(this.querySet!, 0, 2 * this.passes, this.resolveBuffer!, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer!, 0, this.readBuffer!, 0, 2 * this.passes * 8);
  }

  /** Nanoseconds per timed pass (after the command buffer was submitted); [] when disabled. */
  async read(): Promise<number[]> {
    if (!this.enabled || this.passes === 0) return [];
    await this.readBuffer!.mapAsync(GPUMapMode.READ, 0, 2 * this.passes * 8);
    const t = new BigInt64Array(this.readBuffer!.getMappedRange(0, 2 * this.passes * 8).slice(0));
    this.readBuffer!.unmap();
    return Array.from({ length: this.passes }, (_, i) => Number(t[2 * i + 1]! - t[2 * i]!));
  }

  /** Frees the query set and buffers. */
  destroy(): void {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    this.readBuffer?.destroy();
  }
}
