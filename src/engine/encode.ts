// Encoding one step of the engine into a command encoder: clears, the forward kernels' transposed
// copy of the weights, the level dispatches in schedule order, the weight-gradient reductions, the
// embedding gradient, per-node norms and the optimiser's update; the caller adds the readback
// copies and submits (src/engine/engine.ts).
import type { Kernel } from '../gpu/kernel.ts';
import { PassTimer } from '../gpu/timestamps.ts';
import { computeDispatch } from '../plan/dispatch.ts';
import type { GpuBatch } from './batch.ts';
import { type CellSpec, levelShape } from './cells.ts';
import { chunking, reduceWorkgroups } from './reduce.ts';
import { batchUniforms, bindBatch, type EngineParts, ensureState } from './resources.ts';
import type { DispatchTime, StepOptions } from './types.ts';

/** Invocations of the element-wise kernels' workgroups (leaf_embed, embed_grad, reduce_partials). */
export const WG = 256;

/** A step encoded but not submitted. */
export interface Encoded {
  encoder: GPUCommandEncoder;
  plan: GpuBatch['plan'];
  /** Nodes the classifier ran at. */
  targets: number;
  timer: PassTimer | undefined;
  timed: Omit<DispatchTime, 'ns'>[];
  dispatches: number;
  withNorms: boolean;
}

/** What encoding needs of the engine: its parts, its device and its dispatch limit. */
export interface EncodeParts extends EngineParts {
  device: GPUDevice;
  maxPerDim: number;
}

/** Encodes one step on `batch` (everything but the readback) into a fresh command encoder. */
export function encodeStep(e: EncodeParts, batch: GpuBatch, options: StepOptions): Encoded {
  const backward = options.backward ?? true;
  const withNorms = backward && (options.norms ?? true);
  const schedule = options.schedule ?? 'level';
  const { plan } = batch;
  const targets = batch.numTargets;
  ensureState(e, plan, targets);
  batch.uniforms(() => batchUniforms(e, plan, targets));
  const { ranges } = batch.schedule(schedule);
  const groups = bindBatch(e, batch, schedule);
  const D = e.layout.dim;
  const encoder = e.device.createCommandEncoder({ label: 'treegrad step' });
  if (e.spec.hasC) {
    encoder.clearBuffer(e.pool.get('C'), 0, plan.numNodes * D * 4);
    encoder.clearBuffer(e.pool.get('dC'), 0, plan.numNodes * D * 4);
  }
  // Backward adds each parent's gradient to its children's rows, onto their own classifiers' (or 0).
  if (backward) encoder.clearBuffer(e.pool.get('dH'), 0, plan.numNodes * D * 4);
  if (backward && options.update?.status) encoder.clearBuffer(options.update.status, 0, 8);
  const timer = options.profile ? new PassTimer(e.device, ranges.length + 8) : undefined;
  const timed: Omit<DispatchTime, 'ns'>[] = [];
  let pass: GPUComputePassEncoder | undefined;
  let dispatches = 0;
  const run = (kernel: Kernel, group: GPUBindGroup, workgroups: number, range?: number) => {
    if (workgroups === 0) return;
    if (!pass || timer) {
      pass?.end();
      pass = encoder.beginComputePass(timer ? timer.pass(kernel.label) : { label: 'treegrad step' });
    }
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, group);
    const [x, y, z] = computeDispatch(workgroups, e.maxPerDim);
    pass.dispatchWorkgroups(x, y, z);
    dispatches++;
    if (timer)
      timed.push({
        kernel: kernel.info.name,
        ...(range === undefined ? {} : { rows: ranges[2 * range + 1]! }),
      });
  };
  // A level range in the shape its width picks (`levelShape`), with that shape's kernel.
  const level = (
    kernels: readonly Kernel[],
    group: (range: number, shape: number) => GPUBindGroup,
    launch: CellSpec['forward'],
    r: number,
  ) => {
    const count = ranges[2 * r + 1]!;
    const shape = levelShape(launch, count, e.wideLevels);
    const workgroups = Math.ceil(count / launch.shapes[shape]!.nodesPerWorkgroup);
    if (workgroups > 0) run(kernels[shape]!, group(r, shape), workgroups, r); // no bind group for an empty range
  };
  const k = e.kernels;
  const numRanges = ranges.length / 2;
  // First, so that the forward reads the parameters as they are now, whoever last wrote them.
  run(k.transpose, groups.transpose, Math.ceil(e.transpose.invocations / WG));
  run(k.leaf, groups.leaf, Math.ceil((plan.numLeaves * D) / (4 * WG))); // a quad per invocation
  for (let r = 0; r < numRanges; r++) level(k.forward, groups.forward, e.spec.forward, r);
  run(k.classifier, groups.classifier, targets);
  if (backward) {
    for (let r = numRanges - 1; r >= 0; r--) level(k.backward, groups.backward, e.spec.backward, r);
    // Weight gradients: chunks of rows in parallel, then (when chunked) their sums in order.
    const cellChunks = chunking(plan.numInternal, e.reduce.cell.blocks).numChunks;
    run(k.reduce, groups.cellReduce, reduceWorkgroups(e.reduce.cell, cellChunks));
    if (cellChunks > 1) run(k.partials, groups.cellPartials, Math.ceil(e.reduce.cell.elements / WG));
    const classChunks = chunking(targets, e.reduce.classifier.blocks).numChunks;
    run(k.classReduce, groups.classReduce, reduceWorkgroups(e.reduce.classifier, classChunks));
    if (classChunks > 1) run(k.partials, groups.classPartials, Math.ceil(e.reduce.classifier.elements / WG));
    run(k.embed, groups.embed, Math.ceil((e.shape.vocab.length * D) / (4 * WG)));
    if (withNorms) run(k.norms, groups.norms, Math.ceil(plan.numNodes / 64));
    if (options.update) {
      const u = options.update;
      run(u.kernel, u.group, u.workgroups);
    }
  }
  pass?.end();
  timer?.resolve(encoder);
  return { encoder, plan, targets, timer, timed, dispatches, withNorms };
}
