// Per-tree losses of several queued steps, collected on the GPU and read back with one mapAsync:
// a training loop submits k steps, then waits once, so the queue never idles while JS waits.

/** The losses of one queued step, as `TreeEngine.step` would have returned them. */
export interface LoggedStep {
  /** Mean loss over the step's trees (summed in tree order, as `step` does). */
  loss: number;
  treeLoss: Float32Array;
}

/**
 * A MAP_READ buffer that each queued step appends its trees' losses to (a copy in the step's own
 * command buffer). `read` waits for every step queued so far and empties the log.
 */
export class LossLog {
  private readonly buffer: GPUBuffer;
  private readonly counts: number[] = [];
  private used = 0;

  /** A log for `capacity` trees in all (e.g. steps per readback × batch size). */
  constructor(
    device: GPUDevice,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`a loss log holds a positive whole number of trees, got ${capacity}`);
    }
    this.buffer = device.createBuffer({
      label: 'treegrad loss log',
      size: capacity * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Steps queued since the last read. */
  get steps(): number {
    return this.counts.length;
  }

  /** Whether a step of `trees` trees still fits. */
  fits(trees: number): boolean {
    return this.used + trees <= this.capacity;
  }

  /** Encodes the copy of a step's `trees` losses from `losses` (called by the engine). */
  append(encoder: GPUCommandEncoder, losses: GPUBuffer, trees: number): void {
    if (!this.fits(trees)) {
      throw new RangeError(
        `the loss log is full (${this.used} of ${this.capacity} trees): read it before queueing more`,
      );
    }
    encoder.copyBufferToBuffer(losses, 0, this.buffer, this.used * 4, trees * 4);
    this.counts.push(trees);
    this.used += trees;
  }

  /** Waits for every queued step and returns their losses in queue order; the log is then empty. */
  async read(): Promise<LoggedStep[]> {
    if (this.used === 0) return [];
    await this.buffer.mapAsync(GPUMapMode.READ, 0, this.used * 4);
    const all = new Float32Array(this.buffer.getMappedRange(0, this.used * 4).slice(0));
    this.buffer.unmap();
    const out: LoggedStep[] = [];
    let at = 0;
    for (const n of this.counts) {
      const treeLoss = all.subarray(at, at + n);
      out.push({ loss: treeLoss.reduce((a, v) => a + v, 0) / n, treeLoss });
      at += n;
    }
    this.counts.length = 0;
    this.used = 0;
    return out;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
