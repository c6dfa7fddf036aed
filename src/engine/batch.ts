// A minibatch on the GPU: its level plan, uploaded once, and the per-schedule dispatch ranges.
import { type LevelPlan, planLevels } from '../plan/levels.ts';
import { forwardRanges, type Schedule } from '../plan/schedule.ts';
import { treeLabel, wordIndex } from '../reference/forward.ts';
import type { Tree } from '../trees/tree.ts';
import { uploadBuffer } from '../gpu/buffers.ts';
import { RANGE_STRIDE } from '../gpu/kernel.ts';
import { cellParams } from './cells.ts';
import type { ParamLayout } from './layout.ts';

/** Dispatch ranges of one schedule: [firstRow, count] pairs and a uniform slot for each. */
export interface ScheduleRanges {
  readonly ranges: Int32Array;
  readonly buffer: GPUBuffer;
  /** Bind groups of the level kernels, built for one generation of the engine's buffers. */
  groups?: { generation: number; forward: GPUBindGroup; backward: GPUBindGroup };
}

/** Index data of a minibatch on the GPU, uploaded once (a training step moves no index data). */
export class GpuBatch {
  readonly buffers: Readonly<Record<string, GPUBuffer>>;
  private readonly schedules = new Map<Schedule, ScheduleRanges>();
  /** Bind groups of the whole-batch kernels, for one generation of the engine's buffers. */
  groups?: { generation: number; byKernel: Map<string, GPUBindGroup> };
  private disposed = false;

  constructor(
    private readonly device: GPUDevice,
    readonly plan: LevelPlan,
    readonly labels: Uint32Array,
    layout: ParamLayout,
  ) {
    const storage = GPUBufferUsage.STORAGE;
    const u32 = (a: Int32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    const uniform = GPUBufferUsage.UNIFORM;
    this.buffers = {
      children: uploadBuffer(device, 'children', u32(plan.children), storage),
      leafWords: uploadBuffer(device, 'leafWords', u32(plan.leafWords), storage),
      roots: uploadBuffer(device, 'roots', u32(plan.roots), storage),
      labels: uploadBuffer(device, 'labels', labels, storage),
      wordOffsets: uploadBuffer(device, 'wordOffsets', u32(plan.wordOffsets), storage),
      wordLeaves: uploadBuffer(device, 'wordLeaves', u32(plan.wordLeaves), storage),
      cellParams: uploadBuffer(device, 'cellParams', cellParams(layout, plan.numLeaves), uniform),
    };
  }

  /**
   * Uniform buffers of this batch by name, uploaded on first call; later calls return the same
   * buffers (their contents depend only on the batch and the model).
   */
  uniforms(device: GPUDevice, data: Record<string, Uint32Array>): Record<string, GPUBuffer> {
    if (!this.uniformBuffers) {
      this.uniformBuffers = Object.fromEntries(
        Object.entries(data).map(([name, words]) => [
          name,
          uploadBuffer(device, name, words, GPUBufferUsage.UNIFORM),
        ]),
      );
    }
    return this.uniformBuffers;
  }
  private uniformBuffers?: Record<string, GPUBuffer>;

  /** Number of trees. */
  get numTrees(): number {
    return this.plan.numTrees;
  }

  /** The dispatch ranges of `schedule`, uploaded on first use. */
  schedule(schedule: Schedule): ScheduleRanges {
    let s = this.schedules.get(schedule);
    if (!s) {
      const ranges = forwardRanges(this.plan, schedule);
      const slots = new Uint32Array(Math.max(1, ranges.length / 2) * (RANGE_STRIDE / 4));
      for (let k = 0; k < ranges.length / 2; k++) {
        slots[k * (RANGE_STRIDE / 4)] = ranges[2 * k]!;
        slots[k * (RANGE_STRIDE / 4) + 1] = ranges[2 * k + 1]!;
      }
      s = { ranges, buffer: uploadBuffer(this.device, `ranges(${schedule})`, slots, GPUBufferUsage.UNIFORM) };
      this.schedules.set(schedule, s);
    }
    return s;
  }

  /** Frees every buffer of the batch. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of Object.values(this.buffers)) b.destroy();
    for (const s of this.schedules.values()) s.buffer.destroy();
    for (const b of Object.values(this.uniformBuffers ?? {})) b.destroy();
  }
}

/**
 * Plans and uploads a minibatch. Labels default to the roots' labels; an unknown word or a bad
 * label is an error naming the tree (1-based).
 */
export function uploadBatch(
  device: GPUDevice,
  layout: ParamLayout,
  vocab: readonly string[],
  trees: readonly Tree[],
  labels?: readonly number[],
): GpuBatch {
  const ids = wordIndex(vocab);
  const plan = planLevels(
    trees,
    (word, t) => {
      const id = ids.get(word);
      if (id === undefined) throw new Error(`tree ${t + 1}: unknown word "${word}" (not in the vocabulary)`);
      return id;
    },
    vocab.length,
  );
  const y = Uint32Array.from(trees, (tree, t) => treeLabel(tree, t + 1, layout.classes, labels?.[t]));
  return new GpuBatch(device, plan, y, layout);
}
