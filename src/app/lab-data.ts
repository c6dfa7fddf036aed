// What the lab trains on and how: the form's values checked into settings, and the dataset they
// name — a generated keyword-task dataset (the CLI's `--dataset I` with split sizes), or the
// user's own bracketed trees, split in file order.
import { type Cell, CELLS, isCell } from '../cells/index.ts';
import { type Dataset, example, keywordDataset } from '../train/dataset.ts';
import { TRAIN_DEFAULTS, type TrainConfig } from '../train/loop.ts';
import { parseTrees, TreeParseError } from '../trees/index.ts';
import { autoClasses, InputError, intField, MAX_DIM, treeVocab } from './inputs.ts';

/** The lab's data: a keyword-task dataset by number and sizes, or trees from a file or the box. */
export type DataChoice =
  | { kind: 'keyword'; dataset: number; train: number; dev: number; test: number }
  | { kind: 'own'; source: string; text: string };

/** Everything a lab run needs: the data, the cells side by side, and the training settings. */
export interface LabSettings {
  data: DataChoice;
  cells: Cell[];
  dim: number;
  lr: number;
  batch: number;
  epochs: number;
  seed: number;
}

/** The raw lab form (strings as typed). */
export interface LabForm {
  dataKind: string;
  dataset: string;
  train: string;
  dev: string;
  test: string;
  ownSource: string;
  ownText: string;
  cells: string[];
  dim: string;
  lr: string;
  batch: string;
  epochs: string;
  seed: string;
}

/** Most sentences per split the page generates (the paper's 10,000 train). */
export const MAX_SPLIT = 10_000;
/** Own trees: the share of the trees (in file order) kept for dev and for test each. */
export const OWN_HELD_OUT = 0.1;

/** A positive learning rate; InputError otherwise. */
function rate(raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 10)
    throw new InputError(`learning rate must be a number above 0 and at most 10 (got "${raw.trim()}")`);
  return value;
}

/** Checks the lab form; throws InputError naming the field. */
export function readLabForm(form: LabForm): LabSettings {
  const cells = CELLS.filter((c) => form.cells.includes(c));
  const unknown = form.cells.find((c) => !isCell(c));
  if (unknown !== undefined) throw new InputError(`unknown cell "${unknown}"`);
  if (cells.length === 0) throw new InputError('choose at least one cell to train');
  const data: DataChoice =
    form.dataKind === 'own'
      ? { kind: 'own', source: form.ownSource || 'trees', text: form.ownText }
      : {
          kind: 'keyword',
          dataset: intField('dataset', form.dataset, 1, 10),
          train: intField('train sentences', form.train, 1, MAX_SPLIT),
          dev: intField('dev sentences', form.dev, 1, MAX_SPLIT),
          test: intField('test sentences', form.test, 1, MAX_SPLIT),
        };
  return {
    data,
    cells,
    dim: intField('d', form.dim, 1, MAX_DIM),
    lr: rate(form.lr),
    batch: intField('batch', form.batch, 1, 1000),
    epochs: intField('epochs', form.epochs, 1, 1000),
    seed: intField('seed', form.seed, 0, 2 ** 31 - 1),
  };
}

/** The training configuration of one cell: model.md's defaults with the form's settings. */
export function labConfig(settings: LabSettings, cell: Cell): TrainConfig {
  const { dim, lr, batch, epochs, seed } = settings;
  return { ...TRAIN_DEFAULTS, cell, dim, lr, batch, epochs, seed };
}

/**
 * The dataset: generated exactly as `treegrad train --dataset I --seed S --train-size …` does, or
 * the user's trees (root label = class; the last 10 % for test, the 10 % before for dev, at
 * least one tree each). A malformed tree is an InputError at its line and column.
 */
export function labDataset(settings: LabSettings): Dataset {
  const { data } = settings;
  if (data.kind === 'keyword') {
    const { dataset, train, dev, test } = data;
    return keywordDataset({ dataset, seed: settings.seed, train, dev, test });
  }
  let trees: ReturnType<typeof parseTrees>;
  try {
    trees = parseTrees(data.text, { source: data.source });
  } catch (error) {
    if (error instanceof TreeParseError) throw new InputError(error.message, error.line, error.column);
    throw error;
  }
  if (trees.length < 3)
    throw new InputError(
      `${data.source}: ${trees.length} tree(s); training needs at least 3 (train, dev, test)`,
    );
  const examples = trees.map((t, i) => {
    try {
      return example(t, `${data.source}: tree ${i + 1}`);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
  });
  const held = Math.max(1, Math.round(trees.length * OWN_HELD_OUT));
  const trainEnd = trees.length - 2 * held;
  const labels = examples.map((e) => e.label);
  return {
    name: data.source,
    vocab: treeVocab(trees),
    classes: autoClasses(labels),
    train: examples.slice(0, trainEnd),
    dev: examples.slice(trainEnd, trainEnd + held),
    test: examples.slice(trainEnd + held),
  };
}
