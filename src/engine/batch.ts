// A minibatch on the GPU: its level plan's index data, the per-schedule dispatch ranges and the
// per-batch uniforms. Uploaded once for data that is stepped many times (evaluation sets); a
// training loop reloads one batch with each minibatch: its buffers are rewritten in place and
// replaced only when a bigger minibatch needs more room.
import { uploadBuffer, type Words } from '../gpu/buffers.ts';
import { RANGE_STRIDE } from '../gpu/kernel.ts';
import { PacedMap } from '../gpu/paced-map.ts';
import { type LevelPlan, planLevels } from '../plan/levels.ts';
import { forwardRanges, type Schedule } from '../plan/schedule.ts';
import { lossLabels, treeLabel } from '../trees/labels.ts';
import type { Tree } from '../trees/tree.ts';
import type { ParamLayout } from './param-layout.ts';

// Usages are read when used: in Node the WebGPU globals exist only once Dawn is loaded.
const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
const UNIFORM = () => GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;

/** Where the classifier's loss is taken: the root only, or every labelled node. */
export type LossMode = 'root' | 'all';

/**
 * The nodes the classifier runs at: every tree's root first (target t is tree t's root), then,
 * when the loss is at every labelled node, the other labelled nodes tree by tree in pre-order.
 */
export interface Targets {
  /** Row of each target. */
  rows: Uint32Array;
  /** Class of each target. */
  labels: Uint32Array;
  /** Tree (0-based) of each target. */
  tree: Uint32Array;
}

/** Index data of a minibatch on the GPU. */
export class GpuBatch {
  plan!: LevelPlan;
  /** The classifier's nodes: the roots, then (loss 'all') the other labelled nodes. */
  targets!: Targets;
  /** Incremented whenever one of the batch's buffers is replaced: bind groups must be rebuilt. */
  generation = 0;
  /** Incremented by every load: per-batch uniforms and ranges must be rewritten. */
  version = 0;
  /**
   * Its steps' readbacks, forward-only and with backward apart, each paced by how long its last
   * wait took (an evaluation batch is stepped the same way every epoch).
   */
  readonly readers = { forward: new PacedMap(), backward: new PacedMap() };
  /** Bind-group caches of the engine, keyed by the engine's and the batch's generations. */
  readonly cache = new Map<string, { key: string; value: unknown }>();
  private readonly store = new Map<string, GPUBuffer>();
  private readonly written = new Map<string, number>();
  private readonly rangesOf = new Map<Schedule, Int32Array>();
  private disposed = false;

  constructor(
    private readonly device: GPUDevice,
    /** The level kernels' uniform for a batch with this many leaves (packed by field name). */
    private readonly cellParams: (numLeaves: number) => Uint32Array,
  ) {}

  /** Loads a planned minibatch: the index buffers now hold it. */
  load(plan: LevelPlan, targets: Targets): void {
    if (this.disposed) throw new Error('the batch has been released');
    this.plan = plan;
    this.targets = targets;
    this.version++;
    this.rangesOf.clear();
    const u32 = (a: Int32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
    this.put('children', u32(plan.children), STORAGE());
    this.put('leafWords', u32(plan.leafWords), STORAGE());
    this.put('targets', targets.rows, STORAGE());
    this.put('labels', targets.labels, STORAGE());
    this.put('wordOffsets', u32(plan.wordOffsets), STORAGE());
    this.put('wordLeaves', u32(plan.wordLeaves), STORAGE());
    this.put('cellParams', this.cellParams(plan.numLeaves), UNIFORM());
  }

  /** Number of trees. */
  get numTrees(): number {
    return this.plan.numTrees;
  }

  /** Number of nodes the classifier runs at (the trees, with loss 'root'). */
  get numTargets(): number {
    return this.targets.rows.length;
  }

  /** The buffer `name` (index data, uniforms or ranges). */
  buffer(name: string): GPUBuffer {
    const b = this.store.get(name);
    if (!b) throw new Error(`batch has no buffer "${name}"`);
    return b;
  }

  /** Writes uniform buffers by name, once per load (their contents depend on the batch only). */
  uniforms(data: () => Record<string, Uint32Array>): void {
    if (this.written.get('uniforms') === this.version) return;
    for (const [name, words] of Object.entries(data())) this.put(name, words, UNIFORM());
    this.written.set('uniforms', this.version);
  }

  /** The dispatch ranges of `schedule` ([firstRow, count] pairs) and their uniform slots. */
  schedule(schedule: Schedule): { ranges: Int32Array; buffer: GPUBuffer } {
    let ranges = this.rangesOf.get(schedule);
    const name = `ranges(${schedule})`;
    if (!ranges) {
      ranges = forwardRanges(this.plan, schedule);
      const stride = RANGE_STRIDE / 4;
      const slots = new Uint32Array(Math.max(1, ranges.length / 2) * stride);
      for (let k = 0; k < ranges.length / 2; k++) {
        slots[k * stride] = ranges[2 * k]!;
        slots[k * stride + 1] = ranges[2 * k + 1]!;
      }
      this.put(name, slots, UNIFORM());
      this.rangesOf.set(schedule, ranges);
    }
    return { ranges, buffer: this.buffer(name) };
  }

  /** Writes `data` into buffer `name`, replacing the buffer when it is too small or absent. */
  private put(name: string, data: Words, usage: GPUBufferUsageFlags): void {
    const old = this.store.get(name);
    if (old && old.size >= data.byteLength) {
      if (data.byteLength > 0)
        this.device.queue.writeBuffer(old, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    old?.destroy();
    // Room for growth: minibatches of a training run vary in size.
    const padded = new Uint8Array(Math.ceil((old ? data.byteLength * 1.5 : data.byteLength) / 4) * 4);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.store.set(name, uploadBuffer(this.device, `${name}`, new Uint32Array(padded.buffer), usage));
    this.generation++;
  }

  /** Frees every buffer of the batch. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.store.values()) b.destroy();
    this.store.clear();
  }
}

/**
 * Plans a minibatch for a vocabulary (its rows by word, built once per engine, and its size). Labels default to the roots' labels; an unknown word or a bad
 * label is an error naming the tree (1-based). With `loss` 'all' every labelled node is a target.
 */
export function planBatch(
  layout: ParamLayout,
  vocab: { words: ReadonlyMap<string, number>; size: number },
  trees: readonly Tree[],
  labels?: readonly number[],
  loss: LossMode = 'root',
): { plan: LevelPlan; targets: Targets } {
  const ids = vocab.words;
  const plan = planLevels(
    trees,
    (word, t) => {
      const id = ids.get(word);
      if (id === undefined) throw new Error(`tree ${t + 1}: unknown word "${word}" (not in the vocabulary)`);
      return id;
    },
    vocab.size,
  );
  const y = trees.map((tree, t) => treeLabel(tree, t + 1, layout.classes, labels?.[t]));
  const roots = new Uint32Array(plan.roots.buffer, plan.roots.byteOffset, plan.roots.length);
  if (loss === 'root') {
    return {
      plan,
      targets: { rows: roots, labels: Uint32Array.from(y), tree: Uint32Array.from(y, (_, t) => t) },
    };
  }
  const rows = [...roots];
  const classes = [...y];
  const tree = y.map((_, t) => t);
  trees.forEach((t, k) => {
    const first = plan.preorderOffset[k]!;
    lossLabels(t, y[k]!, layout.classes, k + 1, 'all').forEach((label, i) => {
      if (i === 0 || label === undefined) return;
      rows.push(plan.rowOfPreorder[first + i]!);
      classes.push(label);
      tree.push(k);
    });
  });
  return {
    plan,
    targets: {
      rows: Uint32Array.from(rows),
      labels: Uint32Array.from(classes),
      tree: Uint32Array.from(tree),
    },
  };
}
