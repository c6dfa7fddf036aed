// Engine throughput: forward + backward steps of one minibatch, timed as whole steps (submit to
// readback), median of several after a warm-up. Runs in a page (bench/index.html) or in Node.
import { TreeEngine } from '../src/engine/engine.ts';
import { KernelCache } from '../src/gpu/kernel.ts';
import { initParams } from '../src/params/params.ts';
import type { Cell } from '../src/params/shapes.ts';
import type { Schedule } from '../src/plan/schedule.ts';
import { Rng } from '../src/rng/index.ts';
import { randomTree } from '../src/trees/generate.ts';
import type { Tree } from '../src/trees/tree.ts';

/** One measured point. */
export interface EnginePoint {
  cell: Cell;
  dim: number;
  schedule: Schedule;
  trees: number;
  nodes: number;
  dispatches: number;
  medianMs: number;
  nodesPerSec: number;
}

/** What to measure. */
export interface EngineBenchOptions {
  cells: Cell[];
  dims: number[];
  schedules: Schedule[];
  trees: number;
  minLeaves: number;
  maxLeaves: number;
  repeats: number;
  seed: number;
}

const VOCAB = Array.from({ length: 100 }, (_, i) => `w${i}`);

/** A forest of random trees (uniform split) with leaf counts in [minLeaves, maxLeaves]. */
export function randomForest(n: number, minLeaves: number, maxLeaves: number, rng: Rng): Tree[] {
  return Array.from({ length: n }, () => {
    const words = Array.from(
      { length: rng.uniformInt(minLeaves, maxLeaves) },
      () => VOCAB[rng.uniformInt(0, 99)]!,
    );
    return randomTree(words, rng);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Measures every (cell, dim, schedule) on the same forest; calls `onPoint` as each finishes. */
export async function benchEngine(
  device: GPUDevice,
  o: EngineBenchOptions,
  onPoint: (p: EnginePoint) => void = () => {},
): Promise<EnginePoint[]> {
  const rng = Rng.fromSeed(o.seed);
  const forest = randomForest(o.trees, o.minLeaves, o.maxLeaves, rng);
  const labels = forest.map(() => rng.uniformInt(0, 4));
  const kernels = new KernelCache(device);
  const points: EnginePoint[] = [];
  for (const cell of o.cells) {
    for (const dim of o.dims) {
      const engine = await TreeEngine.create(device, { cell, dim, classes: 5, vocab: VOCAB }, { kernels });
      try {
        engine.setParams(initParams(cell, dim, VOCAB, 5, o.seed));
        const batch = engine.upload(forest, labels);
        for (const schedule of o.schedules) {
          const warm = await engine.step(batch, { schedule });
          const times: number[] = [];
          for (let r = 0; r < o.repeats; r++) {
            const t0 = performance.now();
            await engine.step(batch, { schedule });
            times.push(performance.now() - t0);
          }
          const medianMs = median(times);
          const p: EnginePoint = {
            cell,
            dim,
            schedule,
            trees: o.trees,
            nodes: batch.plan.numNodes,
            dispatches: warm.dispatches,
            medianMs,
            nodesPerSec: batch.plan.numNodes / (medianMs / 1000),
          };
          points.push(p);
          onPoint(p);
        }
      } finally {
        engine.dispose();
      }
    }
  }
  return points;
}

/** A fixed-width table of points, with the level schedule's speed-up over the others. */
export function formatPoints(points: readonly EnginePoint[]): string {
  const lines = ['cell   d    schedule  nodes  dispatches  median ms   nodes/s    level speed-up'];
  for (const p of points) {
    const level = points.find((q) => q.cell === p.cell && q.dim === p.dim && q.schedule === 'level');
    const up = level ? (p.medianMs / level.medianMs).toFixed(1) + '×' : '';
    lines.push(
      `${p.cell.padEnd(6)} ${String(p.dim).padEnd(4)} ${p.schedule.padEnd(9)} ${String(p.nodes).padStart(5)}  ` +
        `${String(p.dispatches).padStart(10)}  ${p.medianMs.toFixed(2).padStart(9)}  ${p.nodesPerSec.toFixed(0).padStart(9)}    ${p.schedule === 'level' ? '' : up}`,
    );
  }
  return lines.join('\n');
}
