// Batched evaluation on the GPU: accuracy (forward only; at the roots, and at every labelled node),
// the gradient ratio gh(keyword)/gh(root) and the gradient reach by depth (forward and backward of
// the roots' loss, no update) of a fixed set of examples, uploaded once.
import type { GpuBatch, LossMode } from '../engine/batch.ts';
import type { TreeEngine } from '../engine/engine.ts';
import {
  type DeviceLimits,
  deviceLimits,
  EVAL_BATCH,
  splitBatches,
  treeBatchSize,
} from '../engine/limits.ts';
import { nodeGrads } from '../engine/node-norms.ts';
import { focalRatio, type NodeGrad } from '../grad/result.ts';
import type { Example } from './dataset.ts';

/** Per-example outcome of an evaluation. */
export interface Evaluation {
  /** Fraction of roots predicted right. */
  accuracy: number;
  /** Whether each example's root was predicted right. */
  correct: boolean[];
  /**
   * Fraction of all labelled nodes (roots included) predicted right, for a set evaluated at every
   * labelled node.
   */
  nodeAccuracy?: number;
  /** Labelled nodes counted by `nodeAccuracy`. */
  nodes?: number;
  /** Mean loss over the examples (each the sum over its targets). */
  loss: number;
}

/**
 * Mean log10 gh(n)/gh(root) by depth, over every non-root node (`nodes`) and over leaves only
 * (`leaves`, by leaf depth): how far below the root the learning signal of the root's loss arrives.
 */
export interface Reach {
  nodes: ByDepth;
  leaves: ByDepth;
}

/** Mean and count of a quantity per keyword depth. */
export type ByDepth = Record<string, { n: number; mean: number; excluded?: number }>;

type Batches = { batch: GpuBatch; first: number; count: number }[];

/**
 * A fixed set of examples on the GPU, in batches of up to `batchSize` consecutive trees, fewer where
 * their nodes would pass the device's buffer limits (`limits`, default the engine's device's): the
 * results do not depend on the split (each tree's are its own; sums run in tree order). A tree too
 * big alone is a LimitError. With `loss` 'all', accuracy and loss are taken at every labelled node;
 * gradients are always those of the roots' loss.
 */
export class EvalSet {
  private readonly batches: Batches;
  private rootBatches: Batches | undefined;

  constructor(
    private readonly engine: TreeEngine,
    readonly examples: readonly Example[],
    private readonly batchSize = EVAL_BATCH,
    readonly loss: LossMode = 'root',
    private readonly limits: DeviceLimits = deviceLimits(engine.device.limits),
  ) {
    this.batches = this.upload(loss);
    if (loss === 'root') this.rootBatches = this.batches;
  }

  private upload(loss: LossMode): Batches {
    const { cell, dim, vocab, classes } = this.engine.shape;
    const ranges = splitBatches(
      { cell, dim, vocab: vocab.length, classes },
      this.examples.map((e) => treeBatchSize(e.tree, loss)),
      this.batchSize,
      this.limits,
      (i) => `evaluation tree ${i + 1}`,
    );
    const out: Batches = [];
    for (const { first, count } of ranges) {
      const part = this.examples.slice(first, first + count);
      const batch = this.engine.upload(
        part.map((e) => e.tree),
        part.map((e) => e.label),
        { loss },
      );
      out.push({ batch, first, count });
    }
    return out;
  }

  /** How many batches the set is uploaded as (the split the device's limits asked for). */
  get numBatches(): number {
    return this.batches.length;
  }

  /** The batches of the roots' loss (uploaded on first use when the set has a loss at every node). */
  private get gradientBatches(): Batches {
    this.rootBatches ??= this.upload('root');
    return this.rootBatches;
  }

  /** Accuracy and loss with the engine's current parameters (forward only). */
  async evaluate(): Promise<Evaluation> {
    const correct: boolean[] = new Array(this.examples.length);
    const C = this.engine.shape.classes;
    let loss = 0;
    let nodes = 0;
    let nodesRight = 0;
    for (const { batch, first, count } of this.batches) {
      const r = await this.engine.step(batch, { backward: false });
      // Tree by tree, in order: the sum is the same however the set is split.
      for (let t = 0; t < count; t++) loss += r.treeLoss[t]!;
      const { labels } = batch.targets;
      for (let i = 0; i < labels.length; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (r.probs[i * C + c]! > r.probs[i * C + best]!) best = c;
        const right = best === labels[i];
        if (i < count) correct[first + i] = right;
        nodes++;
        if (right) nodesRight++;
      }
    }
    const n = this.examples.length;
    const out: Evaluation = {
      accuracy: correct.filter(Boolean).length / Math.max(1, n),
      correct,
      loss: loss / Math.max(1, n),
    };
    if (this.loss === 'all') {
      out.nodeAccuracy = nodesRight / Math.max(1, nodes);
      out.nodes = nodes;
    }
    return out;
  }

  /**
   * Every example's per-node gradient records in pre-order (depth, gh, gc, word), of the roots'
   * loss with the engine's current parameters: one backward pass over the set, no update.
   */
  async nodeGradients(): Promise<NodeGrad[][]> {
    const trees: NodeGrad[][] = [];
    for (const { batch } of this.gradientBatches) {
      const r = await this.engine.step(batch, { norms: true });
      trees.push(...nodeGrads(batch.plan, r.norms!, this.engine.spec.hasC, this.engine.shape.vocab));
    }
    return trees;
  }

  /** The keyword ratios and the gradient reach from one backward pass over the set. */
  async gradientStats(): Promise<{ log10Ratios: (number | null)[]; reach: Reach }> {
    const trees = await this.nodeGradients();
    return { log10Ratios: keywordLog10Ratios(trees), reach: gradientReach(trees) };
  }

  /**
   * Mean log10 gh(n)/gh(root) by depth over the set (the roots' loss, current parameters): every
   * non-root node by its depth, and leaves by theirs (see gradientReach).
   */
  async reach(): Promise<Reach> {
    return gradientReach(await this.nodeGradients());
  }

  /**
   * log10(gh(keyword)/gh(root)) of every example with a keyword (null where the ratio is 0, not
   * finite, or there is no single keyword), with the engine's current parameters.
   */
  async log10Ratios(): Promise<(number | null)[]> {
    return keywordLog10Ratios(await this.nodeGradients());
  }

  /** Frees the batches. */
  dispose(): void {
    for (const { batch } of this.batches) this.engine.release(batch);
    if (this.rootBatches !== this.batches)
      for (const { batch } of this.rootBatches ?? []) this.engine.release(batch);
    this.batches.length = 0;
    this.rootBatches = undefined;
  }
}

/**
 * log10(gh(keyword)/gh(root)) of each tree's per-node records: null where the tree has no single
 * keyword leaf, or the ratio is 0 or not finite.
 */
export function keywordLog10Ratios(trees: readonly (readonly NodeGrad[])[]): (number | null)[] {
  return trees.map((nodes, t) => {
    const ratio = focalRatio(nodes, t + 1, undefined);
    return ratio !== null && ratio > 0 ? Math.log10(ratio) : null;
  });
}

/**
 * Mean log10 gh(n)/gh(root) by depth of trees' per-node records (pre-order, root first): every
 * non-root node by its depth, and leaves by theirs. A node whose gh or whose root's gh is 0 or not
 * finite is counted as excluded.
 */
export function gradientReach(trees: readonly (readonly NodeGrad[])[]): Reach {
  const nodes = new DepthMeans();
  const leaves = new DepthMeans();
  for (const tree of trees) {
    const root = tree[0]?.gh ?? 0;
    for (let i = 1; i < tree.length; i++) {
      const n = tree[i]!;
      const v = root > 0 && n.gh > 0 ? Math.log10(n.gh / root) : Number.NaN;
      const value = Number.isFinite(v) ? v : null;
      nodes.add(n.depth, value);
      if (n.word !== undefined) leaves.add(n.depth, value);
    }
  }
  return { nodes: nodes.result(), leaves: leaves.result() };
}

/**
 * The first depth at which the mean log10 gh(n)/gh(root) falls below `log10Bound` (default −3: the
 * signal is under a thousandth of the root's), or undefined when it never does.
 */
export function reachDepth(byDepth: ByDepth, log10Bound = -3): number | undefined {
  const below = Object.entries(byDepth)
    .map(([depth, v]) => [Number(depth), v.mean] as const)
    .sort((a, b) => a[0] - b[0])
    .find(([, mean]) => mean < log10Bound);
  return below?.[0];
}

/** Count and sum of values per depth (nulls counted as excluded). */
class DepthMeans {
  private readonly acc = new Map<number, { n: number; sum: number; excluded: number }>();

  add(depth: number, value: number | null): void {
    const a = this.acc.get(depth) ?? { n: 0, sum: 0, excluded: 0 };
    if (value === null) a.excluded++;
    else {
      a.n++;
      a.sum += value;
    }
    this.acc.set(depth, a);
  }

  /** Count and mean per depth, ascending; depths with no value left out. */
  result(): ByDepth {
    const out: ByDepth = {};
    for (const [depth, a] of [...this.acc].sort((x, y) => x[0] - y[0])) {
      if (a.n > 0)
        out[String(depth)] = { n: a.n, mean: a.sum / a.n, ...(a.excluded ? { excluded: a.excluded } : {}) };
    }
    return out;
  }
}

/** Groups values by the examples' keyword depth: count and mean (nulls counted as excluded; depths with no value left out). */
export function byDepth(examples: readonly Example[], values: readonly (number | null)[]): ByDepth {
  const acc = new DepthMeans();
  examples.forEach((e, i) => {
    if (e.keywordDepth !== undefined) acc.add(e.keywordDepth, values[i] ?? null);
  });
  return acc.result();
}
