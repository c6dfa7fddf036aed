// Node only: the experiment grid (dataset × cell × seed). Each point trains on its own generated
// data (or on a treebank given as files, dataset 0), writes DIR/results/<dataset>-<cell>-<seed>.json, and checkpoints every epoch to
// DIR/checkpoints/, so an interrupted experiment continues where it stopped when run again.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KEYWORD_DEFAULTS } from '../data/keyword.ts';
import { type Cell, CELLS } from '../cells/index.ts';
import type { ExperimentResult } from '../report/schema.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { type GridPoint, pointName } from './grid.ts';
import { type Dataset, keywordDataset, keywordIdentity } from './dataset.ts';
import { InputError, writeJsonAtomic } from './files.ts';
import {
  type LossMode,
  type TrainConfig,
  type TrainHooks,
  type TrainState,
  train,
  TRAIN_DEFAULTS,
} from './loop.ts';
import { MACHINE_KEYS, type RunSettings, runSettings, settingsDiff, trainConfig } from './settings.ts';

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
  /** Where the loss is (default root, the paper's setting). */
  loss?: LossMode;
  /** Keep E fixed (pretrained vectors). */
  freezeEmbeddings?: boolean;
  /**
   * A treebank read from files (`--train F --dev F --test F`): every point trains on it instead of
   * generated data, as dataset 0 of the grid.
   */
  treebank?: Dataset;
}

/** The grid's dataset number of a treebank given as files (keyword-task datasets are 1–10). */
export const TREEBANK_DATASET = 0;

/**
 * `quick`: small enough for a 2-core machine without a GPU in about ten minutes (`npm start`);
 * `paper`: datasets 1–10 at model.md's sizes and defaults.
 */
export const PRESETS: Record<'quick' | 'paper', ExperimentConfig> = {
  // Short sentences (dataset 2, 11–20 words) and long ones (dataset 5, 41–50): enough data and
  // steps that the RNN learns dataset 2 fully and escapes chance on dataset 5, as 10k sentences at
  // lr 0.01 and d = 50 do (the paper's setting); a higher learning rate and d = 32 buy the same
  // conclusions in about a third of the steps. About 2 minutes with --jobs 2 on a 2-core machine
  // without a GPU (lavapipe). The notes of docs/results/ compare it with paper-setting runs.
  quick: {
    datasets: [2, 5],
    cells: [...CELLS],
    seeds: [1],
    dim: 32,
    epochs: 6,
    trainSize: 4000,
    devSize: 500,
    testSize: 1000,
    lr: 0.05,
    batch: TRAIN_DEFAULTS.batch,
    l2: TRAIN_DEFAULTS.l2,
    patience: 0,
  },
  paper: {
    datasets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    cells: [...CELLS],
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

export { writeJsonAtomic };

/** A point of the grid. */
export type Point = GridPoint;
export { pointName };

/** The point's result file, checkpoint, lock and failure record. */
export function pointFiles(
  dir: string,
  p: Point,
): { result: string; checkpoint: string; lock: string; failed: string } {
  const name = pointName(p);
  return {
    result: join(dir, 'results', `${name}.json`),
    checkpoint: join(dir, 'checkpoints', `${name}.ckpt.json`),
    lock: join(dir, 'locks', `${name}.lock`),
    failed: join(dir, 'failed', `${name}.json`),
  };
}

/** The full settings of one point trained on `adapter`. */
export function pointSettings(e: ExperimentConfig, point: Point, adapter: string): RunSettings {
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
    ...(e.loss !== undefined ? { loss: e.loss } : {}),
    ...(e.freezeEmbeddings ? { freezeEmbeddings: true } : {}),
  };
  if (e.treebank?.identity) return runSettings(config, e.treebank.identity, adapter);
  const data = keywordIdentity({
    ...KEYWORD_DEFAULTS,
    dataset: point.dataset,
    seed: point.seed,
    train: e.trainSize,
    dev: e.devSize,
    test: e.testSize,
  });
  return runSettings(config, data, adapter);
}

/**
 * Trains one point (resuming from its checkpoint if there is one) and writes its result file. A
 * checkpoint written with other settings is refused, naming each differing setting.
 */
export async function runPoint(
  device: GPUDevice,
  dir: string,
  e: ExperimentConfig,
  point: Point,
  hooks: TrainHooks,
  adapter = 'unknown',
): Promise<PointResult> {
  const files = pointFiles(dir, point);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  mkdirSync(join(dir, 'results'), { recursive: true });
  const settings = pointSettings(e, point, adapter);
  const data =
    e.treebank ??
    keywordDataset({
      dataset: point.dataset,
      seed: point.seed,
      train: e.trainSize,
      dev: e.devSize,
      test: e.testSize,
    });
  const resume = existsSync(files.checkpoint) ? loadCheckpoint(files.checkpoint) : undefined;
  if (resume) {
    const diff = settingsDiff(resume.settings, settings, files.checkpoint, MACHINE_KEYS);
    if (diff.length > 0)
      throw new InputError(
        `${files.checkpoint} was written with other settings (${diff.join('; ')}): run with the same settings, or --fresh to start the point anew`,
      );
  }
  const config = trainConfig(settings);
  const t0 = performance.now();
  const onState = (state: TrainState) => saveCheckpoint(files.checkpoint, { settings, state });
  const out = await train(device, data, config, { ...hooks, onState }, resume?.state);
  const result: PointResult = {
    ...point,
    dim: e.dim,
    classes: data.classes,
    epochs: out.epochsRun,
    bestEpoch: out.bestEpoch,
    testAccuracy: out.testAccuracy,
    accuracyByDepth: out.accuracyByDepth,
    ...(out.testNodeAccuracy !== undefined ? { testNodeAccuracy: out.testNodeAccuracy } : {}),
    log10RatioByDepth: out.history.log10RatioByDepth,
    ...(out.history.reach ? { reach: out.history.reach } : {}),
    trainLoss: out.history.trainLoss,
    devAccuracy: out.history.devAccuracy,
    ...(out.history.devNodeAccuracy ? { devNodeAccuracy: out.history.devNodeAccuracy } : {}),
    trainSize: e.trainSize,
    devSize: e.devSize,
    testSize: e.testSize,
    seconds: (performance.now() - t0) / 1000,
    settings,
  };
  writeJsonAtomic(files.result, result);
  return result;
}
