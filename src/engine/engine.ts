// The scheduler: one training step = one command buffer and one submit; one mapAsync reads back
// the per-tree losses and per-node gradient norms. State buffers are pooled and grow on demand.
import type { Params } from '../params/params.ts';
import type { Cell } from '../params/shapes.ts';
import type { Schedule } from '../plan/schedule.ts';
import { computeDispatch } from '../plan/dispatch.ts';
import type { Tree } from '../trees/tree.ts';
import { readBuffer } from '../gpu/buffers.ts';
import { type Kernel, KernelCache, RANGE_STRIDE } from '../gpu/kernel.ts';
import { PassTimer } from '../gpu/timestamps.ts';
import { type GpuBatch, uploadBatch } from './batch.ts';
import { type CellSpec, cellSpec } from './cells.ts';
import { type ParamLayout, packParams, paramLayout, unpackTensors } from './layout.ts';
import { BufferPool } from './pool.ts';
import { reduceParams, reduceTables } from './reduce.ts';

/** What a model is: the cell, sizes and vocabulary. */
export interface ModelShape {
  cell: Cell;
  dim: number;
  classes: number;
  vocab: readonly string[];
}

/** Options of an engine. */
export interface EngineOptions {
  /** Pipelines to share with other engines on the same device. */
  kernels?: KernelCache;
  /**
   * Fold dispatches as if the device allowed only this many workgroups per dimension (default:
   * the device's limit). Lets tests run the folding path on small levels.
   */
  maxWorkgroupsPerDimension?: number;
}

/** Options of one step. */
export interface StepOptions {
  schedule?: Schedule;
  /** Forward only (evaluation) when false. */
  backward?: boolean;
  /**
   * Time every dispatch on the GPU: each runs in a pass of its own with timestamp queries (when
   * the adapter has them), and the result lists GPU time per dispatch. Slower; for benchmarks.
   */
  profile?: boolean;
}

/** GPU time of one dispatch of a profiled step. */
export interface DispatchTime {
  kernel: string;
  /** Rows of the dispatch's range, for level kernels. */
  rows?: number;
  ns: number;
}

/** What a step read back. */
export interface StepResult {
  /** Mean loss over the trees. */
  loss: number;
  treeLoss: Float32Array;
  /** Class probabilities [numTrees, classes] (forward-only steps). */
  probs?: Float32Array;
  /** Per-node (gh, gc) by row: norms[2·row], norms[2·row + 1] (backward steps). */
  norms?: Float32Array;
  dispatches: number;
  submits: number;
  /**
   * Per-dispatch GPU times of a profiled step, for its first 2048 dispatches (WebGPU's query
   * limit); absent when the adapter has no timestamp queries.
   */
  profile?: DispatchTime[];
}

const WG = 256;

/** Level-batched forward and backward of RNN/RLSTM over minibatches of trees, on one device. */
export class TreeEngine {
  readonly layout: ParamLayout;
  readonly spec: CellSpec;
  private readonly pool: BufferPool;
  private readonly theta: GPUBuffer;
  private readonly dTheta: GPUBuffer;
  private readonly reduce: ReturnType<typeof reduceTables>;
  private readonly batches = new Set<GpuBatch>();
  private disposed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly shape: ModelShape,
    private readonly k: Record<string, Kernel>,
    private readonly maxPerDim: number,
  ) {
    this.layout = paramLayout(shape.cell, shape.dim, shape.vocab.length, shape.classes);
    this.spec = cellSpec(shape.cell, shape.dim);
    const flat = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    this.theta = device.createBuffer({ label: 'theta', size: this.layout.size * 4, usage: flat });
    this.dTheta = device.createBuffer({ label: 'dTheta', size: this.layout.size * 4, usage: flat });
    this.pool = new BufferPool(device);
    this.reduce = reduceTables(device, this.layout, this.spec);
  }

  /** Builds every pipeline the model needs (once per device, shape and hidden size). */
  static async create(
    device: GPUDevice,
    shape: ModelShape,
    options: EngineOptions = {},
  ): Promise<TreeEngine> {
    const kernels = options.kernels ?? new KernelCache(device);
    const maxPerDim = options.maxWorkgroupsPerDimension ?? device.limits.maxComputeWorkgroupsPerDimension;
    if (shape.classes < 1 || !Number.isInteger(shape.classes)) {
      throw new RangeError(`classes must be a positive integer, got ${shape.classes}`);
    }
    if (shape.vocab.length === 0) throw new RangeError('the vocabulary is empty');
    const spec = cellSpec(shape.cell, shape.dim);
    const D = shape.dim;
    const [leaf, forward, backward, classifier, reduce, embed, norms] = await Promise.all([
      kernels.get('leaf_embed', { D, WG }),
      kernels.get(spec.forward.shader, spec.forward.constants),
      kernels.get(spec.backward.shader, spec.backward.constants),
      kernels.get('classifier', { D, C: shape.classes }),
      kernels.get('outer_reduce'),
      kernels.get('embed_grad', { D, WG }),
      kernels.get('node_norms', { D }),
    ]);
    const k = { leaf, forward, backward, classifier, reduce, embed, norms } as Record<string, Kernel>;
    return new TreeEngine(device, shape, k, maxPerDim);
  }

  /** Uploads parameters (Float64 tensors by name) into the flat buffer. */
  setParams(params: Params): void {
    if (
      params.cell !== this.shape.cell ||
      params.dim !== this.shape.dim ||
      params.classes !== this.shape.classes
    ) {
      throw new Error(
        `parameters are ${params.cell} d=${params.dim} C=${params.classes}, the engine ${this.shape.cell} d=${this.shape.dim} C=${this.shape.classes}`,
      );
    }
    const flat = packParams(params, this.layout);
    this.device.queue.writeBuffer(this.theta, 0, flat.buffer, flat.byteOffset, flat.byteLength);
  }

  /** Plans and uploads a minibatch once; it can then be stepped any number of times. */
  upload(trees: readonly Tree[], labels?: readonly number[]): GpuBatch {
    const batch = uploadBatch(this.device, this.layout, this.shape.vocab, trees, labels);
    this.batches.add(batch);
    return batch;
  }

  /** Frees a batch's buffers. */
  release(batch: GpuBatch): void {
    batch.dispose();
    this.batches.delete(batch);
  }

  /** Makes the pooled state buffers big enough for `batch`. */
  private ensureState(batch: GpuBatch): void {
    const { plan } = batch;
    const D = this.shape.dim;
    const C = this.shape.classes;
    const rw = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const nodes = plan.numNodes * D * 4;
    this.pool.ensure('H', nodes, rw);
    this.pool.ensure('dH', nodes, rw);
    this.pool.ensure('C', this.spec.hasC ? nodes : 4, rw);
    this.pool.ensure('dC', this.spec.hasC ? nodes : 4, rw);
    this.pool.ensure('S', plan.numInternal * this.spec.savedWidth * 4, rw);
    this.pool.ensure('deltas', plan.numInternal * this.spec.deltaWidth * 4, rw);
    this.pool.ensure('probs', plan.numTrees * C * 4, rw);
    this.pool.ensure('dlogits', plan.numTrees * C * 4, rw);
    this.pool.ensure('loss', plan.numTrees * 4, rw);
    this.pool.ensure('norms', plan.numNodes * 2 * 4, rw);
    const readback = (plan.numTrees * (1 + C) + plan.numNodes * 2) * 4;
    this.pool.ensure('readback', readback, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  /** Per-batch uniforms and bind groups of the whole-batch kernels (rebuilt when the pool grew). */
  private batchGroups(batch: GpuBatch): Map<string, GPUBindGroup> {
    const generation = this.pool.generation;
    if (batch.groups?.generation === generation) return batch.groups.byKernel;
    const { plan } = batch;
    const L = this.layout;
    const D = this.shape.dim;
    const scale = 1 / plan.numTrees;
    const uniforms = batch.uniforms(this.device, {
      leaf: new Uint32Array([plan.numLeaves, L.offsets.E!, 0, 0]),
      classifier: new Uint32Array([plan.numTrees, L.offsets.Wc!, L.offsets.bc!, 0]),
      cellReduce: reduceParams(
        plan.numInternal,
        this.spec.deltaWidth,
        2,
        this.reduce.cell.numTensors,
        plan.numLeaves,
        D,
        scale,
      ),
      classReduce: reduceParams(plan.numTrees, this.shape.classes, 1, 2, 0, D, scale),
      embed: (() => {
        const w = new Uint32Array([this.shape.vocab.length, L.offsets.E!, 0, 0]);
        new Float32Array(w.buffer)[2] = scale;
        return w;
      })(),
      norms: new Uint32Array([plan.numNodes, this.spec.hasC ? 1 : 0, 0, 0]),
    });
    const p = (name: string) => this.pool.get(name);
    const b = batch.buffers;
    const byKernel = new Map<string, GPUBindGroup>([
      [
        'leaf',
        this.k.leaf!.bind({ H: p('H'), theta: this.theta, leafWords: b.leafWords!, params: uniforms.leaf! }),
      ],
      [
        'classifier',
        this.k.classifier!.bind({
          probs: p('probs'),
          dlogits: p('dlogits'),
          loss: p('loss'),
          dH: p('dH'),
          H: p('H'),
          theta: this.theta,
          roots: b.roots!,
          labels: b.labels!,
          params: uniforms.classifier!,
        }),
      ],
      [
        'cellReduce',
        this.k.reduce!.bind({
          dTheta: this.dTheta,
          deltas: p('deltas'),
          H: p('H'),
          C: p('C'),
          idx: b.children!,
          table: this.reduce.cell.buffer,
          params: uniforms.cellReduce!,
        }),
      ],
      [
        'classReduce',
        this.k.reduce!.bind({
          dTheta: this.dTheta,
          deltas: p('dlogits'),
          H: p('H'),
          C: p('C'),
          idx: b.roots!,
          table: this.reduce.classifier.buffer,
          params: uniforms.classReduce!,
        }),
      ],
      [
        'embed',
        this.k.embed!.bind({
          dTheta: this.dTheta,
          dH: p('dH'),
          wordOffsets: b.wordOffsets!,
          wordLeaves: b.wordLeaves!,
          params: uniforms.embed!,
        }),
      ],
      ['norms', this.k.norms!.bind({ norms: p('norms'), dH: p('dH'), dC: p('dC'), params: uniforms.norms! })],
    ]);
    batch.groups = { generation, byKernel };
    return byKernel;
  }

  /** Bind groups of the level kernels for one schedule (the range binding takes a dynamic offset). */
  private levelGroups(batch: GpuBatch, schedule: Schedule) {
    const s = batch.schedule(schedule);
    const generation = this.pool.generation;
    if (s.groups?.generation !== generation) {
      const p = (name: string) => this.pool.get(name);
      const all: Record<string, GPUBuffer | GPUBufferBinding> = {
        H: p('H'),
        C: p('C'),
        S: p('S'),
        dH: p('dH'),
        dC: p('dC'),
        deltas: p('deltas'),
        theta: this.theta,
        children: batch.buffers.children!,
        params: batch.buffers.cellParams!,
        range: { buffer: s.buffer, size: 8 },
      };
      const pick = (kernel: Kernel) =>
        Object.fromEntries(kernel.info.bindings.map((d) => [d.name, all[d.name]!]));
      s.groups = {
        generation,
        forward: this.k.forward!.bind(pick(this.k.forward!)),
        backward: this.k.backward!.bind(pick(this.k.backward!)),
      };
    }
    return { ranges: s.ranges, groups: s.groups };
  }

  /**
   * One step on `batch`: forward (and, by default, backward with weight, embedding and per-node
   * gradients) in one command buffer and one submit, then one mapAsync for losses and norms.
   */
  async step(batch: GpuBatch, options: StepOptions = {}): Promise<StepResult> {
    if (this.disposed) throw new Error('the engine has been disposed');
    const backward = options.backward ?? true;
    const { plan } = batch;
    this.ensureState(batch);
    const groups = this.batchGroups(batch);
    const level = this.levelGroups(batch, options.schedule ?? 'level');
    const maxPerDim = this.maxPerDim;
    const D = this.shape.dim;
    const C = this.shape.classes;
    let dispatches = 0;
    const encoder = this.device.createCommandEncoder({ label: 'treegrad step' });
    if (this.spec.hasC) {
      encoder.clearBuffer(this.pool.get('C'), 0, plan.numNodes * D * 4);
      encoder.clearBuffer(this.pool.get('dC'), 0, plan.numNodes * D * 4);
    }
    const timer = options.profile ? new PassTimer(this.device, level.ranges.length + 8) : undefined;
    const timed: Omit<DispatchTime, 'ns'>[] = [];
    let pass = encoder.beginComputePass(timer ? timer.pass('leaf_embed') : { label: 'treegrad step' });
    let first = true;
    const run = (
      kernel: Kernel,
      group: GPUBindGroup,
      workgroups: number,
      offsets?: number[],
      rows?: number,
    ) => {
      if (workgroups === 0) return;
      if (timer) {
        if (!first) {
          pass.end();
          pass = encoder.beginComputePass(timer.pass(kernel.label));
        }
        first = false;
        timed.push(rows === undefined ? { kernel: kernel.info.name } : { kernel: kernel.info.name, rows });
      }
      pass.setPipeline(kernel.pipeline);
      // Two forms, never `undefined` for the offsets: Chrome's binding intermittently rejects an
      // explicit undefined once the call site is optimised.
      if (offsets) pass.setBindGroup(0, group, offsets);
      else pass.setBindGroup(0, group);
      const [x, y, z] = computeDispatch(workgroups, maxPerDim);
      pass.dispatchWorkgroups(x, y, z);
      dispatches++;
    };
    const numRanges = level.ranges.length / 2;
    const rangeRun = (kernel: Kernel, group: GPUBindGroup, launch: CellSpec['forward'], r: number) => {
      const rows = level.ranges[2 * r + 1]!;
      run(kernel, group, launch.workgroups(rows), [r * RANGE_STRIDE], rows);
    };
    run(this.k.leaf!, groups.get('leaf')!, Math.ceil((plan.numLeaves * D) / WG));
    for (let r = 0; r < numRanges; r++) rangeRun(this.k.forward!, level.groups.forward, this.spec.forward, r);
    run(this.k.classifier!, groups.get('classifier')!, plan.numTrees);
    if (backward) {
      for (let r = numRanges - 1; r >= 0; r--)
        rangeRun(this.k.backward!, level.groups.backward, this.spec.backward, r);
      run(this.k.reduce!, groups.get('cellReduce')!, this.reduce.cell.workgroups);
      run(this.k.reduce!, groups.get('classReduce')!, this.reduce.classifier.workgroups);
      run(this.k.embed!, groups.get('embed')!, Math.ceil((this.shape.vocab.length * D) / WG));
      run(this.k.norms!, groups.get('norms')!, Math.ceil(plan.numNodes / 64));
    }
    pass.end();
    timer?.resolve(encoder);
    const readback = this.pool.get('readback');
    const B = plan.numTrees;
    encoder.copyBufferToBuffer(this.pool.get('loss'), 0, readback, 0, B * 4);
    encoder.copyBufferToBuffer(this.pool.get('probs'), 0, readback, B * 4, B * C * 4);
    if (backward)
      encoder.copyBufferToBuffer(this.pool.get('norms'), 0, readback, B * (1 + C) * 4, plan.numNodes * 8);
    this.device.queue.submit([encoder.finish()]);
    const bytes = (B * (1 + C) + (backward ? 2 * plan.numNodes : 0)) * 4;
    await readback.mapAsync(GPUMapMode.READ, 0, bytes);
    const data = new Float32Array(readback.getMappedRange(0, bytes).slice(0));
    readback.unmap();
    const treeLoss = data.subarray(0, B);
    const result: StepResult = {
      loss: treeLoss.reduce((a, b) => a + b, 0) / B,
      treeLoss,
      probs: data.subarray(B, B * (1 + C)),
      dispatches,
      submits: 1,
    };
    if (backward) result.norms = data.subarray(B * (1 + C));
    if (timer) {
      const ns = await timer.read();
      timer.destroy();
      if (timer.enabled) result.profile = timed.slice(0, ns.length).map((t, i) => ({ ...t, ns: ns[i]! }));
    }
    return result;
  }

  /** The gradient of the last backward step, by tensor name (mean over the batch's trees). */
  async readGrads(): Promise<Record<string, Float64Array>> {
    return unpackTensors(new Float32Array(await readBuffer(this.device, this.dTheta)), this.layout);
  }

  /** The flat parameter and gradient buffers (for the optimiser). */
  get buffers(): { theta: GPUBuffer; dTheta: GPUBuffer } {
    return { theta: this.theta, dTheta: this.dTheta };
  }

  /** Frees every buffer the engine and its batches hold. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.batches) b.dispose();
    this.batches.clear();
    this.pool.destroy();
    this.theta.destroy();
    this.dTheta.destroy();
    this.reduce.cell.buffer.destroy();
    this.reduce.classifier.buffer.destroy();
  }
}
