// Page side of bench/schedules.ts: the engine's three schedules on one random forest.
import { TreeEngine } from '../src/engine/engine.ts';
import { getGpu } from '../src/gpu/device.ts';
import { initParams } from '../src/params/params.ts';
import { type Cell, CELLS } from '../src/cells/index.ts';
import type { Schedule } from '../src/plan/schedule.ts';
import { Rng } from '../src/rng/index.ts';
import { randomTree } from '../src/trees/generate.ts';

/** What to measure. */
export interface SchedulesOptions {
  dims: number[];
  trees: number;
  minLeaves: number;
  maxLeaves: number;
  repeats: number;
}

/** One (cell, d, schedule): median whole-step time and GPU time per kernel of a profiled step. */
export interface ScheduleRow {
  cell: Cell;
  dim: number;
  schedule: Schedule;
  nodes: number;
  dispatches: number;
  ms: number;
  nodesPerSec: number;
  gpuMs: Record<string, number>;
}

/** Measures level, tree and node schedules for both cells on a seeded forest. */
export async function runSchedules(o: SchedulesOptions): Promise<ScheduleRow[]> {
  const gpu = await getGpu();
  const vocab = Array.from({ length: 100 }, (_, i) => `w${i}`);
  const rng = Rng.fromSeed(1);
  const trees = Array.from({ length: o.trees }, () => {
    const n = rng.uniformInt(o.minLeaves, o.maxLeaves);
    return randomTree(
      Array.from({ length: n }, () => vocab[rng.uniformInt(0, 99)]!),
      rng,
    );
  });
  const labels = trees.map(() => rng.uniformInt(0, 4));
  const rows: ScheduleRow[] = [];
  try {
    for (const cell of CELLS) {
      for (const dim of o.dims) {
        const engine = await TreeEngine.create(gpu.device, { cell, dim, classes: 5, vocab });
        try {
          engine.setParams(initParams(cell, dim, vocab, 5, 1));
          const batch = engine.upload(trees, labels);
          for (const schedule of ['level', 'tree', 'node'] as const) {
            await engine.step(batch, { schedule });
            const times: number[] = [];
            let dispatches = 0;
            for (let r = 0; r < o.repeats; r++) {
              const t0 = performance.now();
              dispatches = (await engine.step(batch, { schedule })).dispatches;
              times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            const ms = times[times.length >> 1]!;
            const gpuMs: Record<string, number> = {};
            for (const p of (await engine.step(batch, { schedule, profile: true })).profile ?? []) {
              gpuMs[p.kernel] = (gpuMs[p.kernel] ?? 0) + p.ns / 1e6;
            }
            const nodes = batch.plan.numNodes;
            rows.push({
              cell,
              dim,
              schedule,
              nodes,
              dispatches,
              ms,
              nodesPerSec: nodes / (ms / 1000),
              gpuMs,
            });
            console.log(`${cell} d=${dim} ${schedule}: ${ms.toFixed(1)} ms`);
          }
        } finally {
          engine.dispose();
        }
      }
    }
  } finally {
    gpu.destroy();
  }
  return rows;
}
