// The self-check shared by `treegrad selfcheck` and the page: a gathered matrix product on random
// inputs, timed, and compared with a Float64 computation.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { type Comparison, compare, describe, type Tolerance } from '../check/compare.ts';
import { gatherMatmul, gatherMatmulReference } from './gather.ts';
import type { KernelCache } from '../gpu/kernel.ts';

/** Size and seed of a self-check. */
export interface SelfcheckOptions {
  dim: number;
  rows: number;
  seed: number;
}

/** What a self-check measured. */
export interface SelfcheckResult {
  ms: number;
  gflops: number;
  comparison: Comparison;
  tolerance: Tolerance;
  /** Two lines for people: size and speed, then the comparison. */
  text: string;
}

/** Runs Y[r] = W·X[idx[r]] with X [rows, dim], W [dim, dim] once to warm up, then once timed. */
export async function runSelfcheck(
  device: GPUDevice,
  kernels: KernelCache,
  o: SelfcheckOptions,
): Promise<SelfcheckResult> {
  const rng = xoroshiro128plus(o.seed);
  const uniform = (n: number) => Float32Array.from({ length: n }, () => 2 * uniformFloat64(rng) - 1);
  const input = {
    X: uniform(o.rows * o.dim),
    W: uniform(o.dim * o.dim),
    idx: Uint32Array.from({ length: o.rows }, (_, r) => (r * 7919) % o.rows),
    inDim: o.dim,
    outDim: o.dim,
  };
  await gatherMatmul(device, kernels, input); // builds the pipeline
  const start = performance.now();
  const actual = await gatherMatmul(device, kernels, input);
  const ms = performance.now() - start;
  // float32 dot products of length dim with |x|, |w| ≤ 1: rounding grows like √dim · 2⁻²⁴.
  const tolerance = { atol: 1e-6 * Math.sqrt(o.dim), rtol: 1e-5 };
  const comparison = compare('Y', actual, gatherMatmulReference(input), tolerance);
  const gflops = (2 * o.rows * o.dim * o.dim) / (ms * 1e6);
  const text =
    `gather_matmul ${o.rows}×${o.dim} · ${o.dim}×${o.dim}: ${ms.toFixed(2)} ms incl. upload and readback ` +
    `(${gflops.toFixed(2)} GFLOP/s)\n${describe(comparison, tolerance)}`;
  return { ms, gflops, comparison, tolerance, text };
}
