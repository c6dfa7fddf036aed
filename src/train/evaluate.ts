// Batched evaluation on the GPU: accuracy (forward only) and the gradient ratio gh(keyword)/gh(root)
// (forward and backward, no update) of a fixed set of examples, uploaded once.
import type { GpuBatch } from '../engine/batch.ts';
import type { TreeEngine } from '../engine/engine.ts';
import { nodeGrads } from '../engine/report.ts';
import { focalRatio } from '../reference/grad.ts';
import type { Example } from './dataset.ts';

/** Per-example outcome of an evaluation. */
export interface Evaluation {
  /** Fraction predicted right. */
  accuracy: number;
  /** Whether each example was predicted right. */
  correct: boolean[];
  /** Mean loss over the examples. */
  loss: number;
}

/** Mean and count of a quantity per keyword depth. */
export type ByDepth = Record<string, { n: number; mean: number; excluded?: number }>;

/** A fixed set of examples on the GPU, in batches of `batchSize` trees. */
export class EvalSet {
  private readonly batches: { batch: GpuBatch; first: number; count: number }[] = [];

  constructor(
    private readonly engine: TreeEngine,
    readonly examples: readonly Example[],
    batchSize = 250,
  ) {
    for (let first = 0; first < examples.length; first += batchSize) {
      const part = examples.slice(first, first + batchSize);
      const batch = engine.upload(
        part.map((e) => e.tree),
        part.map((e) => e.label),
      );
      this.batches.push({ batch, first, count: part.length });
    }
  }

  /** Accuracy and loss with the engine's current parameters (forward only). */
  async evaluate(): Promise<Evaluation> {
    const correct: boolean[] = new Array(this.examples.length);
    const C = this.engine.shape.classes;
    let loss = 0;
    for (const { batch, first, count } of this.batches) {
      const r = await this.engine.step(batch, { backward: false });
      loss += r.loss * count;
      for (let t = 0; t < count; t++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (r.probs[t * C + c]! > r.probs[t * C + best]!) best = c;
        correct[first + t] = best === this.examples[first + t]!.label;
      }
    }
    const n = this.examples.length;
    return {
      accuracy: correct.filter(Boolean).length / Math.max(1, n),
      correct,
      loss: loss / Math.max(1, n),
    };
  }

  /**
   * log10(gh(keyword)/gh(root)) of every example with a keyword (null where the ratio is 0, not
   * finite, or there is no single keyword), with the engine's current parameters.
   */
  async log10Ratios(): Promise<(number | null)[]> {
    const out: (number | null)[] = new Array(this.examples.length).fill(null);
    for (const { batch, first, count } of this.batches) {
      const r = await this.engine.step(batch, { norms: true });
      const nodes = nodeGrads(batch.plan, r.norms!, this.engine.spec.hasC, this.engine.shape.vocab);
      for (let t = 0; t < count; t++) {
        const ratio = focalRatio(nodes[t]!, first + t + 1, undefined);
        out[first + t] = ratio !== null && ratio > 0 ? Math.log10(ratio) : null;
      }
    }
    return out;
  }

  /** Frees the batches. */
  dispose(): void {
    for (const { batch } of this.batches) this.engine.release(batch);
    this.batches.length = 0;
  }
}

/** Groups values by the examples' keyword depth: count and mean (nulls counted as excluded; depths with no value left out). */
export function byDepth(examples: readonly Example[], values: readonly (number | null)[]): ByDepth {
  const acc = new Map<number, { n: number; sum: number; excluded: number }>();
  examples.forEach((e, i) => {
    if (e.keywordDepth === undefined) return;
    const a = acc.get(e.keywordDepth) ?? { n: 0, sum: 0, excluded: 0 };
    const v = values[i];
    if (v === null || v === undefined) a.excluded++;
    else {
      a.n++;
      a.sum += v;
    }
    acc.set(e.keywordDepth, a);
  });
  const out: ByDepth = {};
  for (const [depth, a] of [...acc].sort((x, y) => x[0] - y[0])) {
    if (a.n > 0)
      out[String(depth)] = { n: a.n, mean: a.sum / a.n, ...(a.excluded ? { excluded: a.excluded } : {}) };
  }
  return out;
}
