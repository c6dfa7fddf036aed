// The shape of a benchmark run's results: what bench/results/<timestamp>.json holds.
import type { PointSpec, SuiteConfig, Variant } from './config.ts';
import type { KernelProfile } from './kernels.ts';

/** The adapter the run measured, as the JSON reports it. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  /** Whether per-level GPU times come from timestamp queries. */
  timestampQuery: boolean;
  runtime: 'chrome' | 'node';
  userAgent?: string;
}

/** The adapter's matrix-product ceilings and dispatch costs, measured in the same run. */
export interface Ceilings {
  /** TF.js matMul of [size, size]·[size, size] on the same adapter (null where TF.js has no WebGPU). */
  tfjsMatmulGflops: number | null;
  /** Our tiled GEMM (shaders/gemm.wgsl) on the same shape, dispatch only (buffers reused). */
  oursGemmGflops: number | null;
  /** Our gather_matmul kernel on the same shape (identity gather), the same way; not a ceiling. */
  gatherMatmulGflops: number | null;
  size: number;
  /** One trivial dispatch, submit and mapAsync of 4 bytes: the floor under any step. */
  emptyRoundTripMs: number;
  /** One more trivial dispatch inside an already open pass. */
  emptyDispatchUs: number;
  /** One more dispatch in an open pass that reads and writes the buffer the one before wrote. */
  dependentDispatchUs: number;
  /** The same with a uniform that changes every dispatch by a bind group of its own (as the level kernels' ranges). */
  rangeGroupDispatchUs?: number;
  /** The same with the uniform changed by a dynamic offset of one bind group. */
  dynamicOffsetDispatchUs?: number;
  notes: string[];
}

/** GPU time of one level of a profiled level-schedule step. */
export interface LevelTime {
  /** Height: 1 is the parents of leaves. */
  level: number;
  rows: number;
  forwardUs: number;
  backwardUs: number;
}

/** One variant measured (or skipped, or failed) on one point. */
export interface PointResult extends PointSpec {
  variant: Variant;
  trees: number;
  nodes: number;
  internal: number;
  /** Whole step (forward + backward), median wall time from submit to readback. */
  medianMs: number | null;
  forwardMs: number | null;
  /** stepMs − forwardMs. */
  backwardMs: number | null;
  nodesPerSec: number | null;
  treesPerSec: number | null;
  /** Dispatches of one step (null for CPU variants). */
  dispatches: number | null;
  /** Step FLOPs (model.md's mat-vec count) per second of median step time. */
  gflops: number | null;
  /** gflops over the better of the two ceilings. */
  shareOfCeiling: number | null;
  /** medianMs / depth: what one level costs, fixed costs included. */
  msPerLevel: number | null;
  /** Where medians come from (always wall time, submit to readback) and where level times do. */
  timing: 'wall';
  levelTiming?: 'timestamp-query' | 'wall';
  levelTimes?: LevelTime[];
  /** Sum of all dispatches' GPU time of a profiled step (each dispatch in its own pass). */
  gpuStepMs?: number;
  /** Forward kernel GFLOP/s on the widest level, from timestamps. */
  widestLevelGflops?: number;
  /** Every dispatch of a profiled step, the level kernels' fits and the reduction's share (bench/kernels.ts). */
  kernels?: KernelProfile;
  loss?: number;
  skipped?: string;
  error?: string;
}

/** A variant checked against the Float64 reference on the small case of one (cell, d). */
export interface ValidationResult {
  cell: string;
  dim: number;
  variant: Variant;
  ok: boolean;
  /** Largest norm-wise relative error over the loss and the gradient tensors, and which. */
  worst: number;
  worstName: string;
  error?: string;
}

/** Everything one run produced. */
export interface BenchResult {
  startedAt: string;
  durationS: number;
  config: SuiteConfig;
  adapter: AdapterInfo;
  ceilings: Ceilings;
  validation: ValidationResult[];
  points: PointResult[];
  /** Variants of the config that this runtime cannot run (e.g. tfjs-webgpu in Node), and why. */
  unavailable: Partial<Record<Variant, string>>;
}
