// What the lab trains on and how: the form's values checked into settings, and the dataset they
// name — a generated keyword-task dataset (the CLI's `--dataset I` with split sizes), or the
// user's own treebank in the CLI's format (`treegrad train --train F --dev F --test F`): three
// files, or one split in file order. Pure: lab-data-worker.ts runs it off the page's main thread.
import { type Cell, CELLS, isCell } from '../cells/index.ts';
import {
  collectLabels,
  type LabelList,
  LabelListError,
  parseLabelList,
  parseTreebank,
  type TreebankTree,
} from '../data/treebank.ts';
import { buildVocabulary, type UnknownCount } from '../data/vocab.ts';
import { CAPS } from '../engine/limits.ts';
import { type Dataset, keywordDataset, treebankExamples } from '../train/dataset.ts';
import { TRAIN_DEFAULTS, type TrainConfig } from '../train/loop.ts';
import { TreeParseError } from '../trees/index.ts';
import { InputError, intField, MAX_DIM } from './inputs.ts';

/** A text of trees and its name in messages (the file's name, or the box it was pasted into). */
export interface OwnText {
  source: string;
  text: string;
}

/** The three splits of a treebank. */
export const ROLES = ['train', 'dev', 'test'] as const;
export type Role = (typeof ROLES)[number];

/** Own trees: three files (train, dev, test), or one split in file order. */
export type OwnTexts = Record<Role, OwnText> | { all: OwnText };

/** The lab's data: a keyword-task dataset by number and sizes, or the user's treebank. */
export type DataChoice =
  | { kind: 'keyword'; dataset: number; train: number; dev: number; test: number }
  | { kind: 'own'; texts: OwnTexts; labels?: string[]; minCount: number };

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
  /** Own trees: 'order' (one text, split in file order) or 'files' (three texts). */
  ownSplit: string;
  own: OwnText;
  ownTrain: OwnText;
  ownDev: OwnText;
  ownTest: OwnText;
  /** Blank (collected from the training trees), or labels separated by commas. */
  labels: string;
  minCount: string;
  cells: string[];
  dim: string;
  lr: string;
  batch: string;
  epochs: string;
  seed: string;
}

/** What reading own trees found: labels, vocabulary, and per split the words that became `<unk>`. */
export interface OwnSummary {
  labels: LabelList;
  vocab: number;
  minCount: number;
  sizes: Record<Role, number>;
  unknown: Record<Role, UnknownCount>;
}

/** Most sentences per split the page generates (the paper's 10,000 train). */
export const MAX_SPLIT = 10_000;
/** Own trees in one text: the share of the trees (in file order) kept for dev and for test each. */
export const OWN_HELD_OUT = 0.1;

/** A positive learning rate; InputError otherwise. */
function rate(raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 10)
    throw new InputError(`learning rate must be a number above 0 and at most 10 (got "${raw.trim()}")`);
  return value;
}

/** The label field: blank (collected), or a list as `--labels a,b,c` takes it. */
function labelField(raw: string): string[] | undefined {
  if (raw.trim() === '') return undefined;
  try {
    return parseLabelList(raw.trim());
  } catch (error) {
    if (error instanceof LabelListError) throw new InputError(`labels: ${error.message}`);
    throw error;
  }
}

/** Own trees from the form: every text given must have trees. */
function ownChoice(form: LabForm): DataChoice {
  const texts: OwnTexts =
    form.ownSplit === 'files'
      ? { train: form.ownTrain, dev: form.ownDev, test: form.ownTest }
      : { all: form.own };
  for (const t of Object.values(texts) as OwnText[])
    if (t.text.trim() === '') throw new InputError(`${t.source}: no trees (open a file or paste trees)`);
  const labels = labelField(form.labels);
  return {
    kind: 'own',
    texts,
    ...(labels ? { labels } : {}),
    minCount: intField('min count', form.minCount, 1, 1_000_000),
  };
}

/** Checks the lab form; throws InputError naming the field. */
export function readLabForm(form: LabForm): LabSettings {
  const cells = CELLS.filter((c) => form.cells.includes(c));
  const unknown = form.cells.find((c) => !isCell(c));
  if (unknown !== undefined) throw new InputError(`unknown cell "${unknown}"`);
  if (cells.length === 0) throw new InputError('choose at least one cell to train');
  const data: DataChoice =
    form.dataKind === 'own'
      ? ownChoice(form)
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

/** A located error of own trees: InputError at file:line:column, with the file's name. */
export class OwnTreesError extends InputError {
  override name = 'OwnTreesError';
  constructor(
    message: string,
    readonly source: string,
    line: number,
    column: number,
  ) {
    super(message, line, column);
  }
}

/** Runs `f`, turning a TreeParseError into an OwnTreesError. */
function located<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof TreeParseError)
      throw new OwnTreesError(error.message, error.source, error.line, error.column);
    throw error;
  }
}

/** The trees of each split: parsed from three texts, or from one and split in file order. */
function ownSplits(texts: OwnTexts, labels: LabelList): Record<Role, TreebankTree[]> {
  if (!('all' in texts))
    return Object.fromEntries(
      ROLES.map((role) => [role, located(() => parseTreebank(texts[role].text, texts[role].source, labels))]),
    ) as Record<Role, TreebankTree[]>;
  const { source, text } = texts.all;
  const trees = located(() => parseTreebank(text, source, labels));
  if (trees.length < 3)
    throw new InputError(`${source}: ${trees.length} tree(s); training needs at least 3 (train, dev, test)`);
  const held = Math.max(1, Math.round(trees.length * OWN_HELD_OUT));
  const trainEnd = trees.length - 2 * held;
  return {
    train: trees.slice(0, trainEnd),
    dev: trees.slice(trainEnd, trainEnd + held),
    test: trees.slice(trainEnd + held),
  };
}

/**
 * Own trees as `treegrad train --train F --dev F --test F` reads them (docs/data.md): labels given
 * or collected from the training trees, the vocabulary built from the training trees with `<unk>`
 * (words seen fewer than minCount times), dev and test mapped onto it. Errors name file:line:column.
 */
export function ownDataset(choice: Extract<DataChoice, { kind: 'own' }>): {
  data: Dataset;
  summary: OwnSummary;
} {
  const { texts, minCount } = choice;
  const first = 'all' in texts ? texts.all : texts.train;
  const labels: LabelList = choice.labels
    ? { labels: choice.labels, origin: 'given' }
    : located(() => collectLabels(first.text, first.source));
  const parsed = ownSplits(texts, labels);
  const vocab = buildVocabulary(
    parsed.train.map((t) => t.tree),
    { minCount },
  );
  if (vocab.words.length > CAPS.vocab)
    throw new InputError(
      `${first.source}: ${vocab.words.length} words, over the vocabulary cap (${CAPS.vocab}): raise the min count`,
    );
  const { splits, unknown } = treebankExamples(
    parsed,
    vocab,
    (role, line) => `${'all' in texts ? texts.all.source : texts[role].source}:${line}`,
  );
  const sizes = { train: splits.train.length, dev: splits.dev.length, test: splits.test.length };
  return {
    data: { name: first.source, vocab: vocab.words, classes: labels.labels.length, ...splits },
    summary: { labels, vocab: vocab.words.length, minCount, sizes, unknown },
  };
}

/**
 * The dataset: generated exactly as `treegrad train --dataset I --seed S --train-size …` does, or
 * the user's trees (ownDataset; one text splits in file order: the last 10 % for test, the 10 %
 * before for dev, at least one tree each).
 */
export function labDataset(settings: LabSettings): { data: Dataset; summary?: OwnSummary } {
  const { data } = settings;
  if (data.kind === 'own') return ownDataset(data);
  const { dataset, train, dev, test } = data;
  return { data: keywordDataset({ dataset, seed: settings.seed, train, dev, test }) };
}
