// The engine's answer to `treegrad grad --device gpu`: the reference's output, computed on the GPU.
import { getGpu } from '../gpu/device.ts';
import type { Params } from '../params/params.ts';
import { focalRatio, type GradResult } from '../reference/grad.ts';
import type { Tree } from '../trees/tree.ts';
import { TreeEngine } from './engine.ts';
import { nodeGrads } from './report.ts';

/** Loss, parameter gradients, per-node norms and focal ratios of one batch, on a given device. */
export async function engineGrad(
  device: GPUDevice,
  params: Params,
  trees: readonly Tree[],
  focal?: number,
  labels?: readonly number[],
): Promise<GradResult> {
  const shape = { cell: params.cell, dim: params.dim, classes: params.classes, vocab: params.vocab };
  const engine = await TreeEngine.create(device, shape);
  try {
    engine.setParams(params);
    const batch = engine.upload(trees, labels);
    const step = await engine.step(batch);
    const paramGrads = await engine.readGrads();
    const nodes = nodeGrads(batch.plan, step.norms!, engine.spec.hasC, params.vocab);
    const ratios = nodes.map((n, t) => focalRatio(n, t + 1, focal));
    return { loss: step.loss, paramGrads, nodes, ratios };
  } finally {
    engine.dispose();
  }
}

/** engineGrad on a device of its own (Dawn in Node, navigator.gpu in a page), freed afterwards. */
export async function gpuGrad(params: Params, trees: readonly Tree[], focal?: number): Promise<GradResult> {
  const gpu = await getGpu();
  try {
    const result = await engineGrad(gpu.device, params, trees, focal);
    if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
    return result;
  } finally {
    gpu.destroy();
  }
}
