// One computation of the page: fresh parameters, forward and backward on the GPU (engineGrad),
// optionally the Float64 reference beside it, and how far the two are apart.
import { stepMultiplyAdds } from '../cells/index.ts';
import { engineGrad } from '../engine/grad.ts';
import { initParams, type Params } from '../params/params.ts';
import { type GradResult, referenceGrad } from '../reference/index.ts';
import type { PageRequest } from './inputs.ts';

/** Above this many multiply-adds the Float64 reference is skipped (it runs on the page's thread). */
export const MAX_REFERENCE_WORK = 3e8;

/** GPU against Float64: the worst relative difference of a per-node norm, and of the loss. */
export interface Comparison {
  ms: number;
  lossRel: number;
  worst: { rel: number; tree: number; node: number; which: 'gh' | 'gc' };
}

/** A finished computation: the request, the GPU's answer, its time and the reference check. */
export interface RunResult {
  request: PageRequest;
  grads: GradResult;
  ms: number;
  /** What computed it, when not the GPU (the Float64 reference without WebGPU). */
  device?: string;
  /** The comparison, or why there is none (not asked for: undefined). */
  reference?: Comparison | string;
}

/** Multiply-adds of one forward and backward pass on the CPU: about 3 × the forward's mat-vecs. */
export function referenceWork(request: PageRequest): number {
  const internal = request.infos.reduce((n, nodes) => n + nodes.filter((x) => x.left >= 0).length, 0);
  return stepMultiplyAdds(request.cell, request.dim, internal);
}

/** |a − e| / |e|, 0 when both are 0. */
function relDiff(a: number, e: number): number {
  if (a === e) return 0;
  return Math.abs(a - e) / Math.max(Math.abs(e), Number.MIN_VALUE);
}

/** Compares per-node gh (and gc) and the loss of a GPU result with the reference's. */
export function compareGrads(gpu: GradResult, ref: GradResult, ms: number): Comparison {
  const worst: Comparison['worst'] = { rel: 0, tree: 0, node: 0, which: 'gh' };
  gpu.nodes.forEach((nodes, t) => {
    nodes.forEach((n, i) => {
      const e = ref.nodes[t]?.[i];
      if (!e) return;
      for (const which of ['gh', 'gc'] as const) {
        const a = n[which];
        const b = e[which];
        if (a === undefined || b === undefined) continue;
        const rel = relDiff(a, b);
        if (!(rel <= worst.rel)) Object.assign(worst, { rel, tree: t, node: i, which });
      }
    });
  });
  return { ms, lossRel: relDiff(gpu.loss, ref.loss), worst };
}

/**
 * Runs the request on `device` inside error scopes, so a WebGPU validation or memory error becomes
 * an exception here rather than a console line; then the reference when asked and affordable.
 */
export async function compute(
  device: GPUDevice,
  request: PageRequest,
  params: Params = initParams(request.cell, request.dim, request.vocab, request.classes, request.seed),
): Promise<RunResult> {
  const scopes: GPUErrorFilter[] = ['internal', 'out-of-memory', 'validation'];
  for (const filter of scopes) device.pushErrorScope(filter);
  const start = performance.now();
  let grads: GradResult | undefined;
  let failure: unknown;
  try {
    grads = await engineGrad(device, params, request.trees, undefined, request.labels);
  } catch (error) {
    failure = error;
  }
  // Scopes pop in reverse order of their pushes; the first error found is the one to report.
  const errors = await Promise.all(scopes.map(() => device.popErrorScope()));
  const first = errors.find((e) => e !== null);
  if (first) throw new Error(`WebGPU reported an error: ${first.message}`);
  if (grads === undefined) throw failure;
  const ms = performance.now() - start;
  const result: RunResult = { request, grads, ms };
  if (!request.compare) return result;
  const work = referenceWork(request);
  if (work > MAX_REFERENCE_WORK) {
    result.reference =
      `skipped: about ${(work / 1e6).toFixed(0)} M multiply-adds, more than the page runs on its thread ` +
      `(${MAX_REFERENCE_WORK / 1e6} M); lower d or use smaller trees`;
    return result;
  }
  const refStart = performance.now();
  const ref = referenceGrad(params, request.trees, request.labels);
  result.reference = compareGrads(grads, ref, performance.now() - refStart);
  return result;
}

/**
 * The Float64 reference alone, on the page's thread (no WebGPU): the first tree only, so the page
 * stays responsive; `reference` says so.
 */
export function computeReference(
  request: PageRequest,
  params: Params = initParams(request.cell, request.dim, request.vocab, request.classes, request.seed),
): RunResult {
  const one: PageRequest = {
    ...request,
    trees: request.trees.slice(0, 1),
    infos: request.infos.slice(0, 1),
    labels: request.labels.slice(0, 1),
  };
  const start = performance.now();
  const grads = referenceGrad(params, one.trees, one.labels);
  return { request: one, grads, ms: performance.now() - start, device: 'Float64 reference (CPU)' };
}
