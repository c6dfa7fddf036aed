// Per-node results of an engine step, tree by tree in pre-order: the public face of nodeGrads.
import type { NodeGrad } from '../grad/result.ts';
import type { GpuBatch } from './batch.ts';
import type { TreeEngine } from './engine.ts';
import { nodeGrads } from './node-norms.ts';
import type { StepResult } from './types.ts';

/**
 * The per-node gradient norms of a backward step on `batch`, per tree in pre-order (root first,
 * then the left subtree, then the right): depth, gh = ‖∂J_t/∂h‖, gc = ‖∂J_t/∂c‖ for cells with a
 * memory cell, and the word at leaves. The same records `referenceGrad` returns in `nodes`.
 * Throws when the step read back no norms (a forward-only step, or `norms: false`).
 */
export function nodeResults(engine: TreeEngine, batch: GpuBatch, step: StepResult): NodeGrad[][] {
  if (!step.norms) {
    throw new Error('this step read back no per-node norms: run a backward step without norms: false');
  }
  if (step.norms.length !== 2 * batch.plan.numNodes) {
    throw new Error(
      `the step read back ${step.norms.length / 2} nodes, the batch has ${batch.plan.numNodes}: pass the batch that was stepped`,
    );
  }
  return nodeGrads(batch.plan, step.norms, engine.spec.hasC, engine.shape.vocab);
}
