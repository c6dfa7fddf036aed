// `treegrad train`: train one model on a data folder or a generated keyword-task dataset.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CAPS, checkBatch, checkModel, deviceLimits, EVAL_BATCH, worstBatch } from '../engine/limits.ts';
import { getGpu } from '../gpu/device.ts';
import { paramsToJson } from '../params/io.ts';
import { CELLS, cellList, isCell, REGISTRY } from '../cells/index.ts';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint.ts';
import { DATA_FILES, readDataDir } from '../train/data-dir.ts';
import { type Dataset, keywordDataset } from '../train/dataset.ts';
import {
  checkOutputs,
  cleanStaleTemps,
  type FlagPath,
  writeAtomic,
  writeJsonAtomic,
} from '../train/files.ts';
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
import { unpackTensors, paramLayout } from '../engine/layout.ts';
import { type Command, UsageError } from './command.ts';
import { intFlag } from './data.ts';
import { join } from 'node:path';

const usage = `Usage: treegrad train --cell ${CELLS.join('|')} (--data DIR | --dataset I) [--dim 50] [--lr 0.01]
                      [--l2 0.001] [--batch 5] [--epochs 10] [--seed 1] [--patience 0]
                      [--train-size N] [--dev-size N] [--test-size N]
                      [--checkpoint FILE] [--resume FILE] [--fresh] [--out RESULT.json]
                      [--save-params FILE] [--readback-every 16]

Trains on the GPU with AdaGrad (docs/model.md), evaluates on dev after every epoch, keeps the
best-dev parameters and reports test accuracy by keyword depth and log10 gh(keyword)/gh(root).
--data reads a folder written by \`treegrad data\`; --dataset I generates keyword-task dataset I
(1–10) from --seed, with model.md's 10k/1k/1k split unless the sizes are given.
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
  return c;
}

const SIZE_FLAGS = { train: 'train-size', dev: 'dev-size', test: 'test-size' } as const;

/** The data: from the flags, or (resuming without data flags) as the checkpoint recorded it. */
function loadData(values: Record<string, string | undefined>, seed: number, resume?: RunSettings): Dataset {
  if (values.data !== undefined && values.dataset !== undefined)
    throw new UsageError('give one of --data DIR or --dataset I, not both');
  const sizes: Record<string, number> = {};
  for (const [key, flag] of Object.entries(SIZE_FLAGS))
    if (values[flag] !== undefined) sizes[key] = intFlag(flag, values[flag], 1, CAPS.trees);
  if (values.data !== undefined && Object.keys(sizes).length > 0)
    throw new UsageError(
      '--train-size, --dev-size and --test-size are for --dataset; a data folder has its own',
    );
  const recorded = resume?.data;
  if (values.data !== undefined) return readDataDir(values.data);
  if (values.dataset !== undefined || recorded?.kind === 'keyword') {
    const dataset =
      values.dataset !== undefined
        ? intFlag('dataset', values.dataset, 1, 10)
        : (recorded as { dataset: number }).dataset;
    const base =
      recorded?.kind === 'keyword' ? { train: recorded.train, dev: recorded.dev, test: recorded.test } : {};
    return keywordDataset({ dataset, seed, ...base, ...sizes });
  }
  if (recorded?.kind === 'folder') return readDataDir(recorded.dir);
  throw new UsageError('give one of --data DIR or --dataset I');
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
          ].map((k) => [k, { type: 'string' as const }]),
        ),
        fresh: { type: 'boolean' as const },
      },
    }) as unknown as { values: Record<string, string | undefined> };
    const fresh = (values as Record<string, unknown>).fresh === true;
    const given = flagConfig(values);
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

    const data = loadData(values, config.seed, resume?.settings);
    if (!data.identity) throw new Error('the data has no identity');
    if (resume) {
      const diff = settingsDiff(resume.settings.data, data.identity, values.resume!, ['dir']);
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
    const inputs: FlagPath[] =
      data.identity.kind === 'folder'
        ? DATA_FILES.map((f) => ({
            flag: '--data',
            path: join(data.identity!.kind === 'folder' ? data.identity!.dir : '', f),
          }))
        : [];
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

    const gpu = await getGpu();
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
      checkBatch(
        model,
        worstBatch(sizes(data.train), config.batch),
        limits,
        `a training batch of the ${config.batch} largest trees`,
      );
      checkBatch(
        model,
        worstBatch([...sizes(data.dev), ...sizes(data.test)], EVAL_BATCH),
        limits,
        `an evaluation batch of the ${EVAL_BATCH} largest dev/test trees`,
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
      console.log(
        `${label}: best epoch ${out.bestEpoch} of ${out.epochsRun}, test accuracy ${(100 * out.testAccuracy).toFixed(1)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      console.log(
        `accuracy by keyword depth: ${Object.entries(out.accuracyByDepth)
          .map(([d, v]) => `${d}: ${(100 * v.accuracy).toFixed(0)}% (n=${v.n})`)
          .join(', ')}`,
      );
      if (values.out !== undefined) {
        const { bestTheta: _theta, ...rest } = out;
        writeJsonAtomic(values.out, { cell: config.cell, data: data.name, config, settings, ...rest });
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
