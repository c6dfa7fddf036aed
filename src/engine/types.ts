// The engine's public shapes: what a model is, options, and what a step returns.
import type { Kernel, KernelCache } from '../gpu/kernel.ts';
import type { Cell } from '../params/shapes.ts';
import type { Schedule } from '../plan/schedule.ts';

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
  /**
   * Run levels of many nodes in the cell's wide shapes (more nodes per workgroup: faster on CPU
   * drivers, short of registers on a GPU). Default: when the device's adapter is a fallback (CPU)
   * adapter, as lavapipe and SwiftShader are.
   */
  wideLevels?: boolean;
}

/** One more dispatch at the end of a backward step, e.g. the optimiser's update. */
export interface Update {
  kernel: Kernel;
  group: GPUBindGroup;
  workgroups: number;
  /**
   * Two u32 words the update sets to size − i for the first flat index i whose new parameter
   * (word 0) or optimiser state (word 1) is not finite; the engine clears them before the update
   * and reads them back with the step's losses.
   */
  status?: GPUBuffer;
}

/** The first non-finite values an update produced (flat indices), if any. */
export interface NonFinite {
  theta?: number;
  state?: number;
}

/** Options of one step. */
export interface StepOptions {
  schedule?: Schedule;
  /** Forward only (evaluation) when false. */
  backward?: boolean;
  /** Per-node gradient norms (default: with every backward step). */
  norms?: boolean;
  /** A dispatch after the gradients are complete (the optimiser), in the same command buffer. */
  update?: Update;
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
  /** Each tree's loss (with a loss at every labelled node: the sum over its labelled nodes). */
  treeLoss: Float32Array;
  /** The loss at each of the batch's targets (`GpuBatch.targets`: the roots, then other labelled nodes). */
  targetLoss: Float32Array;
  /** Class probabilities [targets, classes]: the first numTrees rows are the roots'. */
  probs: Float32Array;
  /** Per-node (gh, gc) by row: norms[2·row], norms[2·row + 1] (backward steps with norms). */
  norms?: Float32Array;
  dispatches: number;
  submits: number;
  /** Set when the step's update made a parameter or the optimiser state NaN or ±Inf. */
  nonFinite?: NonFinite;
  /**
   * Per-dispatch GPU times of a profiled step, for its first 2048 dispatches (WebGPU's query
   * limit); absent when the adapter has no timestamp queries.
   */
  profile?: DispatchTime[];
}
