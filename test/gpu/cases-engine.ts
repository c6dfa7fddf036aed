// Engine cases: both cells × three schedules × hidden sizes × tree shapes, every number checked
// against the Float64 reference (loss, every parameter gradient, every node's gh and gc).
import {
  TENSOR_TOLERANCE,
  checkNormwise,
  compare,
  describe as describeComparison,
} from '../../src/check/compare.ts';
import { TreeEngine } from '../../src/engine/engine.ts';
import { nodeGrads } from '../../src/engine/node-norms.ts';
import { initParams } from '../../src/params/params.ts';
import { CELLS, type Cell, REGISTRY } from '../../src/cells/index.ts';
import { SCHEDULES, type Schedule } from '../../src/plan/schedule.ts';
import { type GradResult, referenceGrad } from '../../src/reference/grad.ts';
import { Rng } from '../../src/rng/index.ts';
import { balancedTree, leftChain, randomTree, rightChain } from '../../src/trees/generate.ts';
import type { LossMode } from '../../src/engine/batch.ts';
import { leaf, node, type Tree } from '../../src/trees/tree.ts';
import { type GpuCase, type GpuTestContext, trackBuffers } from './harness.ts';

const VOCAB = Array.from({ length: 20 }, (_, i) => `w${i}`);
const CLASSES = 3;

function words(n: number, rng: Rng): string[] {
  return Array.from({ length: n }, () => VOCAB[rng.uniformInt(0, VOCAB.length - 1)]!);
}

/** The tree shapes of the table, each a function of a seeded generator. */
export const SHAPES: Record<string, (rng: Rng) => Tree[]> = {
  'single leaf': (rng) => [{ kind: 'leaf', word: words(1, rng)[0]! }],
  'two leaves': (rng) => [balancedTree(words(2, rng))],
  'chain 40': (rng) => [leftChain(words(41, rng))],
  'balanced depth 8': (rng) => [balancedTree(words(256, rng))],
  'chain 6': (rng) => [rightChain(words(7, rng))],
  'forest of 64': (rng) =>
    Array.from({ length: 64 }, () => randomTree(words(rng.uniformInt(1, 24), rng), rng)),
};

/** Tolerances: tensors norm-wise, per-node norms element-wise relative (see checkEngine). */
export const TENSOR_RTOL = TENSOR_TOLERANCE.rtol;
const TENSOR_RTOL_D1 = 1e-3;
const NORM_RTOL = 1e-4;
const NORM_RTOL_D1 = 1e-3;
const NORM_PARENT_ATOL = 1e-5;
const F32_MIN_NORMAL = 2 ** -126;

/**
 * A tensor against the reference, norm-wise: ‖a − e‖ ≤ rtol·‖e‖ + atol·√n (checkNormwise, atol
 * TENSOR_TOLERANCE's). Returns the comparison and, when it fails, the line that says so.
 */
export function tensorCheck(name: string, actual: ArrayLike<number>, exp: ArrayLike<number>, rtol: number) {
  const { comparison: c, failure } = checkNormwise(name, actual, exp, { ...TENSOR_TOLERANCE, rtol });
  return { c, failure };
}

/** Pre-order parent of each node from the depths (−1 for the root). */
function parentsFromDepths(depths: readonly number[]): number[] {
  const stack: number[] = [];
  return depths.map((d, i) => {
    stack.length = d;
    const parent = d === 0 ? -1 : stack[d - 1]!;
    stack[d] = i;
    return parent;
  });
}

interface Problem {
  seed: number;
  trees: Tree[];
  labels: number[];
  params: ReturnType<typeof initParams>;
  expected: GradResult;
}

const problems = new Map<string, Problem>();

/** The tree with a random class at about three nodes in four below the root (a treebank's phrases). */
function labelNodes(tree: Tree, rng: Rng, root = true): Tree {
  const label = root || rng.uniformInt(0, 3) > 0 ? rng.uniformInt(0, CLASSES - 1) : undefined;
  return tree.kind === 'leaf'
    ? leaf(tree.word, label)
    : node(labelNodes(tree.left, rng, false), labelNodes(tree.right, rng, false), label);
}

/**
 * The reference result of (cell, dim, shape, loss), computed once and shared by the three
 * schedules. With loss 'all' the trees carry labels at most nodes.
 */
function problem(cell: Cell, dim: number, shape: string, seed: number, loss: LossMode): Problem {
  const key = `${cell}/${dim}/${shape}/${loss}`;
  let p = problems.get(key);
  if (!p) {
    const rng = Rng.fromSeed(seed);
    const shaped = SHAPES[shape]!(rng);
    const trees = loss === 'all' ? shaped.map((t) => labelNodes(t, rng)) : shaped;
    const labels = trees.map(() => rng.uniformInt(0, CLASSES - 1));
    const params = initParams(cell, dim, VOCAB, CLASSES, seed);
    p = { seed, trees, labels, params, expected: referenceGrad(params, trees, labels, { loss }) };
    problems.clear(); // one problem at a time: cases of a problem run next to each other
    problems.set(key, p);
  }
  return p;
}

/** Throws unless every tensor, the loss and every node norm match the reference. */
async function checkEngine(
  ctx: GpuTestContext,
  cell: Cell,
  dim: number,
  shape: string,
  schedule: Schedule,
  maxPerDim?: number,
  loss: LossMode = 'root',
) {
  const p = problem(cell, dim, shape, ctx.seed, loss);
  const { trees, labels, params, expected } = p;
  const engine = await TreeEngine.create(
    ctx.device,
    { cell, dim, classes: CLASSES, vocab: VOCAB },
    { kernels: ctx.kernels, ...(maxPerDim ? { maxWorkgroupsPerDimension: maxPerDim } : {}) },
  );
  try {
    engine.setParams(params);
    const batch = engine.upload(trees, labels, { loss });
    const first = await engine.step(batch, { schedule });
    const grads = await engine.readGrads();
    const failures: string[] = [];
    // Tensors: norm-wise, ‖a − e‖ ≤ rtol·‖e‖ + atol·√n. At d = 1 every entry is a scalar sum over
    // the batch's nodes that can cancel, and no other entries average its rounding out.
    const tensorRtol = dim === 1 ? TENSOR_RTOL_D1 : TENSOR_RTOL;
    let worst = 0;
    const tensor = (name: string, actual: ArrayLike<number>, exp: ArrayLike<number>) => {
      const { c, failure } = tensorCheck(name, actual, exp, tensorRtol);
      if (failure) failures.push(failure);
      worst = Math.max(worst, c.normwise);
    };
    tensor('loss', [first.loss], [expected.loss]);
    for (const [name, exp] of Object.entries(expected.paramGrads)) tensor(`d${name}`, grads[name]!, exp);
    // Per-node norms, element-wise: |a − e| ≤ rtol·|e| + atol·e(parent) + 2⁻¹²⁶. Relative, so deep
    // and vanishing gradients are checked as closely as the root's; the parent term is float32's
    // rounding in the sum that forms a node's gradient from its parent's, which matters only where
    // that sum cancels — at d = 1, where a gradient is one sum of a few scalars, it does; 2⁻¹²⁶ is
    // float32's smallest normal number: gradients that vanish below it flush to zero on GPUs.
    const got = nodeGrads(batch.plan, first.norms!, engine.spec.hasC, VOCAB);
    const rtol = dim === 1 ? NORM_RTOL_D1 : NORM_RTOL;
    const nodes = (key: 'gh' | 'gc') => {
      let maxRel = 0;
      got.forEach((tree, t) => {
        const exp = expected.nodes[t]!;
        const parents = parentsFromDepths(exp.map((n) => n.depth));
        tree.forEach((n, i) => {
          const a = n[key] ?? 0;
          const e = exp[i]![key] ?? 0;
          const ep = parents[i]! < 0 ? 0 : (exp[parents[i]!]![key] ?? 0);
          const err = Math.abs(a - e);
          if (e !== 0) maxRel = Math.max(maxRel, err / Math.abs(e));
          if (!(err <= rtol * Math.abs(e) + NORM_PARENT_ATOL * Math.abs(ep) + F32_MIN_NORMAL)) {
            failures.push(
              `NOT OK ${key} of tree ${t} node ${i} (depth ${n.depth}): ${a} vs ${e} (parent ${ep})`,
            );
          }
        });
      });
      return maxRel;
    };
    const gh = nodes('gh');
    const gc = REGISTRY[cell].hasC ? nodes('gc') : undefined;
    // Bit-identical on a second run.
    const second = await engine.step(batch, { schedule });
    const grads2 = await engine.readGrads();
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(a).every((x, i) => Object.is(x, b[i]));
    if (!same(first.norms!, second.norms!) || !same(first.treeLoss, second.treeLoss))
      failures.push('a second run gave different losses or norms');
    if (!Object.keys(grads).every((k) => same(grads[k]!, grads2[k]!)))
      failures.push('a second run gave different gradients');
    ctx.log(
      (loss === 'all' ? `${batch.numTargets} labelled nodes; ` : '') +
        `worst tensor normwise ${worst.toExponential(2)}; gh max rel ${gh.toExponential(2)}` +
        (gc !== undefined ? `; gc max rel ${gc.toExponential(2)}` : '') +
        `; ${first.dispatches} dispatches, ${first.submits} submit`,
    );
    if (failures.length > 0)
      throw new Error(`${failures.join('\n')}\n(trees and parameters from seed ${p.seed})`);
  } finally {
    engine.dispose();
  }
}

/** The shapes of the main grid. */
const GRID_SHAPES = ['single leaf', 'two leaves', 'chain 40', 'balanced depth 8', 'forest of 64'];

/**
 * Cells × schedules × dims × shapes, then the edges: the largest hidden size (512), and every
 * dispatch folded into y and z as if the device allowed only 8 workgroups per dimension.
 */
export function engineCases(dims: readonly number[] = [1, 7, 32, 64, 128]): GpuCase[] {
  const cases: GpuCase[] = [];
  for (const cell of CELLS) {
    cases.push({
      name: `engine ${cell} d=512 chain 6 level`,
      run: (ctx) => checkEngine(ctx, cell, 512, 'chain 6', 'level'),
    });
    cases.push({
      name: `engine ${cell} d=32 forest of 64 level, ≤8 workgroups/dim`,
      run: (ctx) => checkEngine(ctx, cell, 32, 'forest of 64', 'level', 8),
    });
    // The small-D kernels (the RNN's quad kernels up to D = 16): every width they take, and folded.
    for (const dim of [11, 16]) {
      cases.push({
        name: `engine ${cell} d=${dim} forest of 64 level`,
        run: (ctx) => checkEngine(ctx, cell, dim, 'forest of 64', 'level'),
      });
    }
    cases.push({
      name: `engine ${cell} d=8 forest of 64 level, ≤8 workgroups/dim`,
      run: (ctx) => checkEngine(ctx, cell, 8, 'forest of 64', 'level', 8),
    });
    for (const dim of dims) {
      for (const shape of GRID_SHAPES) {
        for (const schedule of SCHEDULES) {
          cases.push({
            name: `engine ${cell} d=${dim} ${shape} ${schedule}`,
            run: (ctx) => checkEngine(ctx, cell, dim, shape, schedule),
          });
        }
      }
    }
  }
  return cases;
}

/**
 * The loss at every labelled node (the SST protocol): each cell, two hidden sizes, a leaf, a deep
 * chain and a forest on the level schedule, and the forest on the other two schedules.
 */
export function engineAllLossCases(): GpuCase[] {
  const cases: GpuCase[] = [];
  for (const cell of CELLS) {
    for (const dim of [7, 32]) {
      for (const shape of ['single leaf', 'chain 40', 'forest of 64']) {
        cases.push({
          name: `engine ${cell} d=${dim} ${shape} level, loss at every labelled node`,
          run: (ctx) => checkEngine(ctx, cell, dim, shape, 'level', undefined, 'all'),
        });
      }
    }
    for (const schedule of SCHEDULES.filter((s) => s !== 'level')) {
      cases.push({
        name: `engine ${cell} d=7 forest of 64 ${schedule}, loss at every labelled node`,
        run: (ctx) => checkEngine(ctx, cell, 7, 'forest of 64', schedule, undefined, 'all'),
      });
    }
  }
  return cases;
}

/** The engine frees every buffer it and its batches made, including those a growing pool replaced. */
export const engineDisposeCase: GpuCase = {
  name: 'engine dispose frees every buffer (pools grown by a bigger batch)',
  async run(ctx) {
    const tracked = trackBuffers(ctx.device);
    for (const cell of CELLS) {
      const engine = await TreeEngine.create(
        tracked.device,
        { cell, dim: 8, classes: CLASSES, vocab: VOCAB },
        { kernels: ctx.kernels },
      );
      engine.setParams(initParams(cell, 8, VOCAB, CLASSES, ctx.seed));
      const rng = Rng.fromSeed(ctx.seed);
      const small = engine.upload(SHAPES['two leaves']!(rng), [0]);
      await engine.step(small);
      const big = SHAPES['forest of 64']!(rng);
      const large = engine.upload(
        big,
        big.map(() => 1),
      );
      await engine.step(large);
      await engine.step(small, { schedule: 'node' });
      await engine.readGrads();
      engine.release(small);
      engine.dispose();
      const live = tracked.live();
      if (live.length > 0)
        throw new Error(`${cell}: ${live.length} buffers alive after dispose: ${live.join(', ')}`);
    }
  },
};

/** A batch reloaded with other minibatches (as training does) gives each one's reference numbers. */
export const engineReloadCase: GpuCase = {
  name: 'engine reload: one batch, minibatches of growing and shrinking size',
  async run(ctx) {
    for (const cell of CELLS) {
      const dim = 9;
      const engine = await TreeEngine.create(
        ctx.device,
        { cell, dim, classes: CLASSES, vocab: VOCAB },
        { kernels: ctx.kernels },
      );
      try {
        const params = initParams(cell, dim, VOCAB, CLASSES, ctx.seed);
        engine.setParams(params);
        const rng = Rng.fromSeed(ctx.seed + 1);
        let batch: ReturnType<TreeEngine['upload']> | undefined;
        for (const shape of ['two leaves', 'forest of 64', 'chain 40', 'forest of 64', 'single leaf']) {
          const trees = SHAPES[shape]!(rng);
          const labels = trees.map(() => rng.uniformInt(0, CLASSES - 1));
          batch = batch ? engine.reload(batch, trees, labels) : engine.upload(trees, labels);
          const step = await engine.step(batch);
          const expected = referenceGrad(params, trees, labels);
          const grads = await engine.readGrads();
          const loss = compare('loss', [step.loss], [expected.loss], { atol: 0, rtol: 1e-4 });
          if (!loss.ok)
            throw new Error(`${cell} ${shape}: ${describeComparison(loss, { atol: 0, rtol: 1e-4 })}`);
          for (const [name, exp] of Object.entries(expected.paramGrads)) {
            const { failure } = tensorCheck(`d${name}`, grads[name]!, exp, TENSOR_RTOL);
            if (failure) throw new Error(`${cell} ${shape}: ${failure}`);
          }
        }
      } finally {
        engine.dispose();
      }
    }
  },
};
