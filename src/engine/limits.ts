// Sizes the engine can take, checked before anything is allocated: each check names the limit and
// the value. Device limits come from the adapter (AdapterSummary.limits or GPUDevice.limits);
// documented caps (docs/failure-modes.md) keep the CPU side inside memory. No Node APIs.
import type { Cell } from '../params/shapes.ts';
import { cellSpec } from './cells.ts';
import { paramLayout } from './layout.ts';

/** A size over a limit: raised before allocating, printed as one line. */
export class LimitError extends Error {
  override name = 'LimitError';
}

/** Documented caps, the same on every device. */
export const CAPS = {
  /** Hidden size d: the kernels' override constants are sized for 1 … 512. */
  dim: 512,
  /** Words in a vocabulary (E is V × d). */
  vocab: 1_000_000,
  /** Classes on the CPU (Float64 reference); the GPU's own limit is usually lower. */
  classes: 65_536,
  /** Nodes in one tree (parser and planner keep per-node arrays). */
  treeNodes: 1_000_000,
  /** Trees in one split or one `grad` input. */
  trees: 1_000_000,
  /** Trees in one `grad` input (its output lists every node of every tree). */
  gradTrees: 100_000,
  /** Nodes in one `grad` input, all trees together. */
  gradNodes: 5_000_000,
  /** Points of one experiment grid (datasets × cells × seeds). */
  gridPoints: 10_000,
  /** Seeds: RNG seeds are 32-bit. */
  seed: 2 ** 32 - 1,
  /** Rows of `selfcheck`. */
  selfcheckRows: 1 << 24,
} as const;

/** Trees per evaluation batch (src/train/evaluate.ts uploads dev and test in batches of this many). */
export const EVAL_BATCH = 250;

/** The device limits the engine depends on. */
export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
}

/** The limits of a device or an adapter summary's limits record. */
export function deviceLimits(limits: Partial<Record<keyof DeviceLimits, number>>): DeviceLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? 128 << 20,
    maxBufferSize: limits.maxBufferSize ?? 256 << 20,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize ?? 16_384,
  };
}

/** One storage buffer may hold this many bytes. */
export function maxStorageBytes(l: DeviceLimits): number {
  return Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
}

/** Classes the classifier kernel can hold: two f32 arrays of C in workgroup memory. */
export function maxClasses(l: DeviceLimits): number {
  return Math.floor(l.maxComputeWorkgroupStorageSize / 8);
}

/** The sizes of a model. */
export interface ModelSize {
  cell: Cell;
  dim: number;
  vocab: number;
  classes: number;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Throws LimitError when `value` is not an integer in [min, max]; `what` names it. */
export function checkRange(what: string, value: number, min: number, max: number, limit: string): void {
  if (!Number.isInteger(value) || value < min)
    throw new LimitError(`${what} must be an integer ≥ ${min}, got ${value}`);
  if (value > max) throw new LimitError(`${what} is ${value}, over ${limit} (${max})`);
}

/**
 * Checks a model's sizes against the documented caps and, with `limits`, the device's: classes
 * against workgroup storage, the flat parameter buffer against the storage buffer limits.
 */
export function checkModel(m: ModelSize, limits?: DeviceLimits): void {
  checkRange('the hidden size d', m.dim, 1, CAPS.dim, "the kernels' cap");
  checkRange('the vocabulary', m.vocab, 1, CAPS.vocab, 'the vocabulary cap');
  checkRange('the number of classes', m.classes, 1, CAPS.classes, 'the class cap');
  const floats = paramLayout(m.cell, m.dim, m.vocab, m.classes).size;
  if (!limits) return;
  checkRange(
    'the number of classes',
    m.classes,
    1,
    maxClasses(limits),
    `this device's maxComputeWorkgroupStorageSize / 8 (${limits.maxComputeWorkgroupStorageSize} bytes)`,
  );
  const bytes = floats * 4;
  if (bytes > maxStorageBytes(limits)) {
    throw new LimitError(
      `the parameters (${m.cell}, d = ${m.dim}, ${m.vocab} words, ${m.classes} classes) take ${mib(bytes)}, ` +
        `over this device's storage buffer limit of ${mib(maxStorageBytes(limits))} ` +
        '(maxStorageBufferBindingSize, maxBufferSize)',
    );
  }
}

/** Nodes, internal nodes and trees of one batch. */
export interface BatchSize {
  nodes: number;
  internal: number;
  trees: number;
}

/** The largest buffer a batch of this size needs, in bytes, and its name. */
export function largestBatchBuffer(m: ModelSize, b: BatchSize): { name: string; bytes: number } {
  const spec = cellSpec(m.cell, m.dim);
  const buffers: [string, number][] = [
    ['H (nodes × d)', b.nodes * m.dim * 4],
    ['S (saved activations)', b.internal * spec.savedWidth * 4],
    ['deltas', b.internal * spec.deltaWidth * 4],
    ['probs (trees × classes)', b.trees * m.classes * 4],
  ];
  const [name, bytes] = buffers.reduce((a, x) => (x[1] > a[1] ? x : a));
  return { name, bytes };
}

/**
 * Checks that a batch fits the device's storage buffers; `what` says which batch (e.g. "a training
 * batch of the 5 largest trees").
 */
export function checkBatch(m: ModelSize, b: BatchSize, limits: DeviceLimits, what: string): void {
  const { name, bytes } = largestBatchBuffer(m, b);
  if (bytes > maxStorageBytes(limits)) {
    throw new LimitError(
      `${what} (${b.nodes} nodes) needs ${mib(bytes)} for ${name}, over this device's storage buffer ` +
        `limit of ${mib(maxStorageBytes(limits))} (maxStorageBufferBindingSize, maxBufferSize)`,
    );
  }
}

/** Nodes and internal nodes of the `k` largest trees of a list (node counts per tree). */
export function worstBatch(nodeCounts: readonly number[], k: number): BatchSize {
  const sorted = Float64Array.from(nodeCounts).sort().reverse();
  let nodes = 0;
  const trees = Math.min(k, sorted.length);
  for (let i = 0; i < trees; i++) nodes += sorted[i]!;
  // A binary tree with n nodes has (n − 1) / 2 internal nodes.
  return { nodes, internal: Math.max(0, (nodes - trees) / 2), trees };
}
