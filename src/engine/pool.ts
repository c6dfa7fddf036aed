// Named GPU buffers that grow when a bigger batch arrives and are otherwise reused: a step
// creates no buffer. Every growth bumps `generation`, so bind groups know to rebuild.

/** A set of named, growing buffers of one device. */
export class BufferPool {
  /** Incremented whenever a buffer is replaced. */
  generation = 0;
  private readonly buffers = new Map<string, GPUBuffer>();

  constructor(private readonly device: GPUDevice) {}

  /** Buffer `name` with at least `bytes` bytes (min 4) and `usage`; replaced by one 1.5× larger when too small. */
  ensure(name: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const need = Math.max(4, Math.ceil(bytes / 4) * 4);
    const old = this.buffers.get(name);
    if (old && old.size >= need && old.usage === usage) return old;
    old?.destroy();
    const storage = (usage & GPUBufferUsage.STORAGE) !== 0;
    const limit = storage
      ? Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize)
      : this.device.limits.maxBufferSize;
    // Grow by 1.5× to spare later growths, but never past the limit when the need fits under it.
    const grown = old ? Math.max(need, Math.ceil((old.size * 1.5) / 4) * 4) : need;
    const size = Math.min(grown, Math.max(need, Math.floor(limit / 4) * 4));
    if (size > limit) {
      throw new RangeError(
        `buffer "${name}" needs ${need} bytes, over this device's limit of ${limit} bytes (maxStorageBufferBindingSize, maxBufferSize): use smaller batches`,
      );
    }
    const buffer = this.device.createBuffer({ label: name, size, usage });
    this.buffers.set(name, buffer);
    this.generation++;
    return buffer;
  }

  /** The buffer `name` (ensure must have created it). */
  get(name: string): GPUBuffer {
    const b = this.buffers.get(name);
    if (!b) throw new Error(`no pooled buffer "${name}"`);
    return b;
  }

  /** Destroys every buffer. */
  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}
