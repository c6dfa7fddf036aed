// Node only: the experiment grid (dataset × cell × seed). Each point trains on its own generated
// data, writes DIR/results/<dataset>-<cell>-<seed>.json, and checkpoints every epoch to
// DIR/checkpoints/, so an interrupted experiment continues where it stopped when run again.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cell } from '../params/shapes.ts';
import type { ExperimentResult } from '../report/schema.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { keywordDataset } from './dataset.ts';
import { type TrainConfig, type TrainHooks, train, TRAIN_DEFAULTS } from './loop.ts';

/** The grid and the training settings shared by its points. */
export interface ExperimentConfig {
  datasets: number[];
  cells: Cell[];
  seeds: number[];
  dim: number;
  epochs: number;
  trainSize: number;
  devSize: number;
  testSize: number;
  lr: number;
  batch: number;
  l2: number;
  patience: number;
}

/**
 * `quick`: small enough for a 2-core machine without a GPU in about ten minutes (`npm start`);
 * `paper`: datasets 1–10 at model.md's sizes and defaults.
 */
export const PRESETS: Record<'quick' | 'paper', ExperimentConfig> = {
  quick: {
    datasets: [1, 2],
    cells: ['rnn', 'rlstm'],
    seeds: [1],
    dim: 20,
    epochs: 8,
    trainSize: 2000,
    devSize: 200,
    testSize: 500,
    lr: TRAIN_DEFAULTS.lr,
    batch: TRAIN_DEFAULTS.batch,
    l2: TRAIN_DEFAULTS.l2,
    patience: 0,
  },
  paper: {
    datasets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    cells: ['rnn', 'rlstm'],
    seeds: [1, 2, 3],
    dim: 50,
    epochs: 10,
    trainSize: 10_000,
    devSize: 1_000,
    testSize: 1_000,
    lr: TRAIN_DEFAULTS.lr,
    batch: TRAIN_DEFAULTS.batch,
    l2: TRAIN_DEFAULTS.l2,
    patience: 0,
  },
};

/** One point's result file (docs/result.schema.json). */
export type PointResult = ExperimentResult;

/** Writes `value` as JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  renameSync(tmp, path);
}

/** Trains one point (resuming from its checkpoint if there is one) and writes its result file. */
export async function runPoint(
  device: GPUDevice,
  dir: string,
  e: ExperimentConfig,
  point: { dataset: number; cell: Cell; seed: number },
  hooks: TrainHooks,
): Promise<PointResult> {
  const name = `${point.dataset}-${point.cell}-${point.seed}`;
  const checkpoint = join(dir, 'checkpoints', `${name}.ckpt.json`);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  mkdirSync(join(dir, 'results'), { recursive: true });
  const data = keywordDataset({
    dataset: point.dataset,
    seed: point.seed,
    train: e.trainSize,
    dev: e.devSize,
    test: e.testSize,
  });
  const config: TrainConfig = {
    ...TRAIN_DEFAULTS,
    cell: point.cell,
    dim: e.dim,
    epochs: e.epochs,
    seed: point.seed,
    lr: e.lr,
    batch: e.batch,
    l2: e.l2,
    patience: e.patience,
    ratios: true,
  };
  const resume = existsSync(checkpoint) ? loadCheckpoint(checkpoint) : undefined;
  if (resume && JSON.stringify(resume.config) !== JSON.stringify(config)) {
    throw new Error(`${checkpoint} was written with other settings: remove it or run with the same settings`);
  }
  const t0 = performance.now();
  const onState = (state: Parameters<NonNullable<TrainHooks['onState']>>[0]) =>
    saveCheckpoint(checkpoint, { format: 'treegrad-checkpoint-1', data: data.name, config, state });
  const out = await train(device, data, config, { ...hooks, onState }, resume?.state);
  const result: PointResult = {
    ...point,
    dim: e.dim,
    classes: data.classes,
    epochs: out.epochsRun,
    bestEpoch: out.bestEpoch,
    testAccuracy: out.testAccuracy,
    accuracyByDepth: out.accuracyByDepth,
    log10RatioByDepth: out.history.log10RatioByDepth,
    trainLoss: out.history.trainLoss,
    devAccuracy: out.history.devAccuracy,
    trainSize: e.trainSize,
    devSize: e.devSize,
    testSize: e.testSize,
    seconds: (performance.now() - t0) / 1000,
  };
  writeJsonAtomic(join(dir, 'results', `${name}.json`), result);
  return result;
}
