// The engine's resources for a batch: pooled state sizes, per-batch uniforms, and bind groups
// built from one dictionary of named buffers (each kernel takes the names it declares).
import { type BufferResource, type Kernel, RANGE_STRIDE } from '../gpu/kernel.ts';
import type { LevelPlan } from '../plan/levels.ts';
import type { Schedule } from '../plan/schedule.ts';
import type { GpuBatch } from './batch.ts';
import type { CellSpec } from './cells.ts';
import type { ParamLayout } from './param-layout.ts';
import type { BufferPool } from './pool.ts';
import { chunking, type ReduceTable, reduceParams } from './reduce.ts';
import type { ModelShape } from './types.ts';
import type { TransposeTable } from './transpose.ts';

/** The engine's kernels, one per job, in the order a training step runs them. */
export interface EngineKernels {
  /** The forward kernels' transposed copy of the cell's weights (transpose_weights). */
  transpose: Kernel;
  leaf: Kernel;
  /** The forward and backward level kernels, one per shape the engine runs (src/engine/cells.ts). */
  forward: Kernel[];
  classifier: Kernel;
  backward: Kernel[];
  reduce: Kernel;
  /** The classifier's weight gradients (outer_reduce_blocks at every d). */
  classReduce: Kernel;
  partials: Kernel;
  embed: Kernel;
  norms: Kernel;
}

/** The uniform buffers of a batch's whole-batch kernels, by the batch buffer's name (a type: GpuBatch.uniforms takes it as a record). */
export type BatchUniforms = {
  leafParams: Uint32Array;
  classifierParams: Uint32Array;
  cellReduceParams: Uint32Array;
  cellPartialsParams: Uint32Array;
  classReduceParams: Uint32Array;
  classPartialsParams: Uint32Array;
  embedParams: Uint32Array;
  normsParams: Uint32Array;
  transposeParams: Uint32Array;
};

/**
 * The bind groups of one batch and schedule, one per dispatch kind (the two reductions run twice);
 * the level kernels have one per dispatch range and shape, made when first asked for.
 */
export interface BatchBindGroups {
  transpose: GPUBindGroup;
  leaf: GPUBindGroup;
  forward: (range: number, shape: number) => GPUBindGroup;
  classifier: GPUBindGroup;
  backward: (range: number, shape: number) => GPUBindGroup;
  cellReduce: GPUBindGroup;
  cellPartials: GPUBindGroup;
  classReduce: GPUBindGroup;
  classPartials: GPUBindGroup;
  embed: GPUBindGroup;
  norms: GPUBindGroup;
}

/** What the helpers need of an engine. */
export interface EngineParts {
  shape: ModelShape;
  /** The engine's layout (gpuLayout): its dim is the width the kernels run at. */
  layout: ParamLayout;
  spec: CellSpec;
  pool: BufferPool;
  reduce: { cell: ReduceTable; classifier: ReduceTable };
  transpose: TransposeTable;
  /** Wide levels in the cell's wide shapes (`levelShape`). */
  wideLevels: boolean;
  kernels: EngineKernels;
}

/** Makes the pooled state buffers big enough for a batch with this plan and classifier targets. */
export function ensureState(e: EngineParts, plan: LevelPlan, targets: number): void {
  const D = e.layout.dim;
  const C = e.shape.classes;
  const nodes = plan.numNodes * D * 4;
  const sizes: Record<string, number> = {
    H: nodes,
    dH: nodes,
    C: e.spec.hasC ? nodes : 4,
    dC: e.spec.hasC ? nodes : 4,
    S: plan.numInternal * e.spec.savedWidth * 4,
    deltas: plan.numInternal * e.spec.deltaWidth * 4,
    probs: targets * C * 4,
    dlogits: targets * C * 4,
    loss: targets * 4,
    norms: plan.numNodes * 2 * 4,
    // Partial sums of the chunked weight-gradient reductions (shared: they run one after the other).
    partials:
      4 *
      Math.max(
        chunking(plan.numInternal, e.reduce.cell.blocks).numChunks * e.reduce.cell.elements,
        chunking(targets, e.reduce.classifier.blocks).numChunks * e.reduce.classifier.elements,
      ),
  };
  const rw = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  // At least one vec4: some kernels bind their buffers as vec4 arrays (a batch without internal
  // nodes has no deltas, a cell without c no C).
  for (const [name, bytes] of Object.entries(sizes)) e.pool.ensure(name, Math.max(16, bytes), rw);
  // Losses, probabilities, norms, and the update's two status words.
  const readback = (targets * (1 + C) + plan.numNodes * 2 + 2) * 4;
  e.pool.ensure('readback', readback, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
}

/**
 * The uniforms of the whole-batch kernels for a plan and its number of classifier targets (written
 * once per load). Weight gradients are of the mean over trees of each tree's loss.
 */
export function batchUniforms(e: EngineParts, plan: LevelPlan, targets: number): BatchUniforms {
  const L = e.layout;
  const D = L.dim;
  const k = e.kernels;
  const scale = 1 / plan.numTrees;
  const cell = reduceParams(e.reduce.cell, plan.numInternal, e.spec.deltaWidth, 2, plan.numLeaves, D, scale);
  const cls = reduceParams(e.reduce.classifier, targets, e.shape.classes, 1, 0, D, scale);
  // Every uniform packed by field name from its kernel's struct.
  return {
    leafParams: k.leaf.pack('params', { numLeaves: plan.numLeaves, offE: L.offsets.E! }),
    classifierParams: k.classifier.pack('params', {
      numTargets: targets,
      offWc: L.offsets.Wc!,
      offbc: L.offsets.bc!,
    }),
    cellReduceParams: k.reduce.pack('params', cell.reduce),
    cellPartialsParams: k.partials.pack('params', cell.partials),
    classReduceParams: k.classReduce.pack('params', cls.reduce),
    classPartialsParams: k.partials.pack('params', cls.partials),
    embedParams: k.embed.pack('params', { vocab: e.shape.vocab.length, offE: L.offsets.E!, scale }),
    normsParams: k.norms.pack('params', { numNodes: plan.numNodes, hasC: e.spec.hasC ? 1 : 0 }),
    transposeParams: k.transpose.pack('params', {
      matrices: e.transpose.matrices,
      tensors: e.transpose.tensors,
    }),
  };
}

/**
 * Bind groups of every kernel for `batch` and a schedule's ranges, cached in the batch until the
 * pool or the batch replaces a buffer.
 */
export function bindBatch(e: EngineParts, batch: GpuBatch, schedule: Schedule): BatchBindGroups {
  const key = `${e.pool.generation}/${batch.generation}`;
  const cached = batch.cache.get(schedule);
  if (cached?.key === key) return cached.value as BatchBindGroups;
  const p = (name: string) => e.pool.get(name);
  const b = (name: string) => batch.buffer(name);
  const all: Record<string, BufferResource> = {
    ...Object.fromEntries(
      [
        'H',
        'C',
        'S',
        'dH',
        'dC',
        'deltas',
        'probs',
        'dlogits',
        'loss',
        'norms',
        'theta',
        'thetaT',
        'dTheta',
        'partials',
      ].map((n) => [n, p(n)]),
    ),
    ...Object.fromEntries(
      ['children', 'leafWords', 'targets', 'labels', 'wordOffsets', 'wordLeaves'].map((n) => [n, b(n)]),
    ),
    params: b('cellParams'),
  };
  const ranges = batch.schedule(schedule).buffer;
  const bind = (kernel: Kernel, overrides: Record<string, BufferResource> = {}) => {
    const from = { ...all, ...overrides };
    const resource = (name: string) => {
      const r = from[name];
      if (!r) throw new Error(`${kernel.info.name}: no buffer for binding "${name}"`);
      return r;
    };
    return kernel.bind(Object.fromEntries(kernel.info.bindings.map((d) => [d.name, resource(d.name)])));
  };
  const k = e.kernels;
  // One bind group per range slot and shape: `range` at the slot's offset (see RANGE_STRIDE), made
  // with the kernel of the shape that runs it (`levelShape`, picked by the caller per step: a
  // reload may move a range across WIDE_LEVEL_NODES without a new generation).
  const perRange = (kernels: readonly Kernel[]) => {
    const made = kernels.map(() => [] as GPUBindGroup[]);
    return (r: number, shape: number) => {
      made[shape]![r] ??= bind(kernels[shape]!, {
        range: { buffer: ranges, offset: r * RANGE_STRIDE, size: 8 },
      });
      return made[shape]![r]!;
    };
  };
  const cellReduce = { idx: b('children'), table: e.reduce.cell.buffer, params: b('cellReduceParams') };
  const classReduce = {
    deltas: p('dlogits'),
    idx: b('targets'),
    table: e.reduce.classifier.buffer,
    params: b('classReduceParams'),
  };
  const groups: BatchBindGroups = {
    transpose: bind(k.transpose, { offsets: e.transpose.buffer, params: b('transposeParams') }),
    leaf: bind(k.leaf, { params: b('leafParams') }),
    forward: perRange(k.forward),
    classifier: bind(k.classifier, { params: b('classifierParams') }),
    backward: perRange(k.backward),
    cellReduce: bind(k.reduce, cellReduce),
    cellPartials: bind(k.partials, { table: e.reduce.cell.buffer, params: b('cellPartialsParams') }),
    classReduce: bind(k.classReduce, classReduce),
    classPartials: bind(k.partials, { table: e.reduce.classifier.buffer, params: b('classPartialsParams') }),
    embed: bind(k.embed, { params: b('embedParams') }),
    norms: bind(k.norms, { params: b('normsParams') }),
  };
  batch.cache.set(schedule, { key, value: groups });
  return groups;
}
