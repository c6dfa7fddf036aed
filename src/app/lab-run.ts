// One lab run: every chosen cell trained side by side on one device with the CLI's train() loop,
// each with its own engine. Pause, resume and stop act between steps; steps yield to the page
// so its main thread stays free. Every epoch's numbers land in a CellRun the figures read.
import type { Cell } from '../cells/index.ts';
import { nodeGrads } from '../engine/node-norms.ts';
import type { KernelCache } from '../gpu/kernel.ts';
import type { NodeGrad } from '../reference/grad.ts';
import type { Dataset, Example } from '../train/dataset.ts';
import { type ByDepth, byDepth, EvalSet } from '../train/evaluate.ts';
import { type History, type TrainConfig, type TrainOutcome, train } from '../train/loop.ts';
import { nextTask } from './gpu.ts';
import { type DepthPoint, depthProfile } from './stats.ts';

/** Dev trees whose per-node norms are read after every epoch (the inspector and gradient reach). */
export const TRACKED_TREES = 24;
/** The longest the page lets training hold its main thread between two yields (ms). */
export const YIELD_EVERY_MS = 12;

/** What one cell's run has measured so far. */
export interface CellRun {
  cell: Cell;
  config: TrainConfig;
  status: 'waiting' | 'running' | 'done' | 'stopped' | 'failed';
  error?: string;
  /** Epochs finished. */
  epoch: number;
  /** Steps of the current epoch read back, of `steps`. */
  step: number;
  steps: number;
  /** train()'s history: loss and dev accuracy per epoch, log10 r by depth on test from epoch 0. */
  history: History;
  /** Dev accuracy by keyword depth after each epoch. */
  devAccuracyByDepth: { epoch: number; byDepth: ByDepth }[];
  /** Mean log10 gh(n)/gh(root) by node depth over the tracked dev trees, from epoch 0. */
  gradientReach: { epoch: number; byDepth: DepthPoint[] }[];
  /** Per epoch (index = epoch), per tracked tree, per node in pre-order. */
  norms: NodeGrad[][][];
  /** Best-dev parameters so far (the engine's flat layout) and their epoch. */
  bestTheta?: Float32Array;
  bestEpoch: number;
  /** Set when the run finished: test accuracy (and by depth) with the best-dev parameters. */
  outcome?: Omit<TrainOutcome, 'bestTheta' | 'history'>;
}

/** Called whenever a run changes (a step read back, an epoch, the end). */
export type RunListener = (run: CellRun) => void;

/** The tracked dev examples: the first TRACKED_TREES of dev. */
export function trackedExamples(data: Dataset): Example[] {
  return data.dev.slice(0, TRACKED_TREES);
}

/** Steps per epoch of `config` on `data`. */
export function stepsPerEpoch(data: Dataset, config: TrainConfig): number {
  return Math.ceil(data.train.length / config.batch);
}

/** A lab run of several cells on one device; `done` settles when every cell has ended. */
export class LabRun {
  readonly runs: CellRun[];
  readonly done: Promise<void>;
  private paused = false;
  private resumeGate: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private lastYield = performance.now();
  /** Cells waiting at the pause gate. */
  private held = 0;
  private pausedMs = 0;
  private pausedAt = 0;
  readonly startedAt = performance.now();

  constructor(
    device: GPUDevice,
    readonly data: Dataset,
    configs: readonly TrainConfig[],
    kernels: KernelCache,
    private readonly listener: RunListener,
  ) {
    this.runs = configs.map((config) => ({
      cell: config.cell,
      config,
      status: 'waiting',
      epoch: 0,
      step: 0,
      steps: stepsPerEpoch(data, config),
      history: { trainLoss: [], devAccuracy: [], log10RatioByDepth: [] },
      devAccuracyByDepth: [],
      gradientReach: [],
      norms: [],
      bestEpoch: 0,
    }));
    // One cell after another starts (each start plans batches and builds pipelines on this thread).
    this.done = Promise.all(
      this.runs.map(async (run, i) => {
        for (let k = 0; k <= i; k++) await nextTask();
        await this.trainOne(device, run, kernels);
      }),
    ).then(() => {});
  }

  /** Whether the run is paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Whether every cell still training waits at the pause gate (its queued steps are read after the resume). */
  allHeld(): boolean {
    return this.paused && this.held >= this.runs.filter((r) => r.status === 'running').length;
  }

  /** Seconds spent training (not paused) since the start. */
  activeSeconds(): number {
    const pausedNow = this.paused ? performance.now() - this.pausedAt : 0;
    return (performance.now() - this.startedAt - this.pausedMs - pausedNow) / 1000;
  }

  /** Holds every cell before its next step. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAt = performance.now();
    this.gate = new Promise((resolve) => {
      this.resumeGate = resolve;
    });
  }

  /** Lets the cells go on from where they were held. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedMs += performance.now() - this.pausedAt;
    this.resumeGate?.();
  }

  /** Ends every cell before its next step (a paused run too). */
  stop(): void {
    this.abort.abort(new DOMException('stopped', 'AbortError'));
    this.resume();
  }

  /** Between two steps: yield to the page now and then, and wait while paused. */
  private async between(run: CellRun): Promise<void> {
    if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
      await nextTask();
      this.lastYield = performance.now();
    }
    while (this.paused) {
      this.held++;
      this.listener(run);
      await this.gate;
      this.held--;
    }
    this.abort.signal.throwIfAborted();
  }

  private async trainOne(device: GPUDevice, run: CellRun, kernels: KernelCache): Promise<void> {
    const { data } = this;
    const tracked = trackedExamples(data);
    run.status = 'running';
    this.listener(run);
    try {
      const outcome = await train(device, data, run.config, {
        kernels,
        signal: this.abort.signal,
        pause: () => this.between(run),
        settle: nextTask,
        onStep: ({ epoch, step, steps }) => {
          run.step = step;
          run.steps = steps;
          run.epoch = epoch - 1;
          this.listener(run);
        },
        onEpoch: ({ epoch, devCorrect }) => {
          run.devAccuracyByDepth.push({
            epoch,
            byDepth: byDepth(
              data.dev,
              devCorrect.map((c) => (c ? 1 : 0)),
            ),
          });
        },
        onEpochEnd: async ({ epoch, engine }) => {
          if (tracked.length > 0) {
            const batch = engine.upload(
              tracked.map((e) => e.tree),
              tracked.map((e) => e.label),
            );
            try {
              const r = await engine.step(batch, { norms: true });
              const nodes = nodeGrads(batch.plan, r.norms!, engine.spec.hasC, engine.shape.vocab);
              run.norms[epoch] = nodes;
              run.gradientReach.push({ epoch, byDepth: depthProfile(nodes) });
            } finally {
              engine.release(batch);
            }
          }
          if (epoch === 0 && run.config.ratios) {
            // train() measures this too; it shows in the history only after epoch 1.
            const test = new EvalSet(engine, data.test);
            try {
              run.history.log10RatioByDepth = [
                { epoch: 0, byDepth: byDepth(data.test, await test.log10Ratios()) },
              ];
            } finally {
              test.dispose();
            }
          }
          this.listener(run);
          await nextTask();
        },
        onState: (state) => {
          run.epoch = state.epoch;
          run.step = 0;
          run.history = state.history;
          run.bestTheta = state.best.theta;
          run.bestEpoch = state.best.epoch;
          this.listener(run);
        },
      });
      const { bestTheta, history, ...rest } = outcome;
      run.history = history;
      run.bestTheta = bestTheta;
      run.bestEpoch = outcome.bestEpoch;
      run.outcome = rest;
      run.status = 'done';
    } catch (error) {
      if (this.abort.signal.aborted) run.status = 'stopped';
      else {
        run.status = 'failed';
        run.error = error instanceof Error ? error.message : String(error);
      }
    }
    this.listener(run);
  }
}
