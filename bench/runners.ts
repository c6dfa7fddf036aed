// One interface over every variant of a point: our engine under a schedule, a TF.js model, or the
// Float64 reference. The suite validates and times runners without knowing which is which.
import type { GpuBatch } from '../src/engine/batch.ts';
import type { TreeEngine } from '../src/engine/engine.ts';
import type { Params } from '../src/params/params.ts';
import type { Schedule } from '../src/plan/schedule.ts';
import { referenceForward, referenceGrad } from '../src/reference/index.ts';
import type { Tree } from '../src/trees/tree.ts';
import type { TfjsBackend, TfjsModel } from './peers/index.ts';
import type { Timings } from './measure.ts';
import type { LevelTime } from './result.ts';

/** A variant bound to one point's parameters and trees. */
export interface Runner {
  /** Forward only; resolves when the work is done. */
  forward(): Promise<void>;
  /** Forward and backward; resolves with the mean loss when the gradients are complete. */
  step(): Promise<number>;
  /** Gradients of the last step, by tensor name (mean over the trees). */
  grads(): Promise<Record<string, Float64Array>>;
  /** Dispatches (TF.js: kernels) of one step, or null where nothing is dispatched. */
  dispatches(): Promise<number | null>;
  /** Frees what the runner made (an engine batch belongs to its caller). */
  dispose(): void;
  /** Times itself where the work runs elsewhere (PyTorch's process); else the suite's timeRunner. */
  time?(repeats: number): Promise<Timings>;
}

/** Builds a PyTorch model of a minibatch (bench/peers/torch.ts, Node only). */
export type TorchFactory = (
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
) => Promise<Runner>;

/** Builds a TF.js model (bench/peers/tfjs.ts); injected so Node can run without the WebGPU backend. */
export type TfjsFactory = (
  backend: TfjsBackend,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
) => Promise<TfjsModel>;

/** Our engine on an uploaded batch under one schedule; steps skip per-node norms (as TF.js does). */
export function engineRunner(engine: TreeEngine, batch: GpuBatch, schedule: Schedule): Runner {
  let dispatches: number | null = null;
  return {
    async forward() {
      await engine.step(batch, { schedule, backward: false });
    },
    async step() {
      const r = await engine.step(batch, { schedule, norms: false });
      dispatches = r.dispatches;
      return r.loss;
    },
    grads: () => engine.readGrads(),
    async dispatches() {
      if (dispatches === null) await this.step();
      return dispatches;
    },
    dispose() {},
  };
}

/** A TF.js model of the same cell, level-batched with tf ops, tf gradients for the backward pass. */
export async function tfjsRunner(
  factory: TfjsFactory,
  backend: TfjsBackend,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
): Promise<Runner> {
  const model = await factory(backend, params, trees, labels);
  return {
    async forward() {
      await model.forward();
    },
    step: () => model.step(),
    grads: () => model.grads(),
    async dispatches() {
      return backend === 'webgpu' ? model.kernelsPerStep() : null;
    },
    dispose: () => model.dispose(),
  };
}

/** The Float64 reference (src/reference): a recursive transcription of the math, on the CPU. */
export function referenceRunner(params: Params, trees: readonly Tree[], labels: readonly number[]): Runner {
  let last: Record<string, Float64Array> | undefined;
  return {
    async forward() {
      referenceForward(params, trees, labels);
    },
    async step() {
      const g = referenceGrad(params, trees, labels);
      last = g.paramGrads;
      return g.loss;
    },
    async grads() {
      if (!last) throw new Error('grads(): no step has run');
      return last;
    },
    dispatches: async () => null,
    dispose() {},
  };
}

/**
 * GPU time per level of one profiled level-schedule step (timestamp queries; undefined without
 * them), and the GPU time of all its dispatches. Forward level kernels come bottom-up, backward
 * ones top-down (docs/engine.md), each in a pass of its own.
 */
export async function profileLevels(
  engine: TreeEngine,
  batch: GpuBatch,
): Promise<{ levels: LevelTime[]; gpuStepMs: number } | undefined> {
  const r = await engine.step(batch, { schedule: 'level', norms: false, profile: true });
  if (!r.profile) return undefined;
  const forward = r.profile.filter((t) => t.kernel === engine.spec.forward.shader);
  const backward = r.profile.filter((t) => t.kernel === engine.spec.backward.shader).reverse();
  const levels = forward.map((f, i) => ({
    level: i + 1,
    rows: f.rows ?? 0,
    forwardUs: f.ns / 1000,
    backwardUs: (backward[i]?.ns ?? Number.NaN) / 1000,
  }));
  const gpuStepMs = r.profile.reduce((a, t) => a + t.ns, 0) / 1e6;
  return { levels, gpuStepMs };
}
