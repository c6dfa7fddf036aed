// `treegrad train`: train one model on a data folder, a generated keyword-task dataset, or a
// treebank's three files (with its own vocabulary, labels and optional pretrained vectors).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CAPS, checkDataFits, checkModel, deviceLimits } from '../engine/limits.ts';
import { getGpu } from '../gpu/device.ts';
import { paramsToJson } from '../params/io.ts';
import { CELLS, cellList, forwardMultiplyAdds, isCell, REGISTRY } from '../cells/index.ts';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint.ts';
import {
  DATA_FILES,
  formatTreebankSummary,
  readDataDir,
  readLabelsFlag,
  readTreebank,
  type TreebankFiles,
  type TreebankSummary,
} from '../train/data-dir.ts';
import { type Dataset, keywordDataset, type TreebankIdentity } from '../train/dataset.ts';
import {
  checkOutputs,
  cleanStaleTemps,
  type FlagPath,
  writeAtomic,
  writeJsonAtomic,
} from '../train/files.ts';
import { type ByDepth, reachDepth } from '../train/evaluate.ts';
import { type TrainConfig, train, TRAIN_DEFAULTS, type TrainState } from '../train/loop.ts';
import { progressHooks } from '../train/progress.ts';
import {
  adapterName,
  MACHINE_KEYS,
  type RunSettings,
  runSettings,
  settingsDiff,
  trainConfig,
} from '../train/settings.ts';
import { size as countNodes } from '../trees/shape.ts';
import { unpackTensors, paramLayout } from '../engine/param-layout.ts';
import { type Command, UsageError } from './command.ts';
import { intFlag } from './data.ts';
import { join } from 'node:path';

const usage = `Usage: treegrad train --cell ${CELLS.join('|')} (--data DIR | --dataset I | --train F --dev F --test F)
                      [--dim 50] [--lr 0.01] [--l2 0.001] [--batch 5] [--epochs 10] [--seed 1]
                      [--patience 0] [--loss root|all] [--train-size N] [--dev-size N] [--test-size N]
                      [--labels a,b,c|FILE] [--min-count 1] [--vectors FILE] [--freeze-embeddings]
                      [--checkpoint FILE] [--resume FILE] [--fresh] [--out RESULT.json]
                      [--save-params FILE] [--readback-every 16]

Trains on the GPU with AdaGrad (docs/model.md), evaluates on dev after every epoch, keeps the
best-dev parameters and reports test accuracy by keyword depth and log10 gh(keyword)/gh(root).
--data reads a folder written by \`treegrad data\`; --dataset I generates keyword-task dataset I
(1–10) from --seed, with model.md's 10k/1k/1k split unless the sizes are given.
--train F --dev F --test F read a treebank (Stanford Sentiment Treebank style, docs/data.md): a
binary tree per line, labels on any node, the root's the sentence's class. The vocabulary comes
from the training file (words seen fewer than --min-count times, and dev/test words not in it,
become <unk>; how many is printed). Labels are the classes of --labels (a comma list or a file of
one label per line), else collected from the training file: its integers as they are (0 … the
largest), or its labels sorted. --vectors FILE starts E from pretrained vectors (GloVe text
format, streamed; --dim must be theirs) and prints the coverage; --freeze-embeddings keeps E fixed.
--loss root trains on the root's label (the paper's setting), --loss all on every labelled node.
--checkpoint saves the run after every epoch (atomically, with a checksum); --resume FILE continues
a run bit-identically: its settings and data come from the checkpoint, flags given with it must
agree (only --epochs may change: train on to that many epochs). An existing --checkpoint file is
not overwritten by a new run unless --fresh says to start anew. --patience P stops after P epochs
without a better dev accuracy. Progress is a live line on a terminal, JSON lines when piped.
--readback-every K queues K steps on the GPU per readback of their losses (same results for any K).`;

/** A number flag in [min, ∞) (or (0, ∞) with `positive`); a bad value is a UsageError. */
function num(name: string, value: string, positive = false): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (positive && n === 0))
    throw new UsageError(
      `--${name} must be a ${positive ? 'positive' : 'non-negative'} number, got "${value}"`,
    );
  return n;
}

/** The training settings given by flags (those not given are undefined). */
function flagConfig(values: Record<string, string | undefined>): Partial<TrainConfig> {
  const c: Partial<TrainConfig> = {};
  if (values.cell !== undefined) {
    if (!isCell(values.cell)) throw new UsageError(`--cell must be ${cellList()}, got "${values.cell}"`);
    c.cell = values.cell;
  }
  if (values.dim !== undefined) c.dim = intFlag('dim', values.dim, 1, CAPS.dim);
  if (values.lr !== undefined) c.lr = num('lr', values.lr, true);
  if (values.l2 !== undefined) c.l2 = num('l2', values.l2);
  if (values.batch !== undefined) c.batch = intFlag('batch', values.batch, 1, CAPS.trees);
  if (values.epochs !== undefined) c.epochs = intFlag('epochs', values.epochs, 1, 1_000_000);
  if (values.seed !== undefined) c.seed = intFlag('seed', values.seed, 0, CAPS.seed);
  if (values.patience !== undefined) c.patience = intFlag('patience', values.patience, 0, 1_000_000);
  if (values.loss !== undefined) {
    if (values.loss !== 'root' && values.loss !== 'all')
      throw new UsageError(`--loss must be root or all, got "${values.loss}"`);
    c.loss = values.loss;
  }
  if (values['freeze-embeddings'] !== undefined) c.freezeEmbeddings = true;
  return c;
}

const SIZE_FLAGS = { train: 'train-size', dev: 'dev-size', test: 'test-size' } as const;

/** Flags that only a treebank (--train/--dev/--test) takes. */
const TREEBANK_FLAGS = ['labels', 'min-count', 'vectors'] as const;

/** The data, from the flags or (resuming without data flags) as the checkpoint recorded it. */
export interface LoadedData {
  data: Dataset;
  /** A treebank's labels, vocabulary, unknown words and vector coverage. */
  summary?: TreebankSummary;
  /** Files read, for the check that no output overwrites one. */
  inputs: FlagPath[];
}

/** The data: from the flags, or (resuming without data flags) as the checkpoint recorded it. */
export async function loadData(
  values: Record<string, string | undefined>,
  config: Pick<TrainConfig, 'seed' | 'dim'>,
  resume?: RunSettings,
): Promise<LoadedData> {
  const files = (['train', 'dev', 'test'] as const).filter((f) => values[f] !== undefined);
  const sources = [values.data !== undefined, values.dataset !== undefined, files.length > 0].filter(Boolean);
  if (sources.length > 1)
    throw new UsageError('give one of --data DIR, --dataset I or --train F --dev F --test F');
  if (files.length > 0 && files.length < 3)
    throw new UsageError(
      `a treebank needs --train, --dev and --test; ${['train', 'dev', 'test']
        .filter((f) => !files.includes(f as 'train'))
        .map((f) => `--${f}`)
        .join(' and ')} missing`,
    );
  const recorded = resume?.data;
  const treebank = files.length === 3 || (sources.length === 0 && recorded?.kind === 'treebank');
  for (const flag of TREEBANK_FLAGS)
    if (values[flag] !== undefined && !treebank)
      throw new UsageError(`--${flag} is for a treebank (--train F --dev F --test F)`);
  const sizes: Record<string, number> = {};
  for (const [key, flag] of Object.entries(SIZE_FLAGS))
    if (values[flag] !== undefined) sizes[key] = intFlag(flag, values[flag], 1, CAPS.trees);
  if ((values.data !== undefined || treebank) && Object.keys(sizes).length > 0)
    throw new UsageError('--train-size, --dev-size and --test-size are for --dataset; files have their own');
  if (treebank) return loadTreebank(values, config.dim, recorded?.kind === 'treebank' ? recorded : undefined);
  if (values.data !== undefined) return folderData(values.data);
  if (values.dataset !== undefined || recorded?.kind === 'keyword') {
    const dataset =
      values.dataset !== undefined
        ? intFlag('dataset', values.dataset, 1, 10)
        : (recorded as { dataset: number }).dataset;
    const base =
      recorded?.kind === 'keyword' ? { train: recorded.train, dev: recorded.dev, test: recorded.test } : {};
    return { data: keywordDataset({ dataset, seed: config.seed, ...base, ...sizes }), inputs: [] };
  }
  if (recorded?.kind === 'folder') return folderData(recorded.dir);
  throw new UsageError('give one of --data DIR, --dataset I or --train F --dev F --test F');
}

function folderData(dir: string): LoadedData {
  return { data: readDataDir(dir), inputs: DATA_FILES.map((f) => ({ flag: '--data', path: join(dir, f) })) };
}

/** A treebank from --train/--dev/--test (or, resuming, the files and settings the checkpoint names). */
async function loadTreebank(
  values: Record<string, string | undefined>,
  dim: number,
  recorded?: TreebankIdentity,
): Promise<LoadedData> {
  const given = values.train !== undefined;
  const path = (role: string) => (given ? values[role] : recorded?.paths[role]);
  const labels =
    values.labels !== undefined ? readLabelsFlag(values.labels) : given ? undefined : recorded?.labels;
  const minCount =
    values['min-count'] !== undefined
      ? intFlag('min-count', values['min-count'], 1, CAPS.trees * CAPS.treeNodes)
      : given
        ? 1
        : (recorded?.minCount ?? 1);
  const vectors = values.vectors ?? (given ? undefined : recorded?.paths.vectors);
  const spec: TreebankFiles = {
    train: path('train')!,
    dev: path('dev')!,
    test: path('test')!,
    minCount,
    dim,
    ...(labels ? { labels } : {}),
    ...(vectors !== undefined ? { vectors } : {}),
  };
  const inputs: FlagPath[] = (['train', 'dev', 'test', 'vectors'] as const)
    .filter((r) => spec[r] !== undefined)
    .map((r) => ({ flag: `--${r}`, path: spec[r]! }));
  if (values.labels !== undefined && existsSync(values.labels))
    inputs.push({ flag: '--labels', path: values.labels });
  const { data, summary } = await readTreebank(spec);
  return { data, summary, inputs };
}

/** The `train` command. */
export const trainCommand: Command = {
  name: 'train',
  summary: `train an ${CELLS.map((c) => REGISTRY[c].label).join(' or ')} on the GPU (data folder or generated keyword task)`,
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        ...Object.fromEntries(
          [
            'cell',
            'data',
            'dataset',
            'dim',
            'lr',
            'l2',
            'batch',
            'epochs',
            'seed',
            'patience',
            'train-size',
            'dev-size',
            'test-size',
            'checkpoint',
            'resume',
            'out',
            'save-params',
            'readback-every',
            'train',
            'dev',
            'test',
            'labels',
            'min-count',
            'vectors',
            'loss',
          ].map((k) => [k, { type: 'string' as const }]),
        ),
        fresh: { type: 'boolean' as const },
        'freeze-embeddings': { type: 'boolean' as const },
      },
    }) as unknown as { values: Record<string, string | undefined> };
    const fresh = (values as Record<string, unknown>).fresh === true;
    const freeze = (values as Record<string, unknown>)['freeze-embeddings'] === true;
    const given = flagConfig({ ...values, 'freeze-embeddings': freeze ? 'true' : undefined });
    const stepsPerReadback =
      values['readback-every'] === undefined
        ? undefined
        : intFlag('readback-every', values['readback-every'], 1, 1 << 16);
    if (values.resume !== undefined && fresh)
      throw new UsageError('--fresh starts anew and --resume continues: give one of them');

    // The checkpoint (verified), and the settings: from it when resuming, else from the flags.
    const removed: string[] = [];
    const resume = values.resume !== undefined ? loadCheckpoint(values.resume, removed) : undefined;
    for (const r of removed)
      console.error(`treegrad train: removed ${r}, a partial checkpoint left by a killed process`);
    let config: TrainConfig;
    if (resume) {
      const recorded = trainConfig(resume.settings);
      const { epochs, ...checked } = given;
      const diff = settingsDiff(
        Object.fromEntries(Object.keys(checked).map((k) => [k, recorded[k as keyof TrainConfig]])),
        checked,
        values.resume!,
      );
      if (diff.length > 0)
        throw new UsageError(
          `flags given with --resume disagree with the checkpoint (${diff.join('; ')}): leave them out, or train anew without --resume`,
        );
      if (epochs !== undefined && epochs < resume.state.epoch)
        throw new UsageError(
          `--epochs ${epochs}, but ${values.resume} has trained ${resume.state.epoch} epochs already`,
        );
      config = { ...recorded, ...(epochs !== undefined ? { epochs } : {}) };
    } else {
      if (given.cell === undefined) throw new UsageError(`--cell must be ${cellList()}`);
      config = { ...TRAIN_DEFAULTS, ...given, cell: given.cell };
    }
    checkModel({ cell: config.cell, dim: config.dim, vocab: 1, classes: 1 });

    const loaded = await loadData(values, config, resume?.settings);
    const data = loaded.data;
    if (!data.identity) throw new Error('the data has no identity');
    for (const line of loaded.summary ? formatTreebankSummary(loaded.summary) : [])
      console.error(`treegrad train: ${line}`);
    if (resume) {
      const diff = settingsDiff(resume.settings.data, data.identity, values.resume!, ['dir', 'paths']);
      if (diff.length > 0)
        throw new UsageError(
          `the data is not what ${values.resume} was trained on (${diff.map((d) => `data.${d}`).join('; ')})`,
        );
    }

    // Every output, before any work: writable, not an input, not another output.
    const checkpoint = values.checkpoint ?? values.resume;
    const outputs: FlagPath[] = [];
    if (checkpoint !== undefined)
      outputs.push({ flag: values.checkpoint ? '--checkpoint' : '--resume', path: checkpoint });
    if (values.out !== undefined) outputs.push({ flag: '--out', path: values.out });
    if (values['save-params'] !== undefined)
      outputs.push({ flag: '--save-params', path: values['save-params'] });
    const inputs: FlagPath[] = [...loaded.inputs];
    if (values.resume !== undefined && values.checkpoint !== undefined && values.checkpoint !== values.resume)
      inputs.push({ flag: '--resume', path: values.resume });
    checkOutputs(outputs, inputs);
    if (!resume && checkpoint !== undefined && existsSync(checkpoint) && !fresh)
      throw new UsageError(
        `--checkpoint ${checkpoint} exists: continue it with --resume ${checkpoint}, or give --fresh to start anew and overwrite it`,
      );
    if (checkpoint !== undefined)
      for (const r of cleanStaleTemps(checkpoint))
        console.error(`treegrad train: removed ${r}, a partial checkpoint left by a killed process`);

    const gpu = await getGpu({ work: forwardMultiplyAdds(config.cell, config.dim, 1) });
    try {
      const settings = runSettings(config, data.identity, adapterName(gpu.summary));
      if (resume) {
        const machine = settingsDiff(resume.settings, settings, values.resume!).filter((d) =>
          MACHINE_KEYS.some((k) => d.startsWith(`${k}:`)),
        );
        if (machine.length > 0)
          console.error(
            `treegrad train: resuming on another machine (${machine.join('; ')}): the result may differ in the last bits from an uninterrupted run`,
          );
      }
      // Sizes against this device's limits, before the engine allocates anything.
      const limits = deviceLimits(gpu.device.limits);
      const model = { cell: config.cell, dim: config.dim, vocab: data.vocab.length, classes: data.classes };
      checkModel(model, limits);
      const sizes = (xs: Dataset['train']) => xs.map((x) => countNodes(x.tree));
      checkDataFits(
        model,
        { train: sizes(data.train), evaluation: [...sizes(data.dev), ...sizes(data.test)] },
        config.batch,
        limits,
      );

      const label = `${config.cell} ${data.name}`;
      const hooks = progressHooks(label);
      const onState = checkpoint
        ? (state: TrainState) => saveCheckpoint(checkpoint, { settings, state })
        : undefined;
      const t0 = performance.now();
      const out = await train(
        gpu.device,
        data,
        config,
        {
          ...hooks,
          ...(onState ? { onState } : {}),
          ...(stepsPerReadback !== undefined ? { stepsPerReadback } : {}),
        },
        resume?.state,
      );
      if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
      const nodeAccuracy = (out as { testNodeAccuracy?: number }).testNodeAccuracy;
      const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
      console.log(
        `${label}: best epoch ${out.bestEpoch} of ${out.epochsRun}, test accuracy ${percent(out.testAccuracy)}` +
          (nodeAccuracy !== undefined
            ? ` at the roots, ${percent(nodeAccuracy)} at all labelled nodes`
            : '') +
          ` (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      const depths = Object.entries(out.accuracyByDepth);
      if (depths.length > 0)
        console.log(
          `accuracy by keyword depth: ${depths
            .map(([d, v]) => `${d}: ${(100 * v.accuracy).toFixed(0)}% (n=${v.n})`)
            .join(', ')}`,
        );
      const reach = out.history.reach;
      if (reach && reach.length > 0) {
        const where = (nodes: ByDepth) => {
          const at = reachDepth(nodes);
          return at === undefined
            ? 'stays above 10⁻³ of the root’s at every depth'
            : `falls below 10⁻³ of the root’s at node depth ${at}`;
        };
        const [first, last] = [reach[0]!, reach[reach.length - 1]!];
        console.log(
          `gradient reach (test trees, the root's loss): ${where(last.nodes)} after epoch ${last.epoch}` +
            (first !== last ? `; at initialisation it ${where(first.nodes)}` : ''),
        );
      }
      if (values.out !== undefined) {
        const { bestTheta: _theta, ...rest } = out;
        const treebank = loaded.summary ? { treebank: loaded.summary } : {};
        writeJsonAtomic(values.out, {
          cell: config.cell,
          data: data.name,
          config,
          settings,
          ...treebank,
          ...rest,
        });
      }
      if (values['save-params'] !== undefined) {
        const layout = paramLayout(config.cell, config.dim, data.vocab.length, data.classes);
        const params = {
          cell: config.cell,
          dim: config.dim,
          classes: data.classes,
          vocab: data.vocab,
          tensors: unpackTensors(out.bestTheta, layout),
        };
        writeAtomic(values['save-params'], `${JSON.stringify(paramsToJson(params))}\n`);
      }
      return 0;
    } finally {
      gpu.destroy();
    }
  },
};
