// The benchmark suite, the same in a Chrome page and in Node: measure the adapter's ceilings, then
// per (cell, d) validate every variant against the Float64 reference, then time every point.
import type { GpuBatch } from '../src/engine/batch.ts';
import { TreeEngine } from '../src/engine/engine.ts';
import type { Gpu } from '../src/gpu/device.ts';
import { KernelCache } from '../src/gpu/kernel.ts';
import { initParams, type Params } from '../src/params/params.ts';
import type { Cell } from '../src/params/shapes.ts';
import type { Schedule } from '../src/plan/schedule.ts';
import { referenceGrad } from '../src/reference/index.ts';
import { measureCeilings } from './ceilings.ts';
import { profileKernels } from './kernels.ts';
import {
  ENGINE_VARIANTS,
  expandSweep,
  type PointSpec,
  pointKey,
  type SuiteConfig,
  type Variant,
} from './config.ts';
import { CLASSES, type Forest, makeForest, VOCAB, validationForest } from './forest.ts';
import { type PointBase, timedResult, timeRunner, untimed, widestLevelGflops } from './measure.ts';
import { capReason } from './napkin.ts';
import type { BenchResult, PointResult, ValidationResult } from './result.ts';
import {
  engineRunner,
  profileLevels,
  type Runner,
  referenceRunner,
  type TfjsFactory,
  type TorchFactory,
  tfjsRunner,
} from './runners.ts';
import { validateRunner } from './validate.ts';

/** Where the suite runs and which peers it has. */
export interface SuiteEnv {
  gpu: Gpu;
  runtime: 'chrome' | 'node';
  userAgent?: string;
  /** TF.js models (bench/peers); absent: no TF.js variants. */
  tfjs?: TfjsFactory;
  /** TF.js backends this runtime has (webgpu needs navigator.gpu). */
  tfjsBackends: readonly ('webgpu' | 'cpu')[];
  /** GFLOP/s of TF.js matMul on the adapter ([size, size]², median of `repeats`); absent in Node. */
  tfjsMatmul?: (size: number, repeats: number) => Promise<number>;
  /** PyTorch models (bench/peers/torch.ts, Node only); absent: the pytorch variant is unavailable. */
  torch?: TorchFactory;
  /** Why there is no PyTorch here (torch not importable), and what it runs on where there is. */
  torchUnavailable?: string;
  torchNote?: string;
  /** How the driver runs (lavapipe's threading), for the notes. */
  driverNote?: string;
  /** Progress: `done` of `total` measurements, and what is running now. */
  onProgress?: (done: number, total: number, message: string) => void;
  /** Called with every result so far after each point. */
  onPoints?: (points: readonly PointResult[]) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Variants this runtime cannot run, and why. */
function unavailableVariants(env: SuiteEnv, variants: readonly Variant[]): Partial<Record<Variant, string>> {
  const out: Partial<Record<Variant, string>> = {};
  for (const backend of ['webgpu', 'cpu'] as const) {
    const v: Variant = `tfjs-${backend}`;
    if (!variants.includes(v)) continue;
    if (!env.tfjs) out[v] = 'TF.js peers not loaded';
    else if (!env.tfjsBackends.includes(backend))
      out[v] = `TF.js ${backend} backend not available in ${env.runtime}`;
  }
  if (variants.includes('pytorch') && !env.torch)
    out.pytorch = env.torchUnavailable ?? `PyTorch runs only in Node (bench/node.ts), not in ${env.runtime}`;
  return out;
}

/** Everything one (cell, d) shares: its engine, parameters and validation verdicts. */
interface Model {
  engine: TreeEngine;
  params: Params;
  failed: Map<Variant, string>;
}

async function makeRunner(
  env: SuiteEnv,
  model: Model,
  v: Variant,
  forest: Forest,
  upload: () => GpuBatch,
): Promise<Runner> {
  if ((ENGINE_VARIANTS as readonly Variant[]).includes(v))
    return engineRunner(model.engine, upload(), v as Schedule);
  if (v === 'reference') return referenceRunner(model.params, forest.trees, forest.labels);
  if (v === 'pytorch') return env.torch!(model.params, forest.trees, forest.labels);
  const backend = v === 'tfjs-webgpu' ? 'webgpu' : 'cpu';
  return tfjsRunner(env.tfjs!, backend, model.params, forest.trees, forest.labels);
}

/** Runs the whole suite: ceilings, validation per (cell, d), then every point and variant. */
export async function runSuite(env: SuiteEnv, config: SuiteConfig): Promise<BenchResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { device, summary } = env.gpu;
  const kernels = new KernelCache(device);
  const unavailable = unavailableVariants(env, config.variants);
  const variants = config.variants.filter((v) => !unavailable[v]);
  const specs = expandSweep(config);
  const total = specs.length * variants.length;
  let done = 0;
  const progress = (message: string) => env.onProgress?.(done, total, message);

  progress('measuring the ceilings');
  const ceilings = await measureCeilings(device, kernels, config.ceilingSize, config.repeats, env.tfjsMatmul);
  if (env.torchNote && variants.includes('pytorch')) ceilings.notes.push(env.torchNote);
  if (env.driverNote) ceilings.notes.push(env.driverNote);
  const best = Math.max(ceilings.tfjsMatmulGflops ?? 0, ceilings.oursGemmGflops ?? 0) || null;
  const validation: ValidationResult[] = [];
  const points: PointResult[] = [];

  for (const cell of config.cells) {
    for (const dim of config.dims) {
      const shape = { cell, dim, classes: CLASSES, vocab: VOCAB };
      const engine = await TreeEngine.create(device, shape, { kernels });
      const model: Model = {
        engine,
        params: initParams(cell, dim, VOCAB, CLASSES, config.seed),
        failed: new Map(),
      };
      engine.setParams(model.params);
      try {
        progress(`validating ${cell} d=${dim}`);
        validation.push(...(await validate(env, model, cell, dim, variants, config.seed)));
        for (const v of validation)
          if (v.cell === cell && v.dim === dim && !v.ok) model.failed.set(v.variant, v.error ?? 'failed');
        for (const spec of specs.filter((s) => s.cell === cell && s.dim === dim)) {
          const results = await measurePoint(env, model, spec, variants, config, best, (v) => {
            progress(`${pointKey(spec)} ${v}`);
          });
          points.push(...results);
          env.onPoints?.(points);
          done += variants.length;
          progress(`${pointKey(spec)} done`);
        }
      } finally {
        engine.dispose();
      }
    }
  }
  return {
    startedAt,
    durationS: (performance.now() - started) / 1000,
    config,
    adapter: {
      vendor: summary.vendor,
      architecture: summary.architecture,
      description: summary.description,
      isFallbackAdapter: summary.isFallbackAdapter,
      timestampQuery: device.features.has('timestamp-query'),
      runtime: env.runtime,
      ...(env.userAgent ? { userAgent: env.userAgent } : {}),
    },
    ceilings,
    validation,
    points,
    unavailable,
  };
}

async function validate(
  env: SuiteEnv,
  model: Model,
  cell: Cell,
  dim: number,
  variants: readonly Variant[],
  seed: number,
): Promise<ValidationResult[]> {
  const forest = validationForest(seed);
  const expected = referenceGrad(model.params, forest.trees, forest.labels);
  const out: ValidationResult[] = [];
  let batch: GpuBatch | undefined;
  const upload = () => (batch ??= model.engine.upload(forest.trees, forest.labels));
  try {
    for (const variant of variants) {
      if (variant === 'reference') {
        out.push({ cell, dim, variant, ok: true, worst: 0, worstName: 'is the reference' });
        continue;
      }
      let runner: Runner | undefined;
      try {
        runner = await makeRunner(env, model, variant, forest, upload);
        out.push({ cell, dim, variant, ...(await validateRunner(runner, expected)) });
      } catch (error) {
        out.push({
          cell,
          dim,
          variant,
          ok: false,
          worst: Number.NaN,
          worstName: '',
          error: errorText(error),
        });
      } finally {
        runner?.dispose();
      }
    }
  } finally {
    if (batch) model.engine.release(batch);
  }
  return out;
}

async function measurePoint(
  env: SuiteEnv,
  model: Model,
  spec: PointSpec,
  variants: readonly Variant[],
  config: SuiteConfig,
  ceiling: number | null,
  onVariant: (v: Variant) => void,
): Promise<PointResult[]> {
  const forest = makeForest(spec.shape, spec.depth, spec.batch, config.seed);
  const base: PointBase = { ...spec, trees: spec.batch, nodes: forest.nodes, internal: forest.internal };
  const { spec: cellSpec, device } = model.engine;
  const widest = Math.max(
    forest.nodes * spec.dim,
    forest.internal * cellSpec.savedWidth,
    forest.internal * cellSpec.deltaWidth,
  );
  const limit = device.limits.maxStorageBufferBindingSize;
  const tooBig =
    widest * 4 > limit
      ? `skipped: over the cap (a ${widest * 4}-byte buffer > the device's ${limit})`
      : undefined;
  const out: PointResult[] = [];
  let batch: GpuBatch | undefined;
  const upload = () => (batch ??= model.engine.upload(forest.trees, forest.labels));
  try {
    for (const v of variants) {
      const failed = model.failed.get(v);
      const skipped = tooBig ?? capReason(v, spec, forest.nodes, forest.internal, config.caps);
      if (failed) out.push(untimed(base, v, { error: `not timed: validation failed: ${failed}` }));
      else if (skipped) out.push(untimed(base, v, { skipped }));
      else {
        onVariant(v);
        out.push(await timeVariant(env, model, v, forest, base, config, ceiling, upload));
      }
    }
  } finally {
    if (batch) model.engine.release(batch);
  }
  return out;
}

async function timeVariant(
  env: SuiteEnv,
  model: Model,
  v: Variant,
  forest: Forest,
  base: PointBase,
  config: SuiteConfig,
  ceiling: number | null,
  upload: () => GpuBatch,
): Promise<PointResult> {
  const errorsBefore = env.gpu.errors.length;
  let runner: Runner | undefined;
  try {
    runner = await makeRunner(env, model, v, forest, upload);
    const result = timedResult(
      base,
      v,
      await (runner.time ? runner.time(config.repeats) : timeRunner(runner, config.repeats)),
      ceiling,
    );
    if (v === 'level') {
      const profiled = await profileLevels(model.engine, upload());
      result.levelTiming = profiled ? 'timestamp-query' : 'wall';
      if (profiled) {
        result.levelTimes = profiled.levels;
        result.gpuStepMs = profiled.gpuStepMs;
        const g = widestLevelGflops(base, profiled.levels);
        if (g !== undefined) result.widestLevelGflops = g;
      }
      const kernels = await profileKernels(model.engine, upload(), base, ceiling);
      if (kernels) result.kernels = kernels;
    }
    const gpuErrors = env.gpu.errors.slice(errorsBefore);
    if (gpuErrors.length > 0) result.error = `WebGPU reported: ${gpuErrors.join('; ')}`;
    return result;
  } catch (error) {
    return untimed(base, v, { error: `failed while timing: ${errorText(error)}` });
  } finally {
    runner?.dispose();
  }
}
