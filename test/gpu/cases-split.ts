// Batches split to fit the device's buffers: with limits forced small, an evaluation set and
// `grad`'s input run in several batches and give what one batch gives — evaluation results
// identical, gradients within the engine's tolerances of the Float64 reference — and a tree too
// big alone is refused by name before anything is allocated.
import { TreeEngine } from '../../src/engine/engine.ts';
import { engineGrad, gradBatches } from '../../src/engine/grad.ts';
import { type DeviceLimits, LimitError, largestBatchBuffer, treeBatchSize } from '../../src/engine/limits.ts';
import { initParams } from '../../src/params/params.ts';
import { referenceGrad } from '../../src/reference/grad.ts';
import { Rng } from '../../src/rng/index.ts';
import { example } from '../../src/train/dataset.ts';
import { EvalSet } from '../../src/train/evaluate.ts';
import { randomTree } from '../../src/trees/generate.ts';
import { leaf, node, type Tree } from '../../src/trees/tree.ts';
import { TENSOR_RTOL, tensorCheck } from './cases-engine.ts';
import type { GpuCase } from './harness.ts';

const VOCAB = Array.from({ length: 20 }, (_, i) => `w${i}`);
const CLASSES = 3;
const DIM = 8;

/** A class at the root and at about half the other nodes. */
function labelled(tree: Tree, rng: Rng, root = true): Tree {
  const label = root || rng.uniformInt(0, 1) > 0 ? rng.uniformInt(0, CLASSES - 1) : undefined;
  return tree.kind === 'leaf'
    ? leaf(tree.word, label)
    : node(labelled(tree.left, rng, false), labelled(tree.right, rng, false), label);
}

/** Limits that hold `trees` of the largest tree's biggest buffer: several batches, no tree refused. */
function smallLimits(trees: readonly Tree[], factor: number): DeviceLimits {
  const model = { cell: 'rlstm' as const, dim: DIM, vocab: VOCAB.length, classes: CLASSES };
  const worst = Math.max(...trees.map((t) => largestBatchBuffer(model, treeBatchSize(t, 'all')).bytes));
  const bytes = Math.ceil(worst * factor);
  return { maxStorageBufferBindingSize: bytes, maxBufferSize: bytes, maxComputeWorkgroupStorageSize: 16_384 };
}

function same(what: string, a: unknown, b: unknown): void {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  if (x !== y)
    throw new Error(`${what} differs when split:\n${x.slice(0, 300)}\nvs one batch:\n${y.slice(0, 300)}`);
}

export const splitCase: GpuCase = {
  name: 'batches split to fit forced small buffer limits: evaluation identical, grad as the reference',
  async run(ctx) {
    const rng = Rng.fromSeed(ctx.seed);
    const trees = Array.from({ length: 40 }, () =>
      labelled(
        randomTree(
          Array.from({ length: rng.uniformInt(1, 16) }, () => VOCAB[rng.uniformInt(0, 19)]!),
          rng,
        ),
        rng,
      ),
    );
    const params = initParams('rlstm', DIM, VOCAB, CLASSES, ctx.seed);
    const small = smallLimits(trees, 3);
    const engine = await TreeEngine.create(
      ctx.device,
      { cell: 'rlstm', dim: DIM, classes: CLASSES, vocab: VOCAB },
      { kernels: ctx.kernels },
    );
    try {
      engine.setParams(params);
      const examples = trees.map((t, i) => example(t, `tree ${i + 1}`));
      for (const loss of ['root', 'all'] as const) {
        const split = new EvalSet(engine, examples, 250, loss, small);
        const whole = new EvalSet(engine, examples, 250, loss);
        try {
          if (split.numBatches < 3 || whole.numBatches !== 1)
            throw new Error(`expected ≥ 3 batches and 1, got ${split.numBatches} and ${whole.numBatches}`);
          same(`evaluate (loss ${loss})`, await split.evaluate(), await whole.evaluate());
          same('log10 ratios', await split.log10Ratios(), await whole.log10Ratios());
          same('reach', await split.reach(), await whole.reach());
          ctx.log(`evaluation, loss ${loss}: ${split.numBatches} batches, results identical to one batch`);
        } finally {
          split.dispose();
          whole.dispose();
        }
      }
    } finally {
      engine.dispose();
    }

    // grad: a mean over several batches, weighted by their trees, against the Float64 reference.
    const labels = trees.map(() => rng.uniformInt(0, CLASSES - 1));
    const batches = gradBatches(params, trees, small).length;
    if (batches < 3) throw new Error(`grad: expected ≥ 3 batches, got ${batches}`);
    const options = { limits: small, kernels: ctx.kernels };
    const got = await engineGrad(ctx.device, params, trees, undefined, labels, options);
    const one = await engineGrad(ctx.device, params, trees, undefined, labels, { kernels: ctx.kernels });
    const expected = referenceGrad(params, trees, labels);
    const failures: string[] = [];
    let worst = 0;
    const tensor = (name: string, a: ArrayLike<number>, e: ArrayLike<number>) => {
      const { c, failure } = tensorCheck(name, a, e, TENSOR_RTOL);
      if (failure) failures.push(failure);
      worst = Math.max(worst, c.normwise);
    };
    tensor('loss', [got.loss], [expected.loss]);
    for (const [name, e] of Object.entries(expected.paramGrads)) tensor(`d${name}`, got.paramGrads[name]!, e);
    if (failures.length > 0) throw new Error(failures.join('\n'));
    // Per-tree results are the tree's own: the same bits in any batch.
    same('per-node gradient norms', got.nodes, one.nodes);
    same('focal ratios', got.ratios, one.ratios);
    ctx.log(`grad: ${batches} batches, worst tensor normwise ${worst.toExponential(2)} vs the reference`);

    // A tree too big alone is refused by name, before the engine is built.
    const tight = smallLimits(trees, 0.5);
    const refused = await engineGrad(ctx.device, params, trees, undefined, labels, { limits: tight }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(refused instanceof LimitError) || !/^tree \d+ \(\d+ nodes\).*even alone/.test(refused.message))
      throw new Error(`a tree too big alone: expected a LimitError naming it, got ${String(refused)}`);
  },
};
