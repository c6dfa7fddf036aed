// `experiment --plan`: the grid, its shards and the estimated cost of each, as text.
import { pointName } from '../train/grid.ts';
import {
  type CostSettings,
  type GridPoint,
  pointCost,
  type Shard,
  type ShardChoice,
} from '../train/shards.ts';

/** `1 h 05 min`, `12 min`, `40 s`. */
function duration(seconds: number): string {
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
  return seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${Math.max(1, Math.round(seconds))} s`;
}

/** The grid, its shards and each one's estimated cost, as `--plan` prints them. */
export function formatPlan(
  points: readonly GridPoint[],
  shards: readonly Shard[],
  s: CostSettings,
  chosen: ShardChoice | undefined,
): string {
  const total = shards.reduce((a, x) => a + x.cost, 0);
  const lines = [
    `grid: ${points.length} points (${s.trainSize}/${s.devSize}/${s.testSize} sentences, d = ${s.dim}, ${s.epochs} epochs); ` +
      `estimated ${duration(total)} in one process on a 2-core machine with lavapipe`,
  ];
  for (const shard of shards) {
    const mark = chosen?.index === shard.index ? '  ← this task' : '';
    lines.push(
      `shard ${shard.index + 1}/${shards.length}: ${shard.points.length} points, ≈ ${duration(shard.cost)}${mark}`,
    );
    for (const p of shard.points) lines.push(`  ${pointName(p).padEnd(14)} ≈ ${duration(pointCost(p, s))}`);
  }
  return lines.join('\n');
}
