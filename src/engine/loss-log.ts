// Per-tree losses of several queued steps, collected on the GPU and read back with one mapAsync:
// a training loop submits k steps, then waits once, so the queue never idles while JS waits.

import { PacedMap } from '../gpu/paced-map.ts';
import type { NonFinite } from './types.ts';

/** The losses of one queued step, as `TreeEngine.step` would have returned them. */
export interface LoggedStep {
  /** Mean loss over the step's trees (summed in tree order, as `step` does). */
  loss: number;
  treeLoss: Float32Array;
  /** Set when the step's update made a parameter or the optimiser state NaN or ±Inf. */
  nonFinite?: NonFinite;
}

/**
 * Each tree's loss from the classifier's per-target losses: the targets themselves when they are
 * the roots (`tree` undefined), else the sum of each tree's targets in target order.
 */
export function treeLosses(values: Float32Array, numTrees: number, tree?: Uint32Array): Float32Array {
  if (!tree) return values.subarray(0, numTrees);
  const out = new Float32Array(numTrees);
  for (let i = 0; i < values.length; i++) out[tree[i]!]! += values[i]!;
  return out;
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
  /** Per step: its trees, and each target's tree when the targets are not just the roots. */
  private readonly trees: { numTrees: number; tree?: Uint32Array }[] = [];
  private readonly checked: boolean[] = [];
  private used = 0;
  private readonly reader = new PacedMap();

  /**
   * A log for `capacity` losses in all (e.g. steps per readback × batch size; with a loss at every
   * labelled node, × the most labelled nodes of a tree).
   */
  constructor(
    device: GPUDevice,
    readonly capacity: number,
    /** Length of the flat parameter buffer, to decode status words into indices. */
    private readonly paramSize = 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`a loss log holds a positive whole number of losses, got ${capacity}`);
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

  /** Whether a step with `losses` losses (its classifier's targets) still fits. */
  fits(losses: number): boolean {
    return this.used + losses <= this.capacity;
  }

  /**
   * Encodes the copies of a step's `losses` per-target losses and its update's status (called by
   * the engine); `tree` maps targets to trees when they are not just the `numTrees` roots.
   */
  append(
    encoder: GPUCommandEncoder,
    source: GPUBuffer,
    losses: number,
    status?: GPUBuffer,
    trees: { numTrees: number; tree?: Uint32Array } = { numTrees: losses },
  ): void {
    if (losses > this.capacity) {
      throw new RangeError(
        `a step with ${losses} losses does not fit a loss log of ${this.capacity}: make the log bigger`,
      );
    }
    if (!this.fits(losses)) {
      throw new RangeError(
        `the loss log is full (${this.used} of ${this.capacity} losses): read it before queueing more`,
      );
    }
    encoder.copyBufferToBuffer(source, 0, this.buffer, this.used * 4, losses * 4);
    if (status) encoder.copyBufferToBuffer(status, 0, this.buffer, this.statusAt(this.counts.length), 8);
    this.counts.push(losses);
    this.trees.push(trees);
    this.checked.push(status !== undefined);
    this.used += losses;
  }

  private statusAt(step: number): number {
    return this.capacity * 4 + step * 8;
  }

  /** Waits for every queued step and returns their losses in queue order; the log is then empty. */
  async read(): Promise<LoggedStep[]> {
    if (this.used === 0) return [];
    const bytes = this.statusAt(this.counts.length);
    await this.reader.map(this.buffer, 0, bytes);
    const mapped = this.buffer.getMappedRange(0, bytes).slice(0);
    this.buffer.unmap();
    const all = new Float32Array(mapped, 0, this.used);
    const out: LoggedStep[] = [];
    let at = 0;
    for (const [step, n] of this.counts.entries()) {
      const { numTrees, tree } = this.trees[step]!;
      const treeLoss = treeLosses(all.subarray(at, at + n), numTrees, tree);
      const logged: LoggedStep = { loss: treeLoss.reduce((a, v) => a + v, 0) / numTrees, treeLoss };
      if (this.checked[step]) {
        const words = new Uint32Array(mapped, this.statusAt(step), 2);
        const nonFinite = decodeStatus(words, this.paramSize);
        if (nonFinite) logged.nonFinite = nonFinite;
      }
      out.push(logged);
      at += n;
    }
    this.counts.length = 0;
    this.trees.length = 0;
    this.checked.length = 0;
    this.used = 0;
    return out;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
