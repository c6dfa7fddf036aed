// `treegrad experiment`: the study's grid, its result files and the report.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CAPS,
  checkBatch,
  checkDataFits,
  checkModel,
  checkTrainingBatch,
  deviceLimits,
} from '../engine/limits.ts';
import { getGpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { CELLS, cellList, forwardMultiplyAdds, isCell } from '../cells/index.ts';
import { writeReport } from '../report/write.ts';
import { validateResult } from '../report/schema.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import {
  type ExperimentConfig,
  type Point,
  pointFiles,
  pointName,
  pointSettings,
  PRESETS,
  runPoint,
  TREEBANK_DATASET,
} from '../train/experiment.ts';
import { formatTreebankSummary } from '../train/data-dir.ts';
import { size as countNodes } from '../trees/shape.ts';
import type { Tree } from '../trees/tree.ts';
import { loadData } from './train.ts';
import { cleanStaleTemps, hostName, InputError, readJson, writeJsonAtomic } from '../train/files.ts';
import { type FailureRecord, gridStatus, recordGrid, statusLines } from '../train/grid.ts';
import { claim, describeOwner } from '../train/lock.ts';
import { NonFiniteError } from '../train/loop.ts';
import { progressHooks } from '../train/progress.ts';
import { adapterName, MACHINE_KEYS, settingsDiff } from '../train/settings.ts';
import { parseShard, planShards, type ShardChoice } from '../train/shards.ts';
import { type Command, EXIT, UsageError } from './command.ts';
import { intFlag } from './data.ts';
import { formatPlan } from './plan.ts';

const usage = `Usage: treegrad experiment [--preset quick|paper] [--datasets 1-10] [--cells ${CELLS.join(',')}]
                           [--seeds 1,2,3] [--epochs N] [--train-size N] [--dev-size N]
                           [--test-size N] [--dim D] [--lr X] [--batch B] [--out DIR]
                           [--jobs N] [--readback-every K] [--fresh] [--loss root|all]
                           [--train F --dev F --test F [--labels a,b,c|FILE] [--min-count N]
                            [--vectors FILE] [--freeze-embeddings]]
                           [--shard K/N|auto|auto/N] [--plan [--shards N]]

Trains every (dataset, cell, seed) of the grid on its own generated keyword-task data, writes
DIR/results/<dataset>-<cell>-<seed>.json, then DIR/report.html (plots) and DIR/summary.md
(tables), and prints the summary. Flags override the preset (default: quick, out runs/<preset>).
Run it again to continue an interrupted experiment: finished points are kept, a point in
progress resumes from its last epoch's checkpoint (DIR/checkpoints/). Every result file and
checkpoint records its full settings: a rerun with other settings is refused, naming each one,
unless --fresh removes the differing files (or give a new --out). Each point is claimed with a
lock file (DIR/locks/), so processes sharing DIR never train the same point twice; a lock left by
a killed process on this host is taken over. Exit code 3: points held by other processes.
--jobs N trains N points at once on the one device, so the GPU's queue never idles while
JavaScript waits (the same results as one at a time). --readback-every K queues K training steps
per readback of their losses (default 16; the same results for any K).
A point whose training diverges (NaN or Inf) is recorded in DIR/failed/ and the others go on;
the report lists it and the exit code is 1; running the command again retries it.
--shard K/N trains only the K-th of N disjoint slices of the grid, balanced by estimated cost
(shards share DIR; the report is left to \`treegrad report --out DIR\` once all are done).
--shard auto takes K and N from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, --shard auto/N from
Kubernetes' JOB_COMPLETION_INDEX. --plan prints the grid, its --shards N slices and the estimated
cost of each, and trains nothing.
--train F --dev F --test F train every (cell, seed) on a treebank's files instead of generated
data (dataset 0 of the grid; --labels, --min-count, --vectors and --freeze-embeddings as in
\`treegrad train\`, docs/data.md). --loss all puts a loss at every labelled node.

Presets: ${Object.entries(PRESETS)
  .map(
    ([name, p]) =>
      `\n  ${name}: datasets ${p.datasets.join(',')}, d=${p.dim}, ${p.epochs} epochs, ${p.trainSize}/${p.devSize}/${p.testSize} sentences, seeds ${p.seeds.join(',')}`,
  )
  .join('')}`;

/** Parses "1-10", "2,4,6" or "1-3,7" into a sorted list of integers in [min, max], at most `cap` of them. */
export function intList(
  flag: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  cap = CAPS.gridPoints,
): number[] {
  const out = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--${flag}: "${part}" is not a number or a range like 1-10`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (a < min || b < a) throw new UsageError(`--${flag}: "${part}" must be ≥ ${min} and ascending`);
    if (b > max) throw new UsageError(`--${flag}: "${part}" goes past ${max}, the largest allowed`);
    if (b - a + 1 + out.size > cap)
      throw new UsageError(`--${flag}: "${value}" lists more than ${cap} values (the cap on one grid)`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Why a file of the experiment cannot be kept: its settings differ, or it cannot be read. */
function conflicts(
  dir: string,
  e: ExperimentConfig,
  points: readonly Point[],
): { path: string; why: string }[] {
  const out: { path: string; why: string }[] = [];
  const results = join(dir, 'results');
  const names = existsSync(results) ? readdirSync(results).filter((n) => n.endsWith('.json')) : [];
  for (const name of names.sort()) {
    const path = join(results, name);
    let why: string | undefined;
    try {
      const r = validateResult(readJson(path), path);
      if (!r.settings) why = 'no recorded settings (written by an older treegrad)';
      else {
        const now = pointSettings(e, { dataset: r.dataset, cell: r.cell, seed: r.seed }, '');
        const diff = settingsDiff(r.settings, now, 'the file', MACHINE_KEYS);
        if (diff.length > 0) why = diff.join('; ');
      }
    } catch (error) {
      why = (error as Error).message.replace(`${path}: `, '').replace(/\s*\n\s*/g, ' ');
    }
    if (why !== undefined) out.push({ path, why });
  }
  for (const p of points) {
    const { checkpoint } = pointFiles(dir, p);
    if (!existsSync(checkpoint)) continue;
    try {
      const c = loadCheckpoint(checkpoint);
      const diff = settingsDiff(c.settings, pointSettings(e, p, ''), 'the file', MACHINE_KEYS);
      if (diff.length > 0) out.push({ path: checkpoint, why: diff.join('; ') });
    } catch (error) {
      out.push({ path: checkpoint, why: (error as Error).message.replace(`${checkpoint}: `, '') });
    }
  }
  return out;
}

/** The `experiment` command. */
export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'run the keyword-task study (datasets × cells × seeds) and write the report',
  usage,
  async run(args) {
    const flags = [
      'preset',
      'datasets',
      'cells',
      'seeds',
      'epochs',
      'train-size',
      'dev-size',
      'test-size',
      'dim',
      'lr',
      'batch',
      'out',
      'jobs',
      'readback-every',
      'shard',
      'shards',
      'train',
      'dev',
      'test',
      'labels',
      'min-count',
      'vectors',
      'loss',
    ];
    const { values } = parseArgs({
      args,
      options: {
        ...Object.fromEntries(flags.map((k) => [k, { type: 'string' as const }])),
        fresh: { type: 'boolean' as const },
        plan: { type: 'boolean' as const },
        'freeze-embeddings': { type: 'boolean' as const },
      },
    }) as unknown as { values: Record<string, string | undefined> };
    const fresh = (values as Record<string, unknown>).fresh === true;
    const planOnly = (values as Record<string, unknown>).plan === true;
    const presetName = values.preset ?? 'quick';
    if (presetName !== 'quick' && presetName !== 'paper')
      throw new UsageError(`--preset must be quick or paper, got "${presetName}"`);
    const e: ExperimentConfig = { ...PRESETS[presetName] };
    if (values.datasets !== undefined) e.datasets = intList('datasets', values.datasets, 1, 10);
    if (values.seeds !== undefined) e.seeds = intList('seeds', values.seeds, 0, CAPS.seed);
    if (values.cells !== undefined) {
      const cells = values.cells.split(',').map((c) => c.trim());
      for (const c of cells) if (!isCell(c)) throw new UsageError(`--cells: "${c}" is not ${cellList()}`);
      e.cells = [...new Set(cells)] as ExperimentConfig['cells'];
    }
    const ints = {
      epochs: ['epochs', 1_000_000],
      trainSize: ['train-size', CAPS.trees],
      devSize: ['dev-size', CAPS.trees],
      testSize: ['test-size', CAPS.trees],
      dim: ['dim', CAPS.dim],
      batch: ['batch', CAPS.trees],
    } as const;
    for (const [key, [flag, max]] of Object.entries(ints))
      if (values[flag] !== undefined) e[key as keyof typeof ints] = intFlag(flag, values[flag], 1, max);
    if (values.lr !== undefined) {
      e.lr = Number(values.lr);
      if (!(e.lr > 0) || !Number.isFinite(e.lr))
        throw new UsageError(`--lr must be a positive number, got "${values.lr}"`);
    }
    if (values.loss !== undefined) {
      if (values.loss !== 'root' && values.loss !== 'all')
        throw new UsageError(`--loss must be root or all, got "${values.loss}"`);
      e.loss = values.loss;
    }
    if ((values as Record<string, unknown>)['freeze-embeddings'] === true) e.freezeEmbeddings = true;
    const treebank = ['train', 'dev', 'test'].some((f) => values[f] !== undefined);
    if (treebank) {
      for (const flag of ['datasets', 'train-size', 'dev-size', 'test-size'])
        if (values[flag] !== undefined)
          throw new UsageError(`--${flag} is for the keyword task; a treebank given as files has its own`);
      const loaded = await loadData(values, { seed: 0, dim: e.dim });
      for (const line of formatTreebankSummary(loaded.summary!))
        console.error(`treegrad experiment: ${line}`);
      const data = loaded.data;
      e.treebank = data;
      e.datasets = [TREEBANK_DATASET];
      e.trainSize = data.train.length;
      e.devSize = data.dev.length;
      e.testSize = data.test.length;
    } else
      for (const flag of ['labels', 'min-count', 'vectors'])
        if (values[flag] !== undefined)
          throw new UsageError(`--${flag} is for a treebank (--train F --dev F --test F)`);
    const points = e.datasets.flatMap((dataset) =>
      e.cells.flatMap((cell) => e.seeds.map((seed) => ({ dataset, cell, seed }))),
    );
    if (points.length > CAPS.gridPoints)
      throw new UsageError(`the grid has ${points.length} points, over the cap of ${CAPS.gridPoints}`);
    let shard: ShardChoice | undefined;
    if (values.shard !== undefined) {
      try {
        shard = parseShard(values.shard, process.env);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const shardCount =
      shard?.count ?? (values.shards === undefined ? 1 : intFlag('shards', values.shards, 1, 10_000));
    const costs = { ...e, ...(e.treebank ? { meanWords: meanWords(e.treebank.train) } : {}) };
    const shards = planShards(points, shardCount, costs);
    if (planOnly) {
      console.log(formatPlan(points, shards, costs, shard));
      return 0;
    }
    const mine = shard ? shards[shard.index]!.points : points;
    if (shard) {
      console.error(
        `shard ${shard.index + 1}/${shard.count} (${shard.source}): ${mine.length} of ${points.length} points: ${mine.map(pointName).join(', ') || 'none'}`,
      );
    }
    for (const cell of e.cells) checkModel({ cell, dim: e.dim, vocab: 1, classes: 1 });
    const dir = resolve(values.out ?? join('runs', presetName));
    const jobs = values.jobs === undefined ? 1 : intFlag('jobs', values.jobs, 1, 64);
    const stepsPerReadback =
      values['readback-every'] === undefined
        ? undefined
        : intFlag('readback-every', values['readback-every'], 1, 1 << 16);

    // The folder, and every file in it that another setting wrote, before any training.
    for (const sub of ['results', 'checkpoints', 'locks', 'failed']) {
      try {
        mkdirSync(join(dir, sub), { recursive: true });
      } catch (error) {
        throw new InputError(`--out ${dir}: cannot create ${sub}/: ${(error as Error).message}`);
      }
    }
    const bad = conflicts(dir, e, points);
    if (bad.length > 0 && !fresh) {
      const list = bad.slice(0, 3).map((b) => `${b.path}: ${b.why}`);
      const more = bad.length > 3 ? `; and ${bad.length - 3} more` : '';
      throw new InputError(
        `${dir} holds files of other settings or damaged ones: ${list.join(' | ')}${more}. Run with the same settings, give a new --out, or --fresh to remove them`,
      );
    }
    for (const b of bad) {
      rmSync(b.path, { force: true });
      console.error(`--fresh: removed ${b.path} (${b.why})`);
    }
    recordGrid(dir, points);

    const gpu = await getGpu({ work: Math.max(...e.cells.map((c) => forwardMultiplyAdds(c, e.dim, 1))) });
    const t0 = performance.now();
    const held: string[] = [];
    const diverged: string[] = [];
    try {
      const adapter = adapterName(gpu.summary);
      const limits = deviceLimits(gpu.device.limits);
      const maxDataset = Math.max(...e.datasets);
      for (const cell of e.treebank ? e.cells : []) {
        const data = e.treebank!;
        const model = { cell, dim: e.dim, vocab: data.vocab.length, classes: data.classes };
        checkModel(model, limits);
        const sizes = (xs: typeof data.train) => xs.map((x) => countNodes(x.tree));
        checkDataFits(
          model,
          { train: sizes(data.train), evaluation: [...sizes(data.dev), ...sizes(data.test)] },
          e.batch,
          limits,
        );
      }
      for (const cell of e.treebank ? [] : e.cells) {
        const model = { cell, dim: e.dim, vocab: 110, classes: 5 };
        checkModel(model, limits);
        // A keyword-task tree of dataset i has at most 10i words, so 20i − 1 nodes.
        const worst = (trees: number) => ({
          nodes: trees * (20 * maxDataset - 1),
          internal: trees * (10 * maxDataset - 1),
          trees,
        });
        checkTrainingBatch(
          model,
          worst,
          Math.min(e.batch, e.trainSize),
          limits,
          `a training batch of ${e.batch} trees`,
        );
        // Evaluation batches are split to fit: only a tree too big alone is refused.
        checkBatch(
          model,
          worst(1),
          limits,
          'the largest evaluation tree',
          ', even alone: it cannot be split',
        );
      }
      const todo: { point: Point; label: string }[] = [];
      for (const [i, p] of mine.entries()) {
        const file = pointFiles(dir, p).result;
        if (existsSync(file)) {
          console.error(`[${i + 1}/${mine.length}] ${pointName(p)}: done earlier (${file})`);
          continue;
        }
        todo.push({
          point: p,
          label: `[${i + 1}/${mine.length}] dataset ${p.dataset} ${p.cell} seed ${p.seed}`,
        });
      }
      // N workers share the device and its pipelines. A point that diverges is recorded as failed
      // and the others go on; after any other error no new point starts, the running ones finish
      // (their checkpoints stay usable), then the first error is raised.
      const kernels = new KernelCache(gpu.device);
      const failures: unknown[] = [];
      diverged.length = 0;
      let next = 0;
      const worker = async () => {
        while (next < todo.length && failures.length === 0) {
          const { point, label } = todo[next++]!;
          const files = pointFiles(dir, point);
          const lock = claim(files.lock);
          if (!lock.held) {
            console.error(`${label}: claimed by ${describeOwner(lock.owner)} (${files.lock}); left to it`);
            held.push(files.lock);
            continue;
          }
          if (lock.staleRemoved)
            console.error(`${label}: took over a stale lock of ${describeOwner(lock.staleRemoved)}`);
          // Only the lock's holder writes a point's files: partial ones of a killed holder go now.
          for (const r of [...cleanStaleTemps(files.result), ...cleanStaleTemps(files.checkpoint)])
            console.error(`removed ${r}, a partial file left by a killed process`);
          if (existsSync(files.failed)) {
            console.error(`${label}: failed earlier, retrying (${files.failed})`);
            rmSync(files.failed, { force: true });
          }
          try {
            if (existsSync(files.result)) {
              console.error(`${label}: finished meanwhile by another process (${files.result})`);
              continue;
            }
            const hooks = {
              ...progressHooks(label, process.stderr, { live: jobs === 1 }),
              kernels,
              ...(stepsPerReadback === undefined ? {} : { stepsPerReadback }),
            };
            const r = await runPoint(gpu.device, dir, e, point, hooks, adapter);
            console.error(
              `${label}: test accuracy ${(100 * r.testAccuracy).toFixed(1)}% (best epoch ${r.bestEpoch}, ${r.seconds.toFixed(0)} s)`,
            );
          } catch (error) {
            if (error instanceof NonFiniteError) {
              const record: FailureRecord = {
                point,
                error: error.message,
                epoch: error.epoch,
                step: error.step,
                host: hostName(),
                at: new Date().toISOString(),
              };
              writeJsonAtomic(files.failed, record);
              diverged.push(`${pointName(point)}: ${error.message}`);
              console.error(`${label}: FAILED: ${error.message} (recorded in ${files.failed})`);
            } else failures.push(error);
          } finally {
            lock.release();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
      if (failures.length > 0) throw failures[0];
      if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
    } finally {
      gpu.destroy();
    }
    if (held.length > 0) {
      console.error(
        `${held.length} point${held.length === 1 ? ' is' : 's are'} being trained by other processes (${held.join(', ')}): run again when they finish for the report`,
      );
      return EXIT.incomplete;
    }
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    if (shard) {
      console.error(
        `shard ${shard.index + 1}/${shard.count} finished in ${seconds} s` +
          (diverged.length > 0 ? `, ${diverged.length} point(s) failed` : '') +
          `; when every shard is done: treegrad report --out ${dir}`,
      );
      return diverged.length > 0 ? 1 : 0;
    }
    const grid = gridStatus(dir);
    const status = statusLines(grid);
    if (grid.done.length === 0) {
      console.error(status.join('\n'));
      console.error(`treegrad experiment: no point of ${dir} finished, so there is no report`);
      return 1;
    }
    const report = writeReport(dir, status);
    console.log(report.table);
    console.log(`\n${seconds} s. Report: ${join(dir, 'report.html')}; tables: ${join(dir, 'summary.md')}`);
    if (diverged.length > 0) {
      console.error(
        `treegrad experiment: ${diverged.length} point(s) failed and are left out of the report: ${diverged.join(' | ')}`,
      );
      return 1;
    }
    return 0;
  },
};

/** Mean leaves per tree of a split (1 for an empty one). */
function meanWords(examples: readonly { tree: Tree }[]): number {
  // A binary tree of n nodes has (n + 1) / 2 leaves.
  let words = 0;
  for (const e of examples) words += (countNodes(e.tree) + 1) / 2;
  return examples.length > 0 ? words / examples.length : 1;
}
