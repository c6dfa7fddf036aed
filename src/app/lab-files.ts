// The lab's files: results as JSON (per cell, the fields of `treegrad train --out`) and as CSV
// (one row per number), parameters in the CLI's format (`--save-params`), and downloads.
import { REGISTRY } from '../cells/index.ts';
import { paramLayout, unpackTensors } from '../engine/param-layout.ts';
import { type ParamsJson, paramsToJson } from '../params/json.ts';
import type { Dataset } from '../train/dataset.ts';
import type { CellRun } from './lab-run.ts';

/** Saves `data` (a Blob or a data: URL) as `name` through the browser's download. */
export function download(name: string, data: Blob | string): void {
  const url = typeof data === 'string' ? data : URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  if (typeof data !== 'string') setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A JSON download. */
export function downloadJson(name: string, value: unknown): void {
  download(name, new Blob([`${JSON.stringify(value, null, 1)}\n`], { type: 'application/json' }));
}

/** One cell's results, with the field names of `treegrad train --out`, plus the page's extras. */
export interface CellResultJson {
  cell: string;
  data: string;
  status: CellRun['status'];
  config: CellRun['config'];
  bestEpoch: number;
  epochsRun: number;
  /** Test accuracy with the best-dev parameters (absent when the run did not finish). */
  testAccuracy?: number;
  accuracyByDepth?: Record<string, { n: number; accuracy: number }>;
  history: CellRun['history'];
  devAccuracyByDepth: CellRun['devAccuracyByDepth'];
  gradientReach: CellRun['gradientReach'];
}

/** The lab's JSON export: the data, then one result per cell. */
export interface LabResultsJson {
  kind: 'treegrad-lab-results';
  data: {
    name: string;
    identity?: Dataset['identity'];
    train: number;
    dev: number;
    test: number;
    classes: number;
  };
  runs: CellResultJson[];
}

/** The results of a lab run as JSON. */
export function resultsJson(data: Dataset, runs: readonly CellRun[]): LabResultsJson {
  return {
    kind: 'treegrad-lab-results',
    data: {
      name: data.name,
      ...(data.identity ? { identity: data.identity } : {}),
      train: data.train.length,
      dev: data.dev.length,
      test: data.test.length,
      classes: data.classes,
    },
    runs: runs.map((r) => ({
      cell: r.cell,
      data: data.name,
      status: r.status,
      config: r.config,
      bestEpoch: r.bestEpoch,
      epochsRun: r.outcome?.epochsRun ?? r.history.trainLoss.length,
      ...(r.outcome
        ? { testAccuracy: r.outcome.testAccuracy, accuracyByDepth: r.outcome.accuracyByDepth }
        : {}),
      history: r.history,
      devAccuracyByDepth: r.devAccuracyByDepth,
      gradientReach: r.gradientReach,
    })),
  };
}

/** A CSV field: quoted when it holds a comma, a quote or a line break. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The results as CSV, one number a row: cell, metric, epoch, depth (blank if none), value, n. */
export function resultsCsv(results: LabResultsJson): string {
  const rows: (string | number)[][] = [['cell', 'metric', 'epoch', 'depth', 'value', 'n']];
  for (const r of results.runs) {
    for (const [i, v] of r.history.trainLoss.entries()) rows.push([r.cell, 'train_loss', i + 1, '', v, '']);
    for (const [i, v] of r.history.devAccuracy.entries())
      rows.push([r.cell, 'dev_accuracy', i + 1, '', v, '']);
    for (const e of r.devAccuracyByDepth)
      for (const [d, v] of Object.entries(e.byDepth))
        rows.push([r.cell, 'dev_accuracy_by_depth', e.epoch, d, v.mean, v.n]);
    for (const e of r.history.log10RatioByDepth)
      for (const [d, v] of Object.entries(e.byDepth))
        rows.push([r.cell, 'log10_ratio_by_depth', e.epoch, d, v.mean, v.n]);
    for (const e of r.gradientReach)
      for (const p of e.byDepth)
        if (p.mean !== null)
          rows.push([r.cell, 'gradient_reach_by_depth', e.epoch, p.depth, p.mean, p.nodes]);
    if (r.testAccuracy !== undefined)
      rows.push([r.cell, 'test_accuracy', r.bestEpoch, '', r.testAccuracy, '']);
    for (const [d, v] of Object.entries(r.accuracyByDepth ?? {}))
      rows.push([r.cell, 'test_accuracy_by_depth', r.bestEpoch, d, v.accuracy, v.n]);
  }
  return `${rows.map((row) => row.map(field).join(',')).join('\n')}\n`;
}

/** The best-dev parameters of a run in the CLI's parameter-file format (`treegrad train --save-params`). */
export function runParams(data: Dataset, run: CellRun): ParamsJson {
  if (!run.bestTheta) throw new Error(`the ${REGISTRY[run.cell].label} has no trained parameters yet`);
  const { dim } = run.config;
  const layout = paramLayout(run.cell, dim, data.vocab.length, data.classes);
  return paramsToJson({
    cell: run.cell,
    dim,
    classes: data.classes,
    vocab: data.vocab,
    tensors: unpackTensors(run.bestTheta, layout),
  });
}
