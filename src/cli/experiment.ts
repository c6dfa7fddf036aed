// `treegrad experiment`: the study's grid, its result files and the report.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getGpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { isCell } from '../params/shapes.ts';
import { writeReport } from '../report/report.ts';
import { type ExperimentConfig, PRESETS, runPoint } from '../train/experiment.ts';
import { progressHooks } from '../train/progress.ts';
import { type Command, UsageError } from './command.ts';
import { intFlag } from './data.ts';

const usage = `Usage: treegrad experiment [--preset quick|paper] [--datasets 1-10] [--cells rnn,rlstm]
                           [--seeds 1,2,3] [--epochs N] [--train-size N] [--dev-size N]
                           [--test-size N] [--dim D] [--lr X] [--batch B] [--out DIR]
                           [--jobs N] [--readback-every K]

Trains every (dataset, cell, seed) of the grid on its own generated keyword-task data, writes
DIR/results/<dataset>-<cell>-<seed>.json, then DIR/report.html (plots) and DIR/summary.md
(tables), and prints the summary. Flags override the preset (default: quick, out runs/<preset>).
Run it again to continue an interrupted experiment: finished points are kept, a point in
progress resumes from its last epoch's checkpoint (DIR/checkpoints/).
--jobs N trains N points at once on the one device, so the GPU's queue never idles while
JavaScript waits (the same results as one at a time). --readback-every K queues K training steps
per readback of their losses (default 16; the same results for any K).

Presets: ${Object.entries(PRESETS)
  .map(
    ([name, p]) =>
      `\n  ${name}: datasets ${p.datasets.join(',')}, d=${p.dim}, ${p.epochs} epochs, ${p.trainSize}/${p.devSize}/${p.testSize} sentences, seeds ${p.seeds.join(',')}`,
  )
  .join('')}`;

/** Parses "1-10", "2,4,6" or "1-3,7" into a sorted list of integers ≥ min. */
export function intList(flag: string, value: string, min: number): number[] {
  const out = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`--${flag}: "${part}" is not a number or a range like 1-10`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (a < min || b < a) throw new UsageError(`--${flag}: "${part}" must be ≥ ${min} and ascending`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
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
    ];
    const { values } = parseArgs({
      args,
      options: Object.fromEntries(flags.map((k) => [k, { type: 'string' as const }])),
    }) as {
      values: Record<string, string | undefined>;
    };
    const presetName = values.preset ?? 'quick';
    if (presetName !== 'quick' && presetName !== 'paper')
      throw new UsageError(`--preset must be quick or paper, got "${presetName}"`);
    const e: ExperimentConfig = { ...PRESETS[presetName] };
    if (values.datasets !== undefined) e.datasets = intList('datasets', values.datasets, 1);
    if (e.datasets.some((d) => d > 10))
      throw new UsageError('--datasets: the keyword task has datasets 1 … 10');
    if (values.seeds !== undefined) e.seeds = intList('seeds', values.seeds, 0);
    if (values.cells !== undefined) {
      const cells = values.cells.split(',').map((c) => c.trim());
      for (const c of cells) if (!isCell(c)) throw new UsageError(`--cells: "${c}" is not rnn or rlstm`);
      e.cells = cells as ExperimentConfig['cells'];
    }
    const ints = {
      epochs: 'epochs',
      trainSize: 'train-size',
      devSize: 'dev-size',
      testSize: 'test-size',
      dim: 'dim',
      batch: 'batch',
    } as const;
    for (const [key, flag] of Object.entries(ints))
      if (values[flag] !== undefined) e[key as keyof typeof ints] = intFlag(flag, values[flag]!, 1);
    if (values.lr !== undefined) {
      e.lr = Number(values.lr);
      if (!(e.lr > 0)) throw new UsageError(`--lr must be a positive number, got "${values.lr}"`);
    }
    const dir = resolve(values.out ?? join('runs', presetName));
    const jobs = values.jobs === undefined ? 1 : intFlag('jobs', values.jobs, 1);
    const stepsPerReadback =
      values['readback-every'] === undefined
        ? undefined
        : intFlag('readback-every', values['readback-every'], 1);
    const gpu = await getGpu();
    const t0 = performance.now();
    try {
      const points = e.datasets.flatMap((dataset) =>
        e.cells.flatMap((cell) => e.seeds.map((seed) => ({ dataset, cell, seed }))),
      );
      const todo: { point: (typeof points)[number]; label: string }[] = [];
      for (const [i, p] of points.entries()) {
        const name = `${p.dataset}-${p.cell}-${p.seed}`;
        const file = join(dir, 'results', `${name}.json`);
        if (existsSync(file) && sameSettings(file, e)) {
          console.error(`[${i + 1}/${points.length}] ${name}: done earlier (${file})`);
          continue;
        }
        todo.push({
          point: p,
          label: `[${i + 1}/${points.length}] dataset ${p.dataset} ${p.cell} seed ${p.seed}`,
        });
      }
      // N workers share the device and its pipelines; after a failure no new point starts, the
      // running ones finish (their checkpoints stay usable), then the first error is raised.
      const kernels = new KernelCache(gpu.device);
      const failures: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (next < todo.length && failures.length === 0) {
          const { point, label } = todo[next++]!;
          try {
            const hooks = {
              ...progressHooks(label, process.stderr, { live: jobs === 1 }),
              kernels,
              ...(stepsPerReadback === undefined ? {} : { stepsPerReadback }),
            };
            const r = await runPoint(gpu.device, dir, e, point, hooks);
            console.error(
              `${label}: test accuracy ${(100 * r.testAccuracy).toFixed(1)}% (best epoch ${r.bestEpoch}, ${r.seconds.toFixed(0)} s)`,
            );
          } catch (error) {
            failures.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
      if (failures.length > 0) throw failures[0];
      if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
    } finally {
      gpu.destroy();
    }
    const report = writeReport(dir);
    console.log(report.table);
    console.log(
      `\n${((performance.now() - t0) / 1000).toFixed(0)} s. Report: ${join(dir, 'report.html')}; tables: ${join(dir, 'summary.md')}`,
    );
    return 0;
  },
};

/** Whether a finished point's result file was made with these settings. */
function sameSettings(file: string, e: ExperimentConfig): boolean {
  const r = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return (
    r.dim === e.dim && r.trainSize === e.trainSize && r.devSize === e.devSize && r.testSize === e.testSize
  );
}
