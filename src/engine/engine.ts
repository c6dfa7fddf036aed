// The scheduler: one training step = one command buffer and one submit; one mapAsync reads back
// the per-tree losses (and per-node gradient norms). State buffers are pooled and grow on demand.
import { readBuffer } from '../gpu/buffers.ts';
import { isCpuAdapter } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import type { Params } from '../params/params.ts';
import type { Tree } from '../trees/tree.ts';
import { GpuBatch, type LossMode, planBatch } from './batch.ts';
import { decodeStatus, type LossLog, treeLosses } from './loss-log.ts';
import { wordIndex } from '../trees/labels.ts';
import { type CellSpec, cellParams, cellSpec } from './cells.ts';
import { type Encoded, encodeStep } from './encode.ts';
import {
  gpuLayout,
  type ParamLayout,
  packParams,
  paramLayout,
  relayout,
  unpackTensors,
} from './param-layout.ts';
import { checkBatch, checkModel, type DeviceLimits, deviceLimits } from './limits.ts';
import { BufferPool } from './pool.ts';
import { type ReduceTable, reduceTables } from './reduce.ts';
import { engineKernels } from './kernels.ts';
import { type TransposeTable, transposeTable } from './transpose.ts';
import type { EngineKernels, EngineParts } from './resources.ts';
import type { EngineOptions, ModelShape, StepOptions, StepResult } from './types.ts';

export type { DispatchTime, EngineOptions, ModelShape, StepOptions, StepResult, Update } from './types.ts';
export type { LossMode } from './batch.ts';

/** How a batch's trees are classified. */
export interface BatchOptions {
  /**
   * Where the loss is taken: the root only (default; the paper's setting), or every labelled node
   * (each tree's loss is then the sum over its labelled nodes; the SST protocol).
   */
  loss?: LossMode;
}

// Read when used: in Node the WebGPU globals exist only once Dawn is loaded.
const RW = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Level-batched forward and backward of RNN/RLSTM over minibatches of trees, on one device. */
export class TreeEngine {
  /**
   * The model's flat float32 layout (files, checkpoints, `getFlat`): offsets and shapes by tensor
   * name, in canonical order, and the total size in floats. Fixed by the model's shape (cell, d,
   * vocabulary size, classes).
   */
  readonly layout: ParamLayout;
  /**
   * The layout of the engine's parameter and gradient buffers (and the optimiser's state): the
   * model's tensors at gpuDim(d), a multiple of 4, the extra rows and columns zero. The same as
   * `layout` when d is a multiple of 4.
   */
  readonly gpuLayout: ParamLayout;
  /**
   * The cell as the engine runs it at this hidden size: its forward and backward level kernels
   * (shader and override constants), the floats each internal node saves for backward, and
   * whether it has a memory cell c (and so per-node gc).
   */
  readonly spec: CellSpec;
  private readonly pool: BufferPool;
  private readonly reduce: { cell: ReduceTable; classifier: ReduceTable };
  private readonly transpose: TransposeTable;
  private readonly batches = new Set<GpuBatch>();
  /** The device's limits, read once: every (re)load checks its batch against them. */
  private readonly limits: DeviceLimits;
  /** The vocabulary's rows by word, built once (not per minibatch: a treebank's has ~20k words). */
  private readonly words: ReadonlyMap<string, number>;
  private disposed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly shape: ModelShape,
    private readonly k: EngineKernels,
    private readonly maxPerDim: number,
    /** Whether wide levels run in the cell's wide shapes (CPU drivers; EngineOptions.wideLevels). */
    readonly wideLevels: boolean,
  ) {
    this.layout = paramLayout(shape.cell, shape.dim, shape.vocab.length, shape.classes);
    this.gpuLayout = gpuLayout(this.layout);
    this.spec = cellSpec(shape.cell, this.gpuLayout.dim);
    this.limits = deviceLimits(device.limits);
    this.words = wordIndex(shape.vocab);
    this.pool = new BufferPool(device);
    this.pool.ensure('theta', this.gpuLayout.size * 4, RW());
    // The forward kernels' copy of the cell's tensors, matrices transposed (src/engine/transpose.ts).
    this.pool.ensure('thetaT', this.gpuLayout.size * 4, RW());
    this.pool.ensure('dTheta', this.gpuLayout.size * 4, RW());
    this.reduce = reduceTables(device, this.gpuLayout, this.spec);
    this.transpose = transposeTable(device, this.gpuLayout);
  }

  /** Builds every pipeline the model needs (once per device, shape and hidden size). */
  static async create(
    device: GPUDevice,
    shape: ModelShape,
    options: EngineOptions = {},
  ): Promise<TreeEngine> {
    const kernels = options.kernels ?? new KernelCache(device);
    const maxPerDim = options.maxWorkgroupsPerDimension ?? device.limits.maxComputeWorkgroupsPerDimension;
    if (!Number.isInteger(shape.classes) || shape.classes < 1) {
      throw new RangeError(`classes must be a positive integer, got ${shape.classes}`);
    }
    if (shape.vocab.length === 0) throw new RangeError('the vocabulary is empty');
    // Sizes against the caps and this device's limits, by name, before any pipeline or buffer.
    checkModel(
      { cell: shape.cell, dim: shape.dim, vocab: shape.vocab.length, classes: shape.classes },
      deviceLimits(device.limits),
    );
    // Wide shapes (more nodes per workgroup on wide levels) on CPU drivers only (src/engine/cells.ts).
    const wide = options.wideLevels ?? isCpuAdapter(device.adapterInfo);
    const k = await engineKernels(kernels, shape, wide);
    return new TreeEngine(device, shape, k, maxPerDim, wide);
  }

  /** The flat parameter and gradient buffers, in `gpuLayout` (the optimiser updates them in place). */
  get buffers(): { theta: GPUBuffer; dTheta: GPUBuffer } {
    return { theta: this.pool.get('theta'), dTheta: this.pool.get('dTheta') };
  }

  /** Uploads parameters (Float64 tensors by name) into the flat buffer. */
  setParams(params: Params): void {
    const { cell, dim, classes } = this.shape;
    if (params.cell !== cell || params.dim !== dim || params.classes !== classes) {
      throw new Error(
        `parameters are ${params.cell} d=${params.dim} C=${params.classes}, the engine ${cell} d=${dim} C=${classes}`,
      );
    }
    if (
      params.vocab.length !== this.shape.vocab.length ||
      params.vocab.some((w, i) => w !== this.shape.vocab[i])
    ) {
      throw new Error("the parameters' vocabulary differs from the engine's");
    }
    this.setFlat(packParams(params, this.layout));
  }

  /** Uploads a flat parameter buffer in the model's `layout` (e.g. a checkpoint's). */
  setFlat(flat: Float32Array): void {
    const wide = relayout(flat, this.layout, this.gpuLayout);
    this.device.queue.writeBuffer(this.buffers.theta, 0, wide.buffer, wide.byteOffset, wide.byteLength);
  }

  /** The flat parameter buffer, read back, in the model's `layout`. */
  async getFlat(): Promise<Float32Array> {
    return this.fromGpu(new Float32Array(await readBuffer(this.device, this.buffers.theta)));
  }

  /** A flat buffer of the engine's `gpuLayout` (parameters, gradients, optimiser state) in the model's `layout`. */
  fromGpu(flat: Float32Array): Float32Array {
    return relayout(flat, this.gpuLayout, this.layout);
  }

  /** A flat buffer of the model's `layout` in the engine's `gpuLayout`. */
  toGpu(flat: Float32Array): Float32Array {
    return relayout(flat, this.layout, this.gpuLayout);
  }

  /** Reads the parameters back (Float64 tensors by name). */
  async getParams(): Promise<Params> {
    const flat = await this.getFlat();
    const { cell, dim, classes, vocab } = this.shape;
    return { cell, dim, classes, vocab: [...vocab], tensors: unpackTensors(flat, this.layout) };
  }

  /** The gradient of the last backward step, by tensor name (mean over the batch's trees). */
  async readGrads(): Promise<Record<string, Float64Array>> {
    const flat = new Float32Array(await readBuffer(this.device, this.buffers.dTheta));
    return unpackTensors(this.fromGpu(flat), this.layout);
  }

  /** Copies the parameters into (`save`) or out of (`load`) a named slot on the GPU (e.g. the best model). */
  snapshot(slot: string, direction: 'save' | 'load'): void {
    const copy = this.pool.ensure(`snapshot:${slot}`, this.gpuLayout.size * 4, RW());
    const encoder = this.device.createCommandEncoder({ label: `snapshot ${direction} ${slot}` });
    const [from, to] = direction === 'save' ? [this.buffers.theta, copy] : [copy, this.buffers.theta];
    encoder.copyBufferToBuffer(from, 0, to, 0, this.gpuLayout.size * 4);
    this.device.queue.submit([encoder.finish()]);
  }

  /**
   * Plans and uploads a minibatch; it can then be stepped any number of times. `labels` are the
   * trees' classes (default: the roots' labels).
   */
  upload(trees: readonly Tree[], labels?: readonly number[], options: BatchOptions = {}): GpuBatch {
    const batch = new GpuBatch(this.device, (n) => cellParams(this.k.forward[0]!, this.gpuLayout, n));
    this.batches.add(batch);
    return this.reload(batch, trees, labels, options);
  }

  /** Loads other trees into an uploaded batch, reusing its buffers (a training loop's minibatches). */
  reload(
    batch: GpuBatch,
    trees: readonly Tree[],
    labels?: readonly number[],
    options: BatchOptions = {},
  ): GpuBatch {
    const words = { words: this.words, size: this.shape.vocab.length };
    const planned = planBatch(this.layout, words, trees, labels, options.loss);
    const { cell, dim, vocab, classes } = this.shape;
    const { numNodes: nodes, numInternal: internal, numTrees } = planned.plan;
    checkBatch(
      { cell, dim, vocab: vocab.length, classes },
      { nodes, internal, trees: numTrees },
      this.limits,
      `a batch of ${numTrees} trees`,
    );
    batch.load(planned.plan, planned.targets);
    return batch;
  }

  /** Frees a batch's buffers. */
  release(batch: GpuBatch): void {
    batch.dispose();
    this.batches.delete(batch);
  }

  /** The parts the resource helpers need. */
  private get parts(): EngineParts {
    return {
      shape: this.shape,
      layout: this.gpuLayout,
      spec: this.spec,
      pool: this.pool,
      reduce: this.reduce,
      transpose: this.transpose,
      wideLevels: this.wideLevels,
      kernels: this.k,
    };
  }

  /** Encodes one step on `batch` (everything but the readback) into a fresh command encoder. */
  private encode(batch: GpuBatch, options: StepOptions): Encoded {
    if (this.disposed) throw new Error('the engine has been disposed');
    return encodeStep({ ...this.parts, device: this.device, maxPerDim: this.maxPerDim }, batch, options);
  }

  /**
   * One step on `batch`: forward, and by default backward with weight, embedding and per-node
   * gradients (and the optimiser's update, if given) in one command buffer and one submit, then
   * one mapAsync for losses and norms.
   */
  async step(batch: GpuBatch, options: StepOptions = {}): Promise<StepResult> {
    const { encoder, plan, targets: T, timer, timed, dispatches, withNorms } = this.encode(batch, options);
    const C = this.shape.classes;
    const readback = this.pool.get('readback');
    const B = plan.numTrees;
    encoder.copyBufferToBuffer(this.pool.get('loss'), 0, readback, 0, T * 4);
    encoder.copyBufferToBuffer(this.pool.get('probs'), 0, readback, T * 4, T * C * 4);
    if (withNorms)
      encoder.copyBufferToBuffer(this.pool.get('norms'), 0, readback, T * (1 + C) * 4, plan.numNodes * 8);
    const values = T * (1 + C) + (withNorms ? 2 * plan.numNodes : 0);
    const status = options.backward !== false ? options.update?.status : undefined;
    if (status) encoder.copyBufferToBuffer(status, 0, readback, values * 4, 8);
    this.device.queue.submit([encoder.finish()]);
    const bytes = (values + (status ? 2 : 0)) * 4;
    await batch.readers[options.backward === false ? 'forward' : 'backward'].map(readback, 0, bytes);
    const mapped = readback.getMappedRange(0, bytes).slice(0);
    readback.unmap();
    const data = new Float32Array(mapped, 0, values);
    const targetLoss = data.subarray(0, T);
    const treeLoss = treeLosses(targetLoss, B, T === B ? undefined : batch.targets.tree);
    const result: StepResult = {
      loss: treeLoss.reduce((a, v) => a + v, 0) / B,
      treeLoss,
      targetLoss,
      probs: data.subarray(T, T * (1 + C)),
      dispatches,
      submits: 1,
    };
    if (withNorms) result.norms = data.subarray(T * (1 + C));
    const nonFinite = status && decodeStatus(new Uint32Array(mapped, values * 4, 2), this.gpuLayout.size);
    if (nonFinite) result.nonFinite = nonFinite;
    if (timer) {
      const ns = await timer.read();
      timer.destroy();
      if (timer.enabled) result.profile = timed.slice(0, ns.length).map((t, i) => ({ ...t, ns: ns[i]! }));
    }
    return result;
  }

  /**
   * Queues one step on `batch` without waiting for it: one command buffer and one submit, its
   * trees' losses appended to `log`. Read the log every k steps: the GPU works on the queued steps
   * while JavaScript plans the next ones. The arithmetic is `step`'s, so the results are the same
   * bits. Uploads to the batch after this call (`reload`) are ordered after it by the queue.
   */
  enqueue(batch: GpuBatch, log: LossLog, options: Omit<StepOptions, 'profile'> = {}): number {
    const { encoder, plan, targets, dispatches } = this.encode(batch, { ...options, norms: false });
    const status = options.backward !== false ? options.update?.status : undefined;
    const trees = {
      numTrees: plan.numTrees,
      ...(targets === plan.numTrees ? {} : { tree: batch.targets.tree }),
    };
    log.append(encoder, this.pool.get('loss'), targets, status, trees);
    this.device.queue.submit([encoder.finish()]);
    return dispatches;
  }

  /** Frees every buffer the engine and its batches hold. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.batches) b.dispose();
    this.batches.clear();
    this.pool.destroy();
    this.reduce.cell.buffer.destroy();
    this.reduce.classifier.buffer.destroy();
    this.transpose.buffer.destroy();
  }
}
