// AdaGrad with L2 on the GPU (shaders/adagrad.wgsl): one dispatch over the flat parameter buffer,
// encoded into the training step's own command buffer.
import { uploadBuffer } from '../gpu/buffers.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { readBuffer } from '../gpu/buffers.ts';
import type { TreeEngine, Update } from '../engine/engine.ts';
import type { ParamLayout } from '../engine/param-layout.ts';
import { numel } from '../params/shapes.ts';

/** Learning rate, L2 strength λ (the gradient gets λθ) and ε added to √G. */
export interface AdaGradOptions {
  lr: number;
  l2: number;
  eps: number;
  /** Leave the embedding matrix E as it is (no step, no L2): pretrained vectors stay fixed. */
  freezeEmbeddings?: boolean;
}

/** model.md's defaults: lr 0.01, λ = 1e-3, ε = 1e-4. */
export const ADAGRAD_DEFAULTS: AdaGradOptions = { lr: 0.01, l2: 1e-3, eps: 1e-4 };

const WG = 256;

/** The flat index range [start, end) of tensor `name` in `layout`. */
export function frozenRange(layout: ParamLayout, name: string): [number, number] {
  const start = layout.offsets[name];
  const shape = layout.shapes[name];
  if (start === undefined || shape === undefined) throw new Error(`the model has no tensor ${name}`);
  return [start, start + numel(shape)];
}

/** The optimiser state (G, the running sum of squared gradients) and its update dispatch. */
export class AdaGrad {
  private constructor(
    private readonly device: GPUDevice,
    /** The engine, for its layouts: G lives in its gpuLayout, checkpoints hold the model's. */
    private readonly engine: TreeEngine,
    private readonly accum: GPUBuffer,
    private readonly params: GPUBuffer,
    /** The dispatch to pass as a step's `update`. */
    readonly update: Update,
  ) {}

  /** An optimiser for `engine`'s parameters, with G = 0. */
  static async create(
    engine: TreeEngine,
    options: AdaGradOptions = ADAGRAD_DEFAULTS,
    kernels?: KernelCache,
  ): Promise<AdaGrad> {
    for (const k of ['lr', 'l2', 'eps'] as const) {
      const v = options[k];
      if (!Number.isFinite(v) || v < 0)
        throw new RangeError(`AdaGrad ${k} must be a finite number ≥ 0, got ${v}`);
    }
    const device = engine.device;
    const kernel = await (kernels ?? new KernelCache(device)).get('adagrad', { WG });
    const size = engine.gpuLayout.size;
    const accum = device.createBuffer({
      label: 'adagrad G',
      size: size * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const [frozenStart, frozenEnd] = options.freezeEmbeddings ? frozenRange(engine.gpuLayout, 'E') : [0, 0];
    // The kernel steps whole quads: the layout pads every tensor to a multiple of 4 floats.
    if (size % 4 !== 0 || frozenStart % 4 !== 0 || frozenEnd % 4 !== 0) {
      throw new Error(
        `AdaGrad steps quads of parameters: ${size} and [${frozenStart}, ${frozenEnd}) must be multiples of 4`,
      );
    }
    const words = kernel.pack('params', {
      size,
      lr: options.lr,
      l2: options.l2,
      eps: options.eps,
      frozenStart,
      frozenEnd,
    });
    const params = uploadBuffer(device, 'adagrad params', words, GPUBufferUsage.UNIFORM);
    const status = device.createBuffer({
      label: 'adagrad status',
      size: 8,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const { theta, dTheta } = engine.buffers;
    const group = kernel.bind({ theta, accum, dTheta, params, status });
    return new AdaGrad(device, engine, accum, params, {
      kernel,
      group,
      workgroups: Math.ceil(size / (4 * WG)), // a quad per invocation
      status,
    });
  }

  /** G, for a checkpoint (in the model's flat layout). */
  async readState(): Promise<Float32Array> {
    return this.engine.fromGpu(new Float32Array(await readBuffer(this.device, this.accum)));
  }

  /** Restores G from a checkpoint (in the model's flat layout). */
  writeState(state: Float32Array): void {
    const size = this.engine.layout.size;
    if (state.length !== size) {
      throw new Error(`optimiser state has ${state.length} values, expected ${size}`);
    }
    const wide = this.engine.toGpu(state);
    this.device.queue.writeBuffer(this.accum, 0, wide.buffer, wide.byteOffset, wide.byteLength);
  }

  /** Frees the state. */
  destroy(): void {
    this.accum.destroy();
    this.params.destroy();
    this.update.status?.destroy();
  }
}
