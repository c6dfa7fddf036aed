// The training loop: seeded shuffles, minibatch steps with AdaGrad on the GPU, evaluation on dev
// (and the gradient ratio on test) after every epoch, best-dev model selection, optional early
// stop, and a state that a checkpoint can hold to resume bit-identically. No Node APIs: the same
// loop runs in a page.
import type { LossMode } from '../engine/batch.ts';
import { TreeEngine } from '../engine/engine.ts';
import type { KernelCache } from '../gpu/kernel.ts';
import { describeIndex, firstNonFinite } from '../engine/param-layout.ts';
import { type LoggedStep, LossLog } from '../engine/loss-log.ts';
import { copyPretrainedRows } from '../data/embeddings.ts';
import { initParams } from '../params/params.ts';
import type { Cell } from '../params/shapes.ts';
import { Rng } from '../rng/index.ts';
import { AdaGrad, type AdaGradOptions } from './adagrad.ts';
import { preorder } from '../trees/shape.ts';
import type { Dataset } from './dataset.ts';
import { type ByDepth, byDepth, EvalSet, type Reach } from './evaluate.ts';

/** What to train. */
export interface TrainConfig extends AdaGradOptions {
  cell: Cell;
  dim: number;
  /** Trees per minibatch. */
  batch: number;
  epochs: number;
  seed: number;
  /** Stop when dev accuracy has not improved for this many epochs (0: never). */
  patience: number;
  /**
   * Measure log10 gh(keyword)/gh(root), and the gradient reach by depth, on the test set at
   * initialisation and after every epoch.
   */
  ratios: boolean;
  /**
   * Where the loss is: at the root only (the paper's setting), or at every labelled node (the
   * SST protocol of Tai et al.; each tree's loss is the sum over its labelled nodes).
   */
  loss: LossMode;
}

export type { LossMode } from '../engine/batch.ts';

/** model.md's defaults (d = 50, AdaGrad lr 0.01, λ 1e-3, minibatch 5). */
export const TRAIN_DEFAULTS: Omit<TrainConfig, 'cell'> = {
  dim: 50,
  lr: 0.01,
  l2: 1e-3,
  eps: 1e-4,
  batch: 5,
  epochs: 10,
  seed: 1,
  patience: 0,
  ratios: true,
  loss: 'root',
};

/** Per-epoch history. */
export interface History {
  trainLoss: number[];
  /** Dev accuracy at the roots. */
  devAccuracy: number[];
  /** Dev accuracy at every labelled node (with a loss at every labelled node). */
  devNodeAccuracy?: number[];
  /** Entry 0 is at initialisation, then one per epoch. */
  log10RatioByDepth: { epoch: number; byDepth: ByDepth }[];
  /**
   * Mean log10 gh(n)/gh(root) by node depth and by leaf depth on the test set (the roots' loss):
   * entry 0 at initialisation, then one per epoch. Absent in records of older versions.
   */
  reach?: ({ epoch: number } & Reach)[];
}

/** Everything needed to continue a run exactly where it stopped (after `epoch` epochs). */
export interface TrainState {
  epoch: number;
  rngState: number[];
  theta: Float32Array;
  accum: Float32Array;
  best: { epoch: number; devAccuracy: number; theta: Float32Array };
  history: History;
}

/** Progress as training goes. */
export interface TrainHooks {
  onStep?(info: { epoch: number; step: number; steps: number; loss: number }): void;
  onEpoch?(info: {
    epoch: number;
    trainLoss: number;
    devAccuracy: number;
    best: boolean;
    seconds: number;
    /** Whether each dev example was predicted right (in data.dev's order). */
    devCorrect: boolean[];
  }): void;
  /** Called after every epoch with the state to checkpoint (may be async: awaited). */
  onState?(state: TrainState): void | Promise<void>;
  kernels?: KernelCache;
  /** Stops the run between two steps: train() then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Awaited between steps (a page yields to its UI here, or waits while paused). */
  pause?(): void | Promise<void>;
  /**
   * Awaited between the phases of setting a run up (optimiser, dev set, test set, initial
   * parameters): a page yields to its UI here. Must not throw.
   */
  settle?(): Promise<void>;
  /**
   * Awaited at initialisation (epoch 0) and after every epoch, with the engine holding the
   * current parameters: read per-node norms of chosen trees here (steps without an update).
   */
  onEpochEnd?(info: { epoch: number; engine: TreeEngine }): void | Promise<void>;
  /**
   * Training steps queued on the GPU per readback of their losses (default 16): the GPU works
   * while JavaScript plans the next minibatches. Any value gives the same bits.
   */
  stepsPerReadback?: number;
}

/** What a finished run measured with the best-dev parameters. */
export interface TrainOutcome {
  bestEpoch: number;
  epochsRun: number;
  /** Test accuracy at the roots. */
  testAccuracy: number;
  /** Test accuracy at every labelled node, roots included (with a loss at every labelled node). */
  testNodeAccuracy?: number;
  accuracyByDepth: Record<string, { n: number; accuracy: number }>;
  history: History;
  /** Parameters of the best-dev epoch, flat (the engine's layout). */
  bestTheta: Float32Array;
}

/** Trains `config.cell` on `data` from scratch, or from `resume`. */
export async function train(
  device: GPUDevice,
  data: Dataset,
  config: TrainConfig,
  hooks: TrainHooks = {},
  resume?: TrainState,
): Promise<TrainOutcome> {
  const shape = { cell: config.cell, dim: config.dim, classes: data.classes, vocab: data.vocab };
  const engine = await TreeEngine.create(device, shape, hooks.kernels ? { kernels: hooks.kernels } : {});
  const { lr, l2, eps, freezeEmbeddings } = config;
  await hooks.settle?.();
  const opt = await AdaGrad.create(engine, { lr, l2, eps, freezeEmbeddings }, hooks.kernels);
  const loss = config.loss ?? 'root';
  await hooks.settle?.();
  const dev = new EvalSet(engine, data.dev, undefined, loss);
  await hooks.settle?.();
  const test = new EvalSet(engine, data.test, undefined, loss);
  await hooks.settle?.();
  let log: LossLog | undefined;
  let lost: GPUDeviceLostInfo | undefined;
  void device.lost.then((info) => {
    lost = info;
  });
  const where = { epoch: resume?.epoch ?? 0, step: 0, saved: resume?.epoch ?? 0 };
  try {
    const setTheta = (flat: Float32Array) => engine.setFlat(flat);
    let rng: Rng;
    let history: History;
    let best: TrainState['best'];
    let start: number;
    // The keyword ratios and the reach, from one backward pass over the test set.
    const measure = async (epoch: number) => {
      const { log10Ratios, reach } = await test.gradientStats();
      history.log10RatioByDepth.push({ epoch, byDepth: byDepth(data.test, log10Ratios) });
      history.reach ??= [];
      history.reach.push({ epoch, ...reach });
    };
    if (resume) {
      for (const [what, values] of [
        ['parameters', resume.theta],
        ['optimiser state', resume.accum],
        ['best parameters', resume.best.theta],
      ] as const) {
        if (values.length !== engine.layout.size) {
          throw new RangeError(
            `the checkpoint's ${what} hold ${values.length} values, the model has ${engine.layout.size}`,
          );
        }
        const bad = firstNonFinite(values);
        if (bad >= 0) {
          throw new RangeError(
            `the checkpoint's ${what} are not finite at ${describeIndex(engine.layout, bad)} (${values[bad]}): refusing to resume`,
          );
        }
      }
      setTheta(resume.best.theta);
      engine.snapshot('best', 'save');
      setTheta(resume.theta);
      opt.writeState(resume.accum);
      rng = Rng.fromState(resume.rngState);
      history = structuredClone(resume.history);
      best = { ...resume.best };
      start = resume.epoch;
    } else {
      const init = initParams(config.cell, config.dim, data.vocab, data.classes, config.seed);
      // Pretrained word vectors replace their rows of E after initialisation (the draws stay the same).
      engine.setParams(data.pretrained ? copyPretrainedRows(init, data.pretrained) : init);
      await hooks.settle?.();
      rng = Rng.fromSeed(config.seed, 1);
      history = {
        trainLoss: [],
        devAccuracy: [],
        ...(loss === 'all' ? { devNodeAccuracy: [] } : {}),
        log10RatioByDepth: [],
      };
      if (config.ratios) await measure(0);
      engine.snapshot('best', 'save');
      best = { epoch: 0, devAccuracy: -1, theta: new Float32Array(0) };
      start = 0;
      await hooks.onEpochEnd?.({ epoch: 0, engine });
    }
    const identity = data.train.map((_, i) => i);
    const steps = Math.ceil(identity.length / config.batch);
    let minibatch: ReturnType<TreeEngine['upload']> | undefined;
    const perRead = hooks.stepsPerReadback ?? 16;
    if (!Number.isInteger(perRead) || perRead < 1) {
      throw new RangeError(`steps per readback must be a positive whole number, got ${perRead}`);
    }
    // One loss per tree, or with a loss at every labelled node one per labelled node.
    const perTree =
      loss === 'all'
        ? 1 +
          data.train.reduce(
            (m, e) => Math.max(m, preorder(e.tree).filter((t) => t.label !== undefined).length),
            0,
          )
        : 1;
    log = new LossLog(device, perRead * config.batch * perTree, engine.gpuLayout.size);
    let epoch = start;
    while (
      epoch < config.epochs &&
      !(config.patience > 0 && best.epoch > 0 && epoch - best.epoch >= config.patience)
    ) {
      epoch++;
      where.epoch = epoch;
      where.step = 0;
      const t0 = performance.now();
      // A fresh permutation of the identity each epoch: it depends on the RNG state alone, so a
      // resumed run draws the same order as an uninterrupted one.
      const order = rng.shuffle(identity.slice());
      let lossSum = 0;
      let stepsRead = 0;
      const drain = async (stepLog: LossLog) => {
        for (const r of await stepLog.read()) {
          stepsRead++;
          if (!Number.isFinite(r.loss) || r.nonFinite) throw nonFiniteError(engine, epoch, stepsRead, r);
          lossSum += r.loss * r.treeLoss.length;
          hooks.onStep?.({ epoch, step: stepsRead, steps, loss: r.loss });
        }
      };
      for (let s = 0; s < steps; s++) {
        const part = order.slice(s * config.batch, (s + 1) * config.batch).map((i) => data.train[i]!);
        const trees = part.map((e) => e.tree);
        const labels = part.map((e) => e.label);
        minibatch = minibatch
          ? engine.reload(minibatch, trees, labels, { loss })
          : engine.upload(trees, labels, { loss });
        if (!log.fits(minibatch.numTargets)) await drain(log);
        engine.enqueue(minibatch, log, { update: opt.update });
        where.step = s + 1;
        hooks.signal?.throwIfAborted();
        await hooks.pause?.();
      }
      await drain(log);
      const trainLoss = lossSum / Math.max(1, identity.length);
      const devEval = await dev.evaluate();
      const devAccuracy = devEval.accuracy;
      const improved = devAccuracy > best.devAccuracy;
      if (improved) {
        engine.snapshot('best', 'save');
        best = { epoch, devAccuracy, theta: new Float32Array(0) };
      }
      history.trainLoss.push(trainLoss);
      history.devAccuracy.push(devAccuracy);
      if (devEval.nodeAccuracy !== undefined) {
        history.devNodeAccuracy ??= [];
        history.devNodeAccuracy.push(devEval.nodeAccuracy);
      }
      if (config.ratios) await measure(epoch);
      hooks.onEpoch?.({
        epoch,
        trainLoss,
        devAccuracy,
        best: improved,
        seconds: (performance.now() - t0) / 1000,
        devCorrect: devEval.correct,
      });
      await hooks.onEpochEnd?.({ epoch, engine });
      if (hooks.onState) {
        await hooks.onState(await captureState(engine, opt, rng, epoch, best, history));
        where.saved = epoch;
      }
    }
    engine.snapshot('best', 'load');
    const final = await test.evaluate();
    const accuracyByDepth: TrainOutcome['accuracyByDepth'] = {};
    for (const [depth, v] of Object.entries(
      byDepth(
        data.test,
        final.correct.map((c) => (c ? 1 : 0)),
      ),
    )) {
      accuracyByDepth[depth] = { n: v.n, accuracy: v.mean };
    }
    const bestTheta = (await engine.getFlat()).slice();
    return {
      bestEpoch: best.epoch,
      epochsRun: epoch,
      testAccuracy: final.accuracy,
      ...(final.nodeAccuracy !== undefined ? { testNodeAccuracy: final.nodeAccuracy } : {}),
      accuracyByDepth,
      history,
      bestTheta,
    };
  } catch (error) {
    // A lost device rejects whatever was waiting on it with a bare AbortError: say what happened.
    if (!lost) await Promise.race([device.lost, new Promise((r) => setTimeout(r, 200))]);
    if (lost) {
      throw new DeviceLostError(
        `the GPU device was lost at epoch ${where.epoch}, step ${where.step} (${lost.reason}${
          lost.message ? `: ${lost.message}` : ''
        }). ` +
          (hooks.onState
            ? `The last checkpoint holds epoch ${where.saved}: resume from it.`
            : 'Nothing was checkpointed: run again (with a checkpoint to be able to resume).'),
      );
    }
    throw error;
  } finally {
    log?.destroy();
    dev.dispose();
    test.dispose();
    opt.destroy();
    engine.dispose();
  }
}

/** Raised when the GPU device is lost during training (driver reset, device.destroy(), …). */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** Raised when a training step makes the loss, a parameter or the optimiser state NaN or ±Inf. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(
    message: string,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(message);
  }
}

function nonFiniteError(engine: TreeEngine, epoch: number, step: number, r: LoggedStep): NonFiniteError {
  const what: string[] = [];
  if (!Number.isFinite(r.loss)) {
    const tree = Array.from(r.treeLoss).findIndex((v) => !Number.isFinite(v));
    what.push(`the loss is ${r.loss} (tree ${tree + 1} of the minibatch)`);
  }
  if (r.nonFinite?.theta !== undefined)
    what.push(
      `first non-finite parameter after the update: ${describeIndex(engine.gpuLayout, r.nonFinite.theta)}`,
    );
  if (r.nonFinite?.state !== undefined)
    what.push(`first non-finite optimiser state: ${describeIndex(engine.gpuLayout, r.nonFinite.state)}`);
  return new NonFiniteError(
    `training diverged at epoch ${epoch}, step ${step}: ${what.join('; ')}. ` +
      `Nothing from epoch ${epoch} was kept (a checkpoint holds epoch ${epoch - 1} at most); ` +
      'try a smaller learning rate',
    epoch,
    step,
  );
}

async function captureState(
  engine: TreeEngine,
  opt: AdaGrad,
  rng: Rng,
  epoch: number,
  best: TrainState['best'],
  history: History,
): Promise<TrainState> {
  const theta = await engine.getFlat();
  engine.snapshot('current', 'save');
  engine.snapshot('best', 'load');
  const bestTheta = await engine.getFlat();
  engine.snapshot('current', 'load');
  return {
    epoch,
    rngState: rng.getState(),
    theta,
    accum: await opt.readState(),
    best: { epoch: best.epoch, devAccuracy: best.devAccuracy, theta: bestTheta },
    history: structuredClone(history),
  };
}
