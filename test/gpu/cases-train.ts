// Training cases for both runners: the AdaGrad kernel against a Float64 update, and a short run
// whose loss must fall (the same training loop in Node and in the page).
import { CELLS } from '../../src/cells/index.ts';
import { assertClose, describe } from '../../src/check/compare.ts';
import { TreeEngine } from '../../src/engine/engine.ts';
import { decodeStatus } from '../../src/engine/loss-log.ts';
import { describeIndex } from '../../src/engine/param-layout.ts';
import { readBuffer } from '../../src/gpu/buffers.ts';
import { referenceForward } from '../../src/reference/forward.ts';
import { Rng } from '../../src/rng/index.ts';
import { AdaGrad } from '../../src/train/adagrad.ts';
import { keywordDataset } from '../../src/train/dataset.ts';
import { initParams } from '../../src/params/params.ts';
import {
  NonFiniteError,
  TRAIN_DEFAULTS,
  type TrainOutcome,
  type TrainState,
  train,
} from '../../src/train/loop.ts';
import { leaf, node, type Tree } from '../../src/trees/tree.ts';
import type { Dataset } from '../../src/train/dataset.ts';
import type { GpuCase } from './harness.ts';

const adagradCase: GpuCase = {
  name: 'adagrad: three updates match a Float64 AdaGrad with L2, and the forward reads them',
  async run(ctx) {
    const vocab = ['a', 'b', 'c'];
    const engine = await TreeEngine.create(
      ctx.device,
      { cell: 'rlstm', dim: 5, classes: 3, vocab },
      { kernels: ctx.kernels },
    );
    const options = { lr: 0.05, l2: 0.01, eps: 1e-4 };
    const opt = await AdaGrad.create(engine, options, ctx.kernels);
    // One optimiser step on the gradient in dTheta, submitted on its own.
    const update = () => {
      const encoder = ctx.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(opt.update.kernel.pipeline);
      pass.setBindGroup(0, opt.update.group);
      pass.dispatchWorkgroups(opt.update.workgroups);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
    };
    try {
      // In the model's layout (d = 5); the engine's buffers hold it widened to d = 8.
      const n = engine.layout.size;
      const rng = Rng.fromSeed(ctx.seed);
      // Random values in every tensor; the padding between tensors (not part of the model) 0.
      const random = () =>
        engine.fromGpu(engine.toGpu(Float32Array.from({ length: n }, () => rng.uniform(-1, 1))));
      const theta = random();
      engine.setFlat(theta);
      // The forward reads the weights as they are now (its transposed copy follows theta, whoever
      // wrote it: here updates submitted outside any step): losses against a Float64 forward,
      // before the updates and after them.
      const trees = [
        node(leaf('a'), node(leaf('b'), leaf('c'))),
        node(node(leaf('c'), leaf('a')), leaf('b')),
      ];
      const batch = engine.upload(trees, [0, 2]);
      const checkForward = async (when: string) => {
        const forward = await engine.step(batch, { backward: false });
        const reference = referenceForward(await engine.getParams(), trees, [0, 2]);
        const lossTol = { atol: 1e-5, rtol: 1e-5 };
        const expectedLoss = Float64Array.from(reference, (r) => r.loss!);
        ctx.log(
          describe(assertClose(`forward losses ${when}`, forward.treeLoss, expectedLoss, lossTol), lossTol),
        );
      };
      await checkForward('before the updates');
      const expected = Float64Array.from(theta);
      const G = new Float64Array(n);
      for (let step = 0; step < 3; step++) {
        const grad = random();
        ctx.device.queue.writeBuffer(engine.buffers.dTheta, 0, engine.toGpu(grad));
        update();
        for (let i = 0; i < n; i++) {
          const g = grad[i]! + options.l2 * expected[i]!;
          G[i]! += g * g;
          expected[i]! -= (options.lr * g) / (Math.sqrt(G[i]!) + options.eps);
        }
      }
      const tol = { atol: 1e-6, rtol: 1e-5 };
      ctx.log(describe(assertClose('theta', await engine.getFlat(), expected, tol), tol));
      ctx.log(describe(assertClose('G', await opt.readState(), G, tol), tol));
      await checkForward('after the updates');
      // A step with +Inf in the third float of a quad and NaN further on: both status words name
      // the first (the kernel steps quads of parameters).
      const wide = engine.gpuLayout;
      const first = wide.offsets.Ui! + 6;
      const bad = new Float32Array(wide.size);
      bad[first] = Number.POSITIVE_INFINITY;
      bad[first + 5] = Number.NaN;
      ctx.device.queue.writeBuffer(engine.buffers.dTheta, 0, bad);
      update();
      const words = new Uint32Array(await readBuffer(ctx.device, opt.update.status!));
      const found = decodeStatus(words, wide.size);
      if (found?.theta !== first || found.state !== first)
        throw new Error(`status names ${JSON.stringify(found)}, expected θ and G at ${first}`);
      ctx.log(`non-finite θ and G reported at ${describeIndex(wide, first)}`);
    } finally {
      opt.destroy();
      engine.dispose();
    }
  },
};

const lossFallsCase: GpuCase = {
  name: 'train: the loss falls over a short run (every cell, d=8)',
  async run(ctx) {
    const data = keywordDataset({ dataset: 1, seed: 3, train: 150, dev: 30, test: 30 });
    for (const cell of CELLS) {
      const out = await train(
        ctx.device,
        data,
        { ...TRAIN_DEFAULTS, cell, dim: 8, epochs: 3, lr: 0.05, ratios: false },
        { kernels: ctx.kernels },
      );
      const [first, last] = [out.history.trainLoss[0]!, out.history.trainLoss.at(-1)!];
      ctx.log(
        `${cell}: train loss ${first.toFixed(4)} → ${last.toFixed(4)}, test accuracy ${out.testAccuracy}`,
      );
      if (!(last < first)) throw new Error(`${cell}: the training loss did not fall (${first} → ${last})`);
    }
  },
};

/** Two outcomes as bytes: parameters, history and accuracies must agree bit for bit. */
function sameBits(a: TrainOutcome, b: TrainOutcome): boolean {
  const bytes = (o: TrainOutcome) =>
    new Uint8Array(o.bestTheta.buffer, o.bestTheta.byteOffset, o.bestTheta.byteLength);
  const [x, y] = [bytes(a), bytes(b)];
  return (
    x.length === y.length &&
    x.every((v, i) => v === y[i]) &&
    JSON.stringify([a.history, a.accuracyByDepth, a.testAccuracy]) ===
      JSON.stringify([b.history, b.accuracyByDepth, b.testAccuracy])
  );
}

const queuedCase: GpuCase = {
  name: 'train: k steps per readback and two runs side by side give the bits of one step per readback',
  async run(ctx) {
    // 37 sentences in minibatches of 5: the last minibatch is smaller, and k = 3 and 4 leave a
    // partial log at the end of each epoch.
    const data = keywordDataset({ dataset: 2, seed: 4, train: 37, dev: 10, test: 10 });
    const config = { ...TRAIN_DEFAULTS, cell: 'rlstm' as const, dim: 6, epochs: 2, seed: 3, ratios: false };
    const other = { ...config, cell: 'rnn' as const, seed: 8 };
    const hooks = (k: number) => ({ kernels: ctx.kernels, stepsPerReadback: k });
    const one = await train(ctx.device, data, config, hooks(1));
    const otherAlone = await train(ctx.device, data, other, hooks(1));
    for (const k of [3, 100]) {
      const queued = await train(ctx.device, data, config, hooks(k));
      if (!sameBits(one, queued)) throw new Error(`${k} steps per readback changed the result`);
    }
    const [a, b] = await Promise.all([
      train(ctx.device, data, config, hooks(4)),
      train(ctx.device, data, other, hooks(2)),
    ]);
    if (!sameBits(one, a) || !sameBits(otherAlone, b))
      throw new Error('two runs side by side changed a result');
    ctx.log(`rlstm and rnn d=6, 2 epochs: identical at 1, 3, 100 steps per readback and side by side`);
  },
};

const divergeCase: GpuCase = {
  name: 'train: a diverging run stops at its step, naming it; non-finite parameters are refused',
  async run(ctx) {
    const data = keywordDataset({ dataset: 1, seed: 2, train: 40, dev: 10, test: 10 });
    const config = { ...TRAIN_DEFAULTS, cell: 'rnn' as const, dim: 4, epochs: 2, lr: 1e38, ratios: false };
    const states: TrainState[] = [];
    let error: unknown;
    try {
      await train(ctx.device, data, config, { kernels: ctx.kernels, onState: (s) => void states.push(s) });
    } catch (e) {
      error = e;
    }
    if (!(error instanceof NonFiniteError))
      throw new Error(`expected a NonFiniteError, got ${String(error)}`);
    if (error.epoch !== 1 || error.step > 3 || !/epoch 1, step \d/.test(error.message))
      throw new Error(`the error names the wrong place: ${error.message}`);
    if (states.length !== 0) throw new Error('a state was offered for a checkpoint after the divergence');
    ctx.log(error.message);
    // A finite run's state with one NaN planted in each array is refused on resume, by name.
    const good: TrainState[] = [];
    const ok = { ...config, lr: 0.01, epochs: 1 };
    await train(ctx.device, data, ok, { kernels: ctx.kernels, onState: (s) => void good.push(s) });
    for (const field of ['theta', 'accum'] as const) {
      const state = { ...good[0]!, [field]: good[0]![field].slice() };
      state[field][5] = Number.NaN;
      const refused = await train(
        ctx.device,
        data,
        { ...ok, epochs: 2 },
        { kernels: ctx.kernels },
        state,
      ).then(
        () => null,
        (e: Error) => e.message,
      );
      if (!refused?.includes('not finite')) throw new Error(`a NaN in ${field} was not refused: ${refused}`);
    }
    // Parameters beyond float32's range are refused when uploaded.
    const engine = await TreeEngine.create(
      ctx.device,
      { cell: 'rnn', dim: 4, classes: data.classes, vocab: data.vocab },
      { kernels: ctx.kernels },
    );
    try {
      const params = initParams('rnn', 4, data.vocab, data.classes, 1);
      params.tensors.W_R![3] = 1e308;
      let message = '';
      try {
        engine.setParams(params);
      } catch (e) {
        message = (e as Error).message;
      }
      if (!message.includes('W_R[0, 3]'))
        throw new Error(`1e308 in W_R was not refused by name: "${message}"`);
    } finally {
      engine.dispose();
    }
  },
};

/** The training cases of the GPU table. */
/**
 * A keyword dataset with a label at every node, as a sentiment treebank has them: a phrase holding
 * the keyword carries the sentence's class, any other phrase class 0.
 */
function labelledEverywhere(data: Dataset): Dataset {
  const relabel = (t: Tree, label: number): { tree: Tree; keyword: boolean } => {
    if (t.kind === 'leaf') {
      const keyword = /^k\d+$/.test(t.word);
      return { tree: leaf(t.word, keyword ? label : 0), keyword };
    }
    const [l, r] = [relabel(t.left, label), relabel(t.right, label)];
    const keyword = l.keyword || r.keyword;
    return { tree: node(l.tree, r.tree, keyword ? label : 0), keyword };
  };
  const split = (xs: Dataset['train']) => xs.map((e) => ({ ...e, tree: relabel(e.tree, e.label).tree }));
  return { ...data, train: split(data.train), dev: split(data.dev), test: split(data.test) };
}

const allNodesCase: GpuCase = {
  name: 'train: a loss at every labelled node learns the phrases; k steps per readback give the same bits',
  async run(ctx) {
    const data = labelledEverywhere(keywordDataset({ dataset: 1, seed: 5, train: 60, dev: 20, test: 20 }));
    const config = {
      ...TRAIN_DEFAULTS,
      cell: 'rlstm' as const,
      dim: 8,
      epochs: 3,
      lr: 0.05,
      loss: 'all' as const,
    };
    const one = await train(ctx.device, data, config, { kernels: ctx.kernels, stepsPerReadback: 1 });
    const queued = await train(ctx.device, data, config, { kernels: ctx.kernels, stepsPerReadback: 5 });
    if (!sameBits(one, queued))
      throw new Error('5 steps per readback changed a run with a loss at every node');
    const h = one.history;
    const [first, last] = [h.trainLoss[0]!, h.trainLoss.at(-1)!];
    const node = one.testNodeAccuracy;
    ctx.log(
      `rlstm d=8, 3 epochs: train loss ${first.toFixed(3)} → ${last.toFixed(3)}, dev node accuracy ` +
        `${h.devNodeAccuracy?.map((a) => a.toFixed(3)).join(', ')}, test ${one.testAccuracy} (roots), ${node} (nodes)`,
    );
    if (!(last < first)) throw new Error(`the training loss did not fall (${first} → ${last})`);
    if (h.devNodeAccuracy?.length !== 3)
      throw new Error('dev accuracy at every node was not recorded per epoch');
    // Most phrases are keyword-free (class 0): a model that learned anything beats 1 / 5 there.
    if (node === undefined || !(node > 0.5)) throw new Error(`test accuracy at every node ${node} ≤ 50 %`);
    if (h.reach?.length !== 4 || Object.keys(h.reach[0]!.nodes).length === 0)
      throw new Error('the gradient reach was not recorded at initialisation and after every epoch');
  },
};

export const trainCases: GpuCase[] = [adagradCase, lossFallsCase, queuedCase, divergeCase, allNodesCase];
