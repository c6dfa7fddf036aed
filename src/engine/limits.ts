// Sizes the engine can take, checked before anything is allocated: each check names the limit and
// the value. Device limits come from the adapter (AdapterSummary.limits or GPUDevice.limits);
// documented caps (docs/failure-modes.md) keep the CPU side inside memory. No Node APIs.
import type { Cell } from '../params/shapes.ts';
import { cellSpec } from './cells.ts';
import type { Tree } from '../trees/tree.ts';
import { gpuDim, paramLayout } from './param-layout.ts';

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
  const floats = paramLayout(m.cell, gpuDim(m.dim), m.vocab, m.classes).size;
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

/** Nodes, internal nodes and trees of one batch; `targets`: nodes the classifier runs at (default: the trees). */
export interface BatchSize {
  nodes: number;
  internal: number;
  trees: number;
  targets?: number;
}

/** The buffers a batch of this size needs: name, bytes, and the limit each is under. */
function batchBuffers(m: ModelSize, b: BatchSize, l: DeviceLimits): [string, number, number][] {
  const D = gpuDim(m.dim);
  const spec = cellSpec(m.cell, D);
  const targets = b.targets ?? b.trees;
  const storage = maxStorageBytes(l);
  return [
    ['H (nodes × d)', b.nodes * D * 4, storage],
    ['S (saved activations)', b.internal * spec.savedWidth * 4, storage],
    ['deltas', b.internal * spec.deltaWidth * 4, storage],
    ['probs (targets × classes)', targets * m.classes * 4, storage],
    // A MAP_READ buffer, not bound: only maxBufferSize applies.
    [
      'readback (losses, probabilities, norms)',
      (targets * (1 + m.classes) + 2 * b.nodes + 2) * 4,
      l.maxBufferSize,
    ],
  ];
}

/** The largest buffer a batch of this size needs, in bytes, and its name. */
export function largestBatchBuffer(m: ModelSize, b: BatchSize): { name: string; bytes: number } {
  const [name, bytes] = batchBuffers(m, b, deviceLimits({})).reduce((a, x) => (x[1] > a[1] ? x : a));
  return { name, bytes };
}

/** The first buffer of a batch that is over its device limit, or undefined when the batch fits. */
export function overLimit(
  m: ModelSize,
  b: BatchSize,
  limits: DeviceLimits,
): { name: string; bytes: number; limit: number } | undefined {
  const over = batchBuffers(m, b, limits).find(([, bytes, limit]) => bytes > limit);
  return over && { name: over[0], bytes: over[1], limit: over[2] };
}

/**
 * Checks that a batch fits the device's storage buffers; `what` says which batch (e.g. "a training
 * batch of the 5 largest trees"); `hint` ends the message (how to make it fit).
 */
export function checkBatch(m: ModelSize, b: BatchSize, limits: DeviceLimits, what: string, hint = ''): void {
  const over = overLimit(m, b, limits);
  if (over) {
    const limit = over.name.startsWith('readback')
      ? 'buffer limit of X (maxBufferSize)'
      : 'storage buffer limit of X (maxStorageBufferBindingSize, maxBufferSize)';
    throw new LimitError(
      `${what} (${b.nodes} nodes) needs ${mib(over.bytes)} for ${over.name}, over this device's ` +
        `${limit.replace('X', mib(over.limit))}${hint}`,
    );
  }
}

/** The sizes of one tree in a batch: its nodes, internal nodes and classifier targets (with loss 'all', its labelled nodes). */
export function treeBatchSize(tree: Tree, loss: 'root' | 'all' = 'root'): BatchSize {
  let nodes = 0;
  let internal = 0;
  let targets = 1;
  const todo: Tree[] = [tree];
  while (todo.length > 0) {
    const t = todo.pop()!;
    nodes++;
    if (t !== tree && loss === 'all' && t.label !== undefined) targets++;
    if (t.kind === 'node') {
      internal++;
      todo.push(t.left, t.right);
    }
  }
  return { nodes, internal, trees: 1, targets };
}

/** A run of consecutive trees: the first and how many. */
export interface BatchRange {
  first: number;
  count: number;
}

/**
 * Splits trees, in order, into runs of consecutive trees of at most `maxTrees` that each fit the
 * device's buffers (greedily: each run as long as fits). A tree that does not fit alone is a
 * LimitError; `what(i)` names tree i (0-based) in it.
 */
export function splitBatches(
  m: ModelSize,
  sizes: readonly BatchSize[],
  maxTrees: number,
  limits: DeviceLimits,
  what: (i: number) => string,
): BatchRange[] {
  const none: Required<BatchSize> = { nodes: 0, internal: 0, trees: 0, targets: 0 };
  const add = (x: Required<BatchSize>, t: BatchSize): Required<BatchSize> => ({
    nodes: x.nodes + t.nodes,
    internal: x.internal + t.internal,
    trees: x.trees + t.trees,
    targets: x.targets + (t.targets ?? t.trees),
  });
  const out: BatchRange[] = [];
  let run: BatchRange = { first: 0, count: 0 };
  let sum = none;
  sizes.forEach((t, i) => {
    let next = add(sum, t);
    if (run.count > 0 && (run.count >= maxTrees || overLimit(m, next, limits))) {
      out.push(run);
      run = { first: i, count: 0 };
      next = add(none, t);
    }
    if (run.count === 0) checkBatch(m, t, limits, what(i), ', even alone: it cannot be split');
    sum = next;
    run.count++;
  });
  if (run.count > 0) out.push(run);
  return out;
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

/**
 * Checks the worst training batch of `batch` trees (`batchOf(k)`: the sizes of the k largest, e.g.
 * worstBatch); over a limit, the LimitError says which --batch would fit (training batches are the
 * user's: they are not split).
 */
export function checkTrainingBatch(
  m: ModelSize,
  batchOf: (k: number) => BatchSize,
  batch: number,
  limits: DeviceLimits,
  what: string,
): void {
  if (!overLimit(m, batchOf(batch), limits)) return;
  // The largest k that fits (a bigger batch of the largest trees never needs less).
  let lo = 0;
  let hi = batch - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (overLimit(m, batchOf(mid), limits)) hi = mid - 1;
    else lo = mid;
  }
  const hint =
    lo > 0 ? `: give --batch ${lo} or less` : ': the largest tree alone does not fit (even --batch 1)';
  checkBatch(m, batchOf(batch), limits, what, hint);
}

/**
 * A data set's trees against the device, by node counts: a training batch of the `batch` largest
 * training trees (refused with the --batch that fits), and the largest dev/test tree alone
 * (evaluation batches are split to fit, so only a tree too big by itself is refused).
 */
export function checkDataFits(
  m: ModelSize,
  nodes: { train: readonly number[]; evaluation: readonly number[] },
  batch: number,
  limits: DeviceLimits,
): void {
  checkTrainingBatch(
    m,
    (k) => worstBatch(nodes.train, k),
    batch,
    limits,
    `a training batch of the ${batch} largest trees`,
  );
  checkBatch(
    m,
    worstBatch(nodes.evaluation, 1),
    limits,
    'the largest dev/test tree',
    ', even alone: it cannot be split',
  );
}
