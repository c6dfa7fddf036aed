// Per-tree losses of several queued steps, collected on the GPU and read back with one mapAsync:
// a training loop submits k steps, then waits once, so the queue never idles while JS waits.

import type { NonFinite } from './types.ts';

/** The losses of one queued step, as `TreeEngine.step` would have returned them. */
export interface LoggedStep {
  /** Mean loss over the step's trees (summed in tree order, as `step` does). */
  loss: number;
  treeLoss: Float32Array;
  /** Set when the step's update made a parameter or the optimiser state NaN or ±Inf. */
  nonFinite?: NonFinite;
}

/** Decodes an update's status words (size − i of the first non-finite index, 0: none). */
export function decodeStatus(words: Uint32Array, size: number): NonFinite | undefined {
  const out: NonFinite = {};
  if (words[0]) out.theta = size - words[0];
  if (words[1]) out.state = size - words[1];
  return words[0] || words[1] ? out : undefined;
}

/**
 * A MAP_READ buffer that each queued step appends its trees' losses (and its update's two status
 * words) to, with copies in the step's own command buffer: losses from the start, status words
 * after `capacity` floats, one pair per step. `read` waits for every step queued so far and
 * empties the log.
 */
export class LossLog {
  private readonly buffer: GPUBuffer;
  private readonly counts: number[] = [];
  private readonly checked: boolean[] = [];
  private used = 0;

  /** A log for `capacity` trees in all (e.g. steps per readback × batch size). */
  constructor(
    device: GPUDevice,
    readonly capacity: number,
    /** Length of the flat parameter buffer, to decode status words into indices. */
    private readonly paramSize = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`a loss log holds a positive whole number of trees, got ${capacity}`);
    }
    this.buffer = device.createBuffer({
      label: 'treegrad loss log',
      size: capacity * 4 + capacity * 8,
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

  /** Encodes the copies of a step's `trees` losses and its update's status (called by the engine). */
  append(encoder: GPUCommandEncoder, losses: GPUBuffer, trees: number, status?: GPUBuffer): void {
    if (!this.fits(trees)) {
      throw new RangeError(
        `the loss log is full (${this.used} of ${this.capacity} trees): read it before queueing more`,
      );
    }
    encoder.copyBufferToBuffer(losses, 0, this.buffer, this.used * 4, trees * 4);
    if (status) encoder.copyBufferToBuffer(status, 0, this.buffer, this.statusAt(this.counts.length), 8);
    this.counts.push(trees);
    this.checked.push(status !== undefined);
    this.used += trees;
  }

  private statusAt(step: number): number {
    return this.capacity * 4 + step * 8;
  }

  /** Waits for every queued step and returns their losses in queue order; the log is then empty. */
  async read(): Promise<LoggedStep[]> {
    if (this.used === 0) return [];
    const bytes = this.statusAt(this.counts.length);
    await this.buffer.mapAsync(GPUMapMode.READ, 0, bytes);
    const mapped = this.buffer.getMappedRange(0, bytes).slice(0);
    this.buffer.unmap();
    const all = new Float32Array(mapped, 0, this.used);
    const out: LoggedStep[] = [];
    let at = 0;
    for (const [step, n] of this.counts.entries()) {
      const treeLoss = all.subarray(at, at + n);
      const logged: LoggedStep = { loss: treeLoss.reduce((a, v) => a + v, 0) / n, treeLoss };
      if (this.checked[step]) {
        const words = new Uint32Array(mapped, this.statusAt(step), 2);
        const nonFinite = decodeStatus(words, this.paramSize);
        if (nonFinite) logged.nonFinite = nonFinite;
      }
      out.push(logged);
      at += n;
    }
    this.counts.length = 0;
    this.checked.length = 0;
    this.used = 0;
    return out;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
