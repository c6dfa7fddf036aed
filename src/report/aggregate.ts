// Result files of an experiment pooled over seeds, per (dataset, cell): test accuracy mean ± std,
// accuracy by keyword depth, mean log10 gradient ratio by depth per epoch, best-dev epochs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CELLS, REGISTRY } from '../cells/index.ts';
import { MACHINE_KEYS, POINT_KEYS, settingsDiff } from '../train/settings.ts';
import {
  type Cell,
  type DepthRatio,
  type EpochReach,
  type ExperimentResult,
  validateResult,
} from './schema.ts';
import { leastSquaresSlope } from './fit.ts';

export { leastSquaresSlope };

/** model.md's default number of classes, for result files without a `classes` field. */
export const DEFAULT_CLASSES = 5;

/** Cells in report order (the registry's). */
export { CELLS } from '../cells/index.ts';

/** Each cell's colour in figures (the registry's). */
export const CELL_COLOURS: Readonly<Record<Cell, string>> = Object.fromEntries(
  CELLS.map((c) => [c, REGISTRY[c].colour]),
) as Record<Cell, string>;

/** Display names of the cells. */
export const CELL_NAMES: Readonly<Record<Cell, string>> = Object.fromEntries(
  CELLS.map((c) => [c, REGISTRY[c].label]),
) as Record<Cell, string>;

/** Mean and sample standard deviation (n − 1; 0 for a single value) of `count` values. */
export interface MeanStd {
  mean: number;
  std: number;
  count: number;
}

/** Test accuracy at one keyword depth, pooled over seeds: Σ correct / Σ n. */
export interface PooledAccuracy {
  depth: number;
  n: number;
  accuracy: number;
}

/** Mean log10 ratio at one keyword depth, pooled over seeds weighted by n; null when n = 0. */
export interface PooledRatio {
  depth: number;
  n: number;
  mean: number | null;
  excluded: number;
}

/** Pooled ratios at one epoch (0 = at initialisation), over the seeds that reached it. */
export interface EpochRatioSummary {
  epoch: number;
  seeds: number;
  byDepth: PooledRatio[];
}

/** Mean log10 gh(n)/gh(root) at one depth, pooled over seeds weighted by n. */
export interface PooledDepth {
  depth: number;
  n: number;
  mean: number;
}

/** The gradient reach pooled over seeds: by node depth and by leaf depth. */
export interface PooledReach {
  nodes: PooledDepth[];
  leaves: PooledDepth[];
}

/** Everything the report says about one (dataset, cell), pooled over its seeds. */
export interface CellSummary {
  dataset: number;
  cell: Cell;
  classes: number;
  /** Seeds, ascending. */
  seeds: number[];
  /** Distinct hidden sizes (one, unless the directory mixes experiments). */
  dims: number[];
  testAccuracy: MeanStd;
  /** Best-dev epoch of each seed, in seed order. */
  bestEpochs: number[];
  /** Epochs trained by each seed, in seed order. */
  epochs: number[];
  accuracyByDepth: PooledAccuracy[];
  /** Per epoch, ascending. */
  ratios: EpochRatioSummary[];
  /** Pooled over each seed's last recorded epoch. */
  finalRatios: PooledRatio[];
  /** Per depth with at least two seeds that have trees there: the spread (std) of their accuracies. */
  accuracySpread: Record<number, number>;
  /** Per epoch (1, 2, …): training loss and dev accuracy, mean ± std over the seeds that ran it. */
  curves: { epoch: number; trainLoss: MeanStd; devAccuracy: MeanStd }[];
  /** The gradient reach at initialisation and after each seed's last epoch (result files that record it). */
  reach?: { init?: PooledReach; end: PooledReach };
  /** Test accuracy at every labelled node, over the seeds that trained with a loss there. */
  testNodeAccuracy?: MeanStd;
  /** The user's treebank (dataset 0): its training file's name; absent for keyword-task datasets. */
  treebank?: string;
}

/** Reads and validates every DIR/results/*.json, sorted by file name; a bad file throws an Error naming it. */
export function readResults(dir: string): ExperimentResult[] {
  const resultsDir = join(dir, 'results');
  if (!existsSync(resultsDir)) throw new Error(`${resultsDir}: no results directory`);
  const names = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (names.length === 0) throw new Error(`${resultsDir}: no result files (*.json)`);
  const results = names.map((name) => {
    const path = join(resultsDir, name);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: not readable JSON: ${(e as Error).message}`);
    }
    const result = validateResult(value, path);
    const expected = `${result.dataset}-${result.cell}-${result.seed}.json`;
    if (/^\d+-\w+-\d+\.json$/.test(name) && name !== expected) {
      throw new Error(`${path}: holds dataset ${result.dataset}, ${result.cell}, seed ${result.seed}`);
    }
    return result;
  });
  const conflicts = settingsConflicts(
    results.map((r, i) => ({ path: join(resultsDir, names[i]!), result: r })),
  );
  if (conflicts.length > 0)
    throw new Error(
      `${resultsDir}: result files of different settings cannot be reported together: ${conflicts.join('; ')}`,
    );
  return results;
}

/**
 * Settings that differ between result files beyond the grid (cell, seed, dataset) and the machine
 * (adapter, version), each as `PATH: SETTING: A in FIRST, B now`; files without recorded settings
 * (older versions) conflict with files that have them.
 */
export function settingsConflicts(files: readonly { path: string; result: ExperimentResult }[]): string[] {
  const withSettings = files.filter((f) => f.result.settings !== undefined);
  const first = withSettings[0];
  if (!first) return [];
  const out: string[] = [];
  for (const f of files) {
    if (f === first) continue;
    if (!f.result.settings) {
      out.push(`${f.path}: no recorded settings (an older treegrad), unlike ${first.path}`);
      continue;
    }
    for (const d of settingsDiff(first.result.settings, f.result.settings, first.path, [
      ...POINT_KEYS,
      ...MACHINE_KEYS,
    ]))
      out.push(`${f.path}: ${d.replace(/, (\S+) now$/, ', $1 here')}`);
  }
  return out;
}

/** Mean and sample standard deviation of `values` (NaN mean for none). */
export function meanStd(values: readonly number[]): MeanStd {
  const count = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / count;
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: count > 1 ? Math.sqrt(ss / (count - 1)) : 0, count };
}

/** Accuracy by depth pooled over results: Σ (accuracy · n) / Σ n, depths ascending. */
export function poolAccuracy(results: readonly ExperimentResult[]): PooledAccuracy[] {
  const sums = new Map<number, { n: number; correct: number }>();
  for (const r of results) {
    for (const [key, d] of Object.entries(r.accuracyByDepth)) {
      const s = sums.get(Number(key)) ?? { n: 0, correct: 0 };
      s.n += d.n;
      s.correct += d.accuracy * d.n;
      sums.set(Number(key), s);
    }
  }
  return [...sums]
    .sort(([a], [b]) => a - b)
    .map(([depth, s]) => ({ depth, n: s.n, accuracy: s.n > 0 ? s.correct / s.n : 0 }));
}

/** Ratio tables (one per seed, key = depth) pooled: n-weighted mean, summed n and excluded, depths ascending. */
export function poolRatios(tables: readonly Record<string, DepthRatio>[]): PooledRatio[] {
  const sums = new Map<number, { n: number; sum: number; excluded: number }>();
  for (const table of tables) {
    for (const [key, d] of Object.entries(table)) {
      const s = sums.get(Number(key)) ?? { n: 0, sum: 0, excluded: 0 };
      s.n += d.n;
      s.sum += d.n > 0 && d.mean !== null ? d.mean * d.n : 0;
      s.excluded += d.excluded ?? 0;
      sums.set(Number(key), s);
    }
  }
  return [...sums]
    .sort(([a], [b]) => a - b)
    .map(([depth, s]) => ({ depth, n: s.n, mean: s.n > 0 ? s.sum / s.n : null, excluded: s.excluded }));
}

/** Pools the results of one (dataset, cell); they must all belong to it, with distinct seeds. */
export function summariseCell(results: readonly ExperimentResult[]): CellSummary {
  const first = results[0];
  if (!first) throw new Error('summariseCell: no results');
  const runs = [...results].sort((a, b) => a.seed - b.seed);
  const where = `dataset ${first.dataset}, ${first.cell}`;
  runs.forEach((r, i) => {
    if (r.dataset !== first.dataset || r.cell !== first.cell) throw new Error(`${where}: mixed results`);
    if (i > 0 && runs[i - 1]?.seed === r.seed) throw new Error(`${where}: seed ${r.seed} appears twice`);
  });
  const classes = new Set(runs.map((r) => r.classes ?? DEFAULT_CLASSES));
  if (classes.size > 1) throw new Error(`${where}: seeds disagree on the number of classes`);
  const epochs = [...new Set(runs.flatMap((r) => r.log10RatioByDepth.map((e) => e.epoch)))].sort(
    (a, b) => a - b,
  );
  const last = (r: ExperimentResult) =>
    [...r.log10RatioByDepth].sort((a, b) => b.epoch - a.epoch).slice(0, 1);
  return {
    dataset: first.dataset,
    cell: first.cell,
    classes: [...classes][0] ?? DEFAULT_CLASSES,
    seeds: runs.map((r) => r.seed),
    dims: [...new Set(runs.map((r) => r.dim))].sort((a, b) => a - b),
    testAccuracy: meanStd(runs.map((r) => r.testAccuracy)),
    bestEpochs: runs.map((r) => r.bestEpoch),
    epochs: runs.map((r) => r.epochs),
    accuracyByDepth: poolAccuracy(runs),
    ratios: epochs.map((epoch) => {
      const tables = runs.flatMap((r) =>
        r.log10RatioByDepth.filter((e) => e.epoch === epoch).map((e) => e.byDepth),
      );
      return { epoch, seeds: tables.length, byDepth: poolRatios(tables) };
    }),
    finalRatios: poolRatios(runs.flatMap((r) => last(r).map((e) => e.byDepth))),
    accuracySpread: spreadByDepth(runs),
    curves: Array.from({ length: Math.max(...runs.map((r) => r.trainLoss.length)) }, (_, i) => {
      const ran = runs.filter((r) => r.trainLoss.length > i);
      return {
        epoch: i + 1,
        trainLoss: meanStd(ran.map((r) => r.trainLoss[i]!)),
        devAccuracy: meanStd(ran.map((r) => r.devAccuracy[i] ?? 0)),
      };
    }),
    ...reachSummary(runs),
    ...nodeAccuracy(runs),
    ...treebankName(runs),
  };
}

/** Test accuracy at every labelled node, mean ± std over the seeds that recorded it. */
function nodeAccuracy(runs: readonly ExperimentResult[]): Pick<CellSummary, 'testNodeAccuracy'> {
  const values = runs.flatMap((r) => (r.testNodeAccuracy === undefined ? [] : [r.testNodeAccuracy]));
  return values.length > 0 ? { testNodeAccuracy: meanStd(values) } : {};
}

/** The training file's name of a treebank's results (dataset 0), from their settings. */
function treebankName(runs: readonly ExperimentResult[]): Pick<CellSummary, 'treebank'> {
  if (runs[0]?.dataset !== 0) return {};
  const data = runs[0].settings?.data as { kind?: string; paths?: Record<string, string> } | undefined;
  const train = data?.kind === 'treebank' ? data.paths?.train : undefined;
  return { treebank: train ? basename(train) : 'treebank' };
}

/** The reach at initialisation and at each seed's last recorded epoch, pooled; {} when none recorded it. */
function reachSummary(runs: readonly ExperimentResult[]): Pick<CellSummary, 'reach'> {
  const at = (pick: (r: ExperimentResult) => EpochReach | undefined) => {
    const tables = runs.flatMap((r) => {
      const e = pick(r);
      return e ? [e] : [];
    });
    return tables.length > 0 ? poolReach(tables) : undefined;
  };
  const end = at((r) => [...(r.reach ?? [])].sort((a, b) => b.epoch - a.epoch)[0]);
  if (!end) return {};
  const init = at((r) => r.reach?.find((e) => e.epoch === 0));
  return { reach: init ? { init, end } : { end } };
}

/** Pools reach tables over seeds: per depth, the n-weighted mean. */
export function poolReach(tables: readonly Pick<EpochReach, 'nodes' | 'leaves'>[]): PooledReach {
  const pool = (which: 'nodes' | 'leaves'): PooledDepth[] => {
    const acc = new Map<number, { n: number; sum: number }>();
    for (const t of tables) {
      for (const [key, d] of Object.entries(t[which])) {
        const a = acc.get(Number(key)) ?? { n: 0, sum: 0 };
        a.n += d.n;
        a.sum += d.n * d.mean;
        acc.set(Number(key), a);
      }
    }
    return [...acc]
      .filter(([, a]) => a.n > 0)
      .sort((x, y) => x[0] - y[0])
      .map(([depth, a]) => ({ depth, n: a.n, mean: a.sum / a.n }));
  };
  return { nodes: pool('nodes'), leaves: pool('leaves') };
}

/** Std over seeds of accuracy at each depth where at least two seeds have trees. */
function spreadByDepth(runs: readonly ExperimentResult[]): Record<number, number> {
  const byDepth = new Map<number, number[]>();
  for (const r of runs) {
    for (const [key, d] of Object.entries(r.accuracyByDepth)) {
      if (d.n > 0) byDepth.set(Number(key), [...(byDepth.get(Number(key)) ?? []), d.accuracy]);
    }
  }
  const out: Record<number, number> = {};
  for (const [depth, values] of byDepth) if (values.length >= 2) out[depth] = meanStd(values).std;
  return out;
}

/** Groups results by (dataset, cell) and pools each group; sorted by dataset, then cell in registry order. */
export function aggregateResults(results: readonly ExperimentResult[]): CellSummary[] {
  const groups = new Map<string, ExperimentResult[]>();
  for (const r of results) {
    const key = `${r.dataset}-${r.cell}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map(summariseCell)
    .sort((a, b) => a.dataset - b.dataset || CELLS.indexOf(a.cell) - CELLS.indexOf(b.cell));
}

/** The pooled ratios at initialisation (epoch 0), or undefined when no seed recorded them. */
export function initialRatios(s: CellSummary): PooledRatio[] | undefined {
  return s.ratios.find((e) => e.epoch === 0)?.byDepth;
}

/**
 * Least-squares slope of mean log10 ratio against depth, over depths with at least `minN` trees
 * (all depths with a mean when fewer than two qualify); null without two such depths.
 */
export function ratioSlope(byDepth: readonly PooledRatio[], minN = 1): number | null {
  const usable = byDepth.filter((d) => d.mean !== null);
  const enough = usable.filter((d) => d.n >= minN);
  const chosen = enough.length >= 2 ? enough : usable;
  return leastSquaresSlope(chosen.map((d) => ({ x: d.depth, y: d.mean as number })));
}
