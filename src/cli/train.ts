// `treegrad train`: train one model on a data folder or a generated keyword-task dataset.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getGpu } from '../gpu/device.ts';
import { saveParams } from '../params/io.ts';
import { isCell } from '../params/shapes.ts';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint.ts';
import { readDataDir } from '../train/data-dir.ts';
import { type Dataset, keywordDataset } from '../train/dataset.ts';
import { writeJsonAtomic } from '../train/experiment.ts';
import { type TrainConfig, train, TRAIN_DEFAULTS } from '../train/loop.ts';
import { progressHooks } from '../train/progress.ts';
import { unpackTensors, paramLayout } from '../engine/layout.ts';
import { type Command, UsageError } from './command.ts';
import { intFlag } from './data.ts';

const usage = `Usage: treegrad train --cell rnn|rlstm (--data DIR | --dataset I) [--dim 50] [--lr 0.01]
                      [--l2 0.001] [--batch 5] [--epochs 10] [--seed 1] [--patience 0]
                      [--train-size N] [--dev-size N] [--test-size N]
                      [--checkpoint FILE] [--resume FILE] [--out RESULT.json] [--save-params FILE]
                      [--readback-every 16]

Trains on the GPU with AdaGrad (docs/model.md), evaluates on dev after every epoch, keeps the
best-dev parameters and reports test accuracy by keyword depth and log10 gh(keyword)/gh(root).
--data reads a folder written by \`treegrad data\`; --dataset I generates keyword-task dataset I
(1–10) from --seed, with model.md's 10k/1k/1k split unless the sizes are given.
--checkpoint saves the run after every epoch (atomically); --resume FILE continues a run
bit-identically (its settings come from the checkpoint). --patience P stops after P epochs
without a better dev accuracy. Progress is a live line on a terminal, JSON lines when piped.
--readback-every K queues K steps on the GPU per readback of their losses (same results for any K).`;

function num(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, got "${value}"`);
  return n;
}

/** The `train` command. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train an RNN or RLSTM on the GPU (data folder or generated keyword task)',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(
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
    }) as { values: Record<string, string | undefined> };
    const resume = values.resume !== undefined ? loadCheckpoint(values.resume) : undefined;
    let config: TrainConfig;
    if (resume) {
      config = resume.config;
      if (values.cell !== undefined && values.cell !== config.cell)
        throw new UsageError(`--cell ${values.cell} but the checkpoint trains ${config.cell}`);
      if (values.epochs !== undefined) config = { ...config, epochs: intFlag('epochs', values.epochs, 1) };
    } else {
      if (values.cell === undefined || !isCell(values.cell))
        throw new UsageError('--cell must be rnn or rlstm');
      config = {
        ...TRAIN_DEFAULTS,
        cell: values.cell,
        dim: values.dim === undefined ? TRAIN_DEFAULTS.dim : intFlag('dim', values.dim, 1),
        lr: num('lr', values.lr, TRAIN_DEFAULTS.lr),
        l2: num('l2', values.l2, TRAIN_DEFAULTS.l2),
        batch: values.batch === undefined ? TRAIN_DEFAULTS.batch : intFlag('batch', values.batch, 1),
        epochs: values.epochs === undefined ? TRAIN_DEFAULTS.epochs : intFlag('epochs', values.epochs, 1),
        seed: values.seed === undefined ? TRAIN_DEFAULTS.seed : intFlag('seed', values.seed, 0),
        patience: values.patience === undefined ? 0 : intFlag('patience', values.patience, 0),
      };
    }
    if ((values.data === undefined) === (values.dataset === undefined))
      throw new UsageError('give one of --data DIR or --dataset I');
    let data: Dataset;
    if (values.data !== undefined) {
      if (!existsSync(values.data)) throw new UsageError(`--data ${values.data} does not exist`);
      data = readDataDir(values.data);
    } else {
      const sizes = { train: 'train-size', dev: 'dev-size', test: 'test-size' } as const;
      const opts: Record<string, number> = {};
      for (const [key, flag] of Object.entries(sizes))
        if (values[flag] !== undefined) opts[key] = intFlag(flag, values[flag]!, 1);
      data = keywordDataset({ dataset: intFlag('dataset', values.dataset!, 1), seed: config.seed, ...opts });
    }
    if (resume && resume.data !== data.name)
      throw new UsageError(`the checkpoint was trained on ${resume.data}, not ${data.name}`);
    const gpu = await getGpu();
    try {
      const label = `${config.cell} ${data.name}`;
      const hooks = progressHooks(label);
      const checkpoint = values.checkpoint ?? values.resume;
      const onState = checkpoint
        ? (state: Parameters<typeof saveCheckpoint>[1]['state']) =>
            saveCheckpoint(checkpoint, { format: 'treegrad-checkpoint-1', data: data.name, config, state })
        : undefined;
      const t0 = performance.now();
      const out = await train(
        gpu.device,
        data,
        config,
        {
          ...hooks,
          ...(onState ? { onState } : {}),
          ...(values['readback-every'] !== undefined
            ? { stepsPerReadback: intFlag('readback-every', values['readback-every'], 1) }
            : {}),
        },
        resume?.state,
      );
      console.log(
        `${label}: best epoch ${out.bestEpoch} of ${out.epochsRun}, test accuracy ${(100 * out.testAccuracy).toFixed(1)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
      console.log(
        `accuracy by keyword depth: ${Object.entries(out.accuracyByDepth)
          .map(([d, v]) => `${d}: ${(100 * v.accuracy).toFixed(0)}% (n=${v.n})`)
          .join(', ')}`,
      );
      if (values.out !== undefined) {
        writeJsonAtomic(values.out, {
          cell: config.cell,
          data: data.name,
          config,
          ...out,
          bestTheta: undefined,
        });
      }
      if (values['save-params'] !== undefined) {
        const layout = paramLayout(config.cell, config.dim, data.vocab.length, data.classes);
        saveParams(values['save-params'], {
          cell: config.cell,
          dim: config.dim,
          classes: data.classes,
          vocab: data.vocab,
          tensors: unpackTensors(out.bestTheta, layout),
        });
      }
      if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
      return 0;
    } finally {
      gpu.destroy();
    }
  },
};
