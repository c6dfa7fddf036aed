// Dispatch plans for the three schedules (docs/design.md "Schedules"): the same kernels run over
// row ranges of the level-major numbering, only the ranges differ.
import type { LevelPlan } from './levels.ts';

/** How internal nodes are grouped into dispatches: by height across trees, per tree level, or per node. */
export type Schedule = 'level' | 'tree' | 'node';

/** The schedule names, in the order benchmarks report them. */
export const SCHEDULES: readonly Schedule[] = ['level', 'tree', 'node'];

/**
 * Row ranges of internal nodes in a valid forward order, as pairs [firstRow, count] (length
 * 2 × number of dispatches); every child's range comes before its parent's. Backward walks the
 * pairs in reverse. Leaves (level 0) are not included: the embedding lookup covers them at once.
 * - `level`: one range per height 1 … numLevels − 1, across all trees.
 * - `tree`: tree 0's heights 1 … treeHeight[0], then tree 1's, … (one tree at a time).
 * - `node`: the `tree` order split into ranges of length 1 (one dispatch per internal node).
 */
export function forwardRanges(plan: LevelPlan, schedule: Schedule): Int32Array {
  if (schedule === 'level') {
    const out = new Int32Array(2 * (plan.numLevels - 1));
    for (let h = 1; h < plan.numLevels; h++) {
      out[2 * (h - 1)] = plan.levelStart[h]!;
      out[2 * (h - 1) + 1] = plan.levelStart[h + 1]! - plan.levelStart[h]!;
    }
    return out;
  }
  if (schedule !== 'tree' && schedule !== 'node') {
    throw new Error(
      `forwardRanges: unknown schedule ${JSON.stringify(schedule)}, expected level, tree or node`,
    );
  }
  const perNode = schedule === 'node';
  const numRanges = perNode ? plan.numInternal : plan.treeLevelOffset[plan.numTrees]! - plan.numTrees;
  const out = new Int32Array(2 * numRanges);
  let k = 0;
  for (let t = 0; t < plan.numTrees; t++) {
    for (let h = 1; h <= plan.treeHeight[t]!; h++) {
      const start = plan.treeLevelStart[plan.treeLevelOffset[t]! + h]!;
      const count = plan.treeLevelCount[plan.treeLevelOffset[t]! + h]!;
      if (perNode) {
        for (let r = start; r < start + count; r++) {
          out[k++] = r;
          out[k++] = 1;
        }
      } else {
        out[k++] = start;
        out[k++] = count;
      }
    }
  }
  return out;
}
