// The engine's answer to `treegrad grad --device gpu`: the reference's output, computed on the GPU,
// in as many batches as the device's buffer limits ask for.
import { getGpu } from '../gpu/device.ts';
import type { KernelCache } from '../gpu/kernel.ts';
import type { Params } from '../params/params.ts';
import { focalRatio, type GradResult } from '../grad/result.ts';
import type { Tree } from '../trees/tree.ts';
import { TreeEngine } from './engine.ts';
import { type BatchRange, type DeviceLimits, deviceLimits, splitBatches, treeBatchSize } from './limits.ts';
import { nodeGrads } from './node-norms.ts';

/** Options of engineGrad: the device's limits to split by (default: the device's own), shared pipelines. */
export interface GradOptions {
  limits?: DeviceLimits;
  kernels?: KernelCache;
}

/**
 * How engineGrad splits trees into batches that fit the device's buffers (consecutive runs, as long
 * as fit); a tree too big alone is a LimitError, `what(i)` naming tree i.
 */
export function gradBatches(
  params: Params,
  trees: readonly Tree[],
  limits: DeviceLimits,
  what: (i: number) => string = (i) => `tree ${i + 1}`,
): BatchRange[] {
  const model = { cell: params.cell, dim: params.dim, vocab: params.vocab.length, classes: params.classes };
  return splitBatches(
    model,
    trees.map((t) => treeBatchSize(t)),
    Number.POSITIVE_INFINITY,
    limits,
    what,
  );
}

/**
 * Loss, parameter gradients, per-node norms and focal ratios of trees, on a given device. Trees whose
 * nodes pass the device's buffer limits are split into batches (gradBatches): the loss is the sum of
 * the trees' losses in order over their number, and the parameter gradients (each batch's the mean
 * over its trees) are summed batch by batch in order, weighted by the batch's share of the trees.
 */
export async function engineGrad(
  device: GPUDevice,
  params: Params,
  trees: readonly Tree[],
  focal?: number,
  labels?: readonly number[],
  options: GradOptions = {},
): Promise<GradResult> {
  const ranges = gradBatches(params, trees, options.limits ?? deviceLimits(device.limits));
  const shape = { cell: params.cell, dim: params.dim, classes: params.classes, vocab: params.vocab };
  const engine = await TreeEngine.create(device, shape, options.kernels ? { kernels: options.kernels } : {});
  try {
    engine.setParams(params);
    let lossSum = 0;
    let paramGrads: Record<string, Float64Array> = {};
    const nodes: GradResult['nodes'] = [];
    for (const [b, { first, count }] of ranges.entries()) {
      const batch = engine.upload(trees.slice(first, first + count), labels?.slice(first, first + count));
      const step = await engine.step(batch);
      const grads = await engine.readGrads();
      if (b === 0 && ranges.length === 1) paramGrads = grads;
      else {
        const share = count / trees.length;
        for (const [name, g] of Object.entries(grads)) {
          paramGrads[name] ??= new Float64Array(g.length);
          const sum = paramGrads[name];
          for (let i = 0; i < g.length; i++) sum[i]! += share * g[i]!;
        }
      }
      for (let t = 0; t < count; t++) lossSum += step.treeLoss[t]!;
      nodes.push(...nodeGrads(batch.plan, step.norms!, engine.spec.hasC, params.vocab));
      engine.release(batch);
    }
    const ratios = nodes.map((n, t) => focalRatio(n, t + 1, focal));
    return { loss: lossSum / Math.max(1, trees.length), paramGrads, nodes, ratios };
  } finally {
    engine.dispose();
  }
}

/** engineGrad on a device of its own (Dawn in Node, navigator.gpu in a page), freed afterwards. */
export async function gpuGrad(
  params: Params,
  trees: readonly Tree[],
  focal?: number,
  options: GradOptions = {},
): Promise<GradResult> {
  const gpu = await getGpu();
  try {
    const result = await engineGrad(gpu.device, params, trees, focal, undefined, options);
    if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
    return result;
  } finally {
    gpu.destroy();
  }
}
