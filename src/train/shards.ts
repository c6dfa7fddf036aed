// Pure: an experiment grid cut into N disjoint shards of about equal estimated cost, so a
// scheduler's array tasks (Slurm, Kubernetes Indexed Jobs) finish together. No I/O.
import { forwardMultiplyAdds } from '../cells/index.ts';
import type { GridPoint } from './grid.ts';

export type { GridPoint };

/** What a point's cost depends on besides the point itself. */
export interface CostSettings {
  dim: number;
  epochs: number;
  trainSize: number;
  devSize: number;
  testSize: number;
  /** Mean words per sentence of a treebank given as files (dataset 0 of the grid). */
  meanWords?: number;
}

/**
 * Measured on a 2-core machine without a GPU (Mesa's lavapipe), d = 50, minibatch 5
 * (`bench/train-peers.ts`, 16 steps per readback): a training step costs about STEP_SECONDS of
 * fixed overhead (dispatches, planning, the queue) plus its multiply-adds at
 * MULTIPLY_ADDS_PER_SECOND. Fitted to RNN 834 / 650 / 308 and RLSTM 193 / 85 / 47 steps/s on
 * datasets 2 / 5 / 10, within 16 % of each (the RNN runs lavapipe inline, the RLSTM on its
 * thread pool: src/gpu/vulkan-env.ts).
 */
export const STEP_SECONDS = 0.71e-3;
export const MULTIPLY_ADDS_PER_SECOND = 3.12e9;
/** Trees per evaluation batch (src/train/evaluate.ts). */
const EVAL_BATCH = 250;

/**
 * Estimated seconds of a point on that machine: every epoch trains on the training set (forward
 * and backward: 3× the forward mat-vecs, in minibatches of 5), evaluates dev (forward) and
 * measures the ratios on test (forward and backward), plus the ratios at initialisation. Dataset
 * i has sentences of 10i − 9 … 10i words: 2·length − 1 nodes; a treebank (dataset 0) its own mean
 * length (`meanWords`; 1 when unknown).
 */
export function pointCost(point: GridPoint, s: CostSettings): number {
  const words = point.dataset === 0 ? Math.max(1, s.meanWords ?? 1) : 10 * point.dataset - 4.5;
  const internal = words - 1;
  const perTree = forwardMultiplyAdds(point.cell, s.dim, internal);
  const treesPerEpoch = 3 * s.trainSize + s.devSize + 3 * s.testSize;
  const work = s.epochs * treesPerEpoch * perTree + 3 * s.testSize * perTree;
  const steps =
    s.epochs * (Math.ceil(s.trainSize / 5) + Math.ceil((s.devSize + s.testSize) / EVAL_BATCH)) +
    Math.ceil(s.testSize / EVAL_BATCH);
  return steps * STEP_SECONDS + work / MULTIPLY_ADDS_PER_SECOND;
}

/** A shard: its index, its points in grid order, and their summed cost. */
export interface Shard {
  index: number;
  points: GridPoint[];
  cost: number;
}

/**
 * Cuts `points` into `count` shards: costliest point first, each to the shard with the least cost
 * so far (ties: the lower index). Deterministic for a given grid and settings; every point is in
 * exactly one shard; within a shard, points keep their grid order.
 */
export function planShards(points: readonly GridPoint[], count: number, s: CostSettings): Shard[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be ≥ 1, got ${count}`);
  const shards: Shard[] = Array.from({ length: count }, (_, index) => ({ index, points: [], cost: 0 }));
  const order = points
    .map((point, i) => ({ point, i, cost: pointCost(point, s) }))
    .sort((a, b) => b.cost - a.cost || a.i - b.i);
  const members: number[][] = shards.map(() => []);
  for (const { i, cost } of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if (shards[k]!.cost < shards[best]!.cost) best = k;
    shards[best]!.cost += cost;
    members[best]!.push(i);
  }
  for (const [k, list] of members.entries())
    shards[k]!.points = list.sort((a, b) => a - b).map((i) => points[i]!);
  return shards;
}

/** Where `--shard` came from, and which one. */
export interface ShardChoice {
  index: number;
  count: number;
  source: string;
}

/**
 * Reads `--shard K/N` (K counted from 1), or takes it from the scheduler's environment:
 * `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT` (and `SLURM_ARRAY_TASK_MIN`, so arrays
 * need not start at 0), or Kubernetes' `JOB_COMPLETION_INDEX` with `--shard auto/N`. Returns a
 * 0-based index. Throws with the reason on anything else.
 */
export function parseShard(value: string, env: Record<string, string | undefined>): ShardChoice {
  const explicit = /^(\d+)\/(\d+)$/.exec(value);
  if (explicit) {
    const [k, n] = [Number(explicit[1]), Number(explicit[2])];
    if (n < 1 || k < 1 || k > n) throw new RangeError(`--shard ${value}: K must be 1 … N`);
    return { index: k - 1, count: n, source: `--shard ${value}` };
  }
  const auto = /^auto(?:\/(\d+))?$/.exec(value);
  if (!auto) throw new RangeError(`--shard takes K/N (e.g. 2/8) or auto, got "${value}"`);
  const given = auto[1] === undefined ? undefined : Number(auto[1]);
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = Number(env.SLURM_ARRAY_TASK_ID);
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    const count = given ?? Number(env.SLURM_ARRAY_TASK_COUNT);
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError('--shard auto under Slurm needs SLURM_ARRAY_TASK_COUNT (or --shard auto/N)');
    const index = id - min;
    if (!Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(`SLURM_ARRAY_TASK_ID ${id} (min ${min}) is outside 0 … ${count - 1}`);
    return { index, count, source: `Slurm array task ${id} of ${count}` };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (given === undefined)
      throw new RangeError('--shard auto under a Kubernetes Indexed Job needs the count: --shard auto/N');
    const index = Number(env.JOB_COMPLETION_INDEX);
    if (!Number.isInteger(index) || index < 0 || index >= given)
      throw new RangeError(`JOB_COMPLETION_INDEX ${env.JOB_COMPLETION_INDEX} is outside 0 … ${given - 1}`);
    return { index, count: given, source: `Kubernetes completion index ${index} of ${given}` };
  }
  throw new RangeError(
    '--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set (give --shard K/N)',
  );
}
