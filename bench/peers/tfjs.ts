// "What a user would write instead": treegrad's computation (a cell's forward, root softmax
// cross-entropy, backward to every parameter tensor) in TF.js, level-batched like the engine.
import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../../src/params/params.ts';
import { tensorNames, tensorShapes } from '../../src/params/shapes.ts';
import { planLevels } from '../../src/plan/levels.ts';
import type { Tree } from '../../src/trees/tree.ts';
import { type TfjsGraph, batchLoss, buildGraph } from './tfjs-graph.ts';
import { type TfjsBackend, initTfjs } from './tfjs-init.ts';

export { type TfjsBackend, initTfjs } from './tfjs-init.ts';

/** A level-batched TF.js model of one minibatch (fixed parameters and trees). */
export interface TfjsModel {
  /** The backend the model's tensors live on; every call re-activates it if another one is active. */
  readonly backend: TfjsBackend;
  /** Forward only: mean loss over the trees (awaited from the device, so the work is done). */
  forward(): Promise<number>;
  /**
   * Forward + backward: mean loss, gradients computed and kept (disposed on the next call). The
   * loss is read back after the backward pass was queued, so the step is finished when it resolves.
   */
  step(): Promise<number>;
  /** Gradients of the last step() by tensor name, as Float64Array (row-major, model.md's shapes). */
  grads(): Promise<Record<string, Float64Array>>;
  /**
   * Number of TF.js kernels one step() runs, counted by tf.profile over one extra step (its
   * gradients replace the kept ones): the backend's registered kernels, less those that launch
   * nothing (Reshape, Identity, and Cast, which here only ever casts float32 to float32). Not
   * cheap (the profiler times every kernel): call it once, outside timed loops.
   */
  kernelsPerStep(): Promise<number>;
  /** Frees every tensor of the model (parameters, indices, kept gradients). */
  dispose(): void;
}

/** Kernels that only relabel or share a tensor's data. */
const NO_LAUNCH = new Set(['Reshape', 'Identity', 'Cast']);

function checkLabels(labels: readonly number[], trees: number, classes: number): void {
  if (labels.length !== trees) throw new RangeError(`${labels.length} labels for ${trees} trees`);
  labels.forEach((label, t) => {
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`tree ${t + 1}: label ${label} is outside 0 … ${classes - 1}`);
    }
  });
}

/**
 * Builds the level-batched TF.js model for these parameters and trees (labels = each tree's class):
 * initialises the backend (see initTfjs), plans the levels, uploads the parameters as float32
 * variables and the index arrays as int32 tensors. Throws for an unknown word or a bad label.
 */
export async function tfjsModel(
  backend: TfjsBackend,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
): Promise<TfjsModel> {
  const { cell, dim, classes, vocab } = params;
  checkLabels(labels, trees.length, classes);
  const ids = new Map(vocab.map((w, i) => [w, i]));
  const plan = planLevels(
    trees,
    (word, t) => {
      const id = ids.get(word);
      if (id === undefined) throw new Error(`tree ${t + 1}: unknown word "${word}"`);
      return id;
    },
    vocab.length,
  );
  await initTfjs(backend);

  const names = tensorNames(cell);
  const vars = tensorShapes(cell, dim, vocab.length, classes).map(([name, shape]) => {
    const values = params.tensors[name];
    if (values === undefined) throw new Error(`missing tensor "${name}"`);
    const t = tf.tensor(Float32Array.from(values), [...shape], 'float32');
    const v = tf.variable(t, true);
    t.dispose();
    return v;
  });
  const byName: Record<string, tf.Tensor> = {};
  names.forEach((name, i) => {
    byName[name] = vars[i]!;
  });
  const graph: TfjsGraph = buildGraph(cell, dim, classes, plan, labels);
  const loss = () => batchLoss(graph, byName);

  let kept: tf.Tensor[] | undefined;
  let disposed = false;
  const activate = async () => {
    if (disposed) throw new Error('the TF.js model was disposed');
    if (tf.getBackend() !== backend) await initTfjs(backend);
  };
  /** Loss and gradients (in canonical order; zeros for a tensor the batch does not reach). */
  const lossAndGrads = (): { value: tf.Scalar; grads: tf.Tensor[] } =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, vars);
      return { value, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
    });
  const step = async (): Promise<number> => {
    await activate();
    if (kept) tf.dispose(kept);
    kept = undefined;
    const { value, grads } = lossAndGrads();
    kept = grads;
    const out = (await value.data())[0]!;
    value.dispose();
    return out;
  };

  return {
    backend,
    async forward() {
      await activate();
      const value = tf.tidy(loss);
      const out = (await value.data())[0]!;
      value.dispose();
      return out;
    },
    step,
    async grads() {
      if (!kept) throw new Error('grads(): no step() has run');
      const grads = kept;
      const out: Record<string, Float64Array> = {};
      for (const [i, name] of names.entries()) out[name] = Float64Array.from(await grads[i]!.data());
      return out;
    },
    async kernelsPerStep() {
      await activate();
      const info = await tf.profile(async () => {
        await step();
      });
      return info.kernels.filter((k) => !NO_LAUNCH.has(k.name) && tf.getKernel(k.name, backend) !== undefined)
        .length;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (kept) tf.dispose(kept);
      kept = undefined;
      graph.dispose();
      tf.dispose(vars);
    },
  };
}
