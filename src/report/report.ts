// The report of an experiment directory: DIR/report.html (self-contained: inline SVG and CSS),
// DIR/summary.md, and a plain-text table for the terminal, all from DIR/results/*.json.
import { join } from 'node:path';
import { writeAtomic } from '../train/files.ts';
import { aggregateResults, CELL_NAMES, type CellSummary, readResults } from './aggregate.ts';
import { chance, depthOutcomes, findings, lengthSentence, MIN_TREES, percent } from './findings.ts';
import { escapeXml, niceTicks, type RefLine, SEQUENTIAL, type Series, svgPlot } from './svg.ts';
import { depthGrid, excludedLine, htmlTable, markdownTable, testAccuracyLine, textTable } from './tables.ts';

/** The three renderings of one report. */
export interface Report {
  /** report.html: plots, tables and findings; no scripts, no external assets. */
  html: string;
  /** summary.md: per dataset, test accuracy, the depth table and the findings. */
  summary: string;
  /** The same numbers compactly, for the terminal. */
  table: string;
}

/** Ratio curves per cell: at most this many epochs (always initialisation and the last). */
const MAX_EPOCH_CURVES = SEQUENTIAL.length;

const CSS = `body{font:14px/1.45 system-ui,sans-serif;max-width:1320px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
.row{display:flex;flex-wrap:wrap;gap:8px}figure{margin:8px 0}figcaption{color:#555;font-size:12px;max-width:640px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:12px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f5f5f5}.meta{color:#555}`;

/** Reads and pools DIR/results/*.json, writes DIR/report.html and DIR/summary.md, returns all three texts. */
export function writeReport(dir: string, status: readonly string[] = []): Report {
  const results = readResults(dir);
  const report = buildReport(aggregateResults(results), results.length, status);
  writeAtomic(join(dir, 'report.html'), report.html);
  writeAtomic(join(dir, 'summary.md'), report.summary);
  return report;
}

/** The summaries grouped by dataset, ascending. */
function byDataset(cells: readonly CellSummary[]): CellSummary[][] {
  const datasets = [...new Set(cells.map((s) => s.dataset))].sort((a, b) => a - b);
  return datasets.map((d) => cells.filter((s) => s.dataset === d));
}

/** `Dataset 3 (sentence length 21–30)`. */
function datasetTitle(dataset: number): string {
  return `Dataset ${dataset} (sentence length ${10 * dataset - 9}–${10 * dataset})`;
}

/** A series label: the cell, plus the dataset when the report covers several. */
function seriesLabel(s: CellSummary, several: boolean): string {
  return several ? `${CELL_NAMES[s.cell]}, dataset ${s.dataset}` : CELL_NAMES[s.cell];
}

/** One dashed line per distinct chance level. */
function chanceLines(cells: readonly CellSummary[]): RefLine[] {
  return [...new Set(cells.map(chance))].map((y) => ({ y, label: `chance ${percent(y)}` }));
}

/** Accuracy against keyword depth, one curve per (cell, dataset). */
export function accuracyPlot(cells: readonly CellSummary[]): string {
  const several = new Set(cells.map((s) => s.dataset)).size > 1;
  const series: Series[] = cells.map((s) => ({
    label: seriesLabel(s, several),
    points: s.accuracyByDepth.map((d) => ({ x: d.depth, y: d.n > 0 ? d.accuracy : null })),
  }));
  return svgPlot({
    title: 'Test accuracy by keyword depth',
    xLabel: 'keyword depth',
    yLabel: 'accuracy',
    series,
    refLines: chanceLines(cells),
    yDomain: [0, 1],
    integerX: true,
  });
}

/** Up to MAX_EPOCH_CURVES epochs, evenly spread, always the first and the last. */
function pickEpochs(epochs: readonly number[]): number[] {
  if (epochs.length <= MAX_EPOCH_CURVES) return [...epochs];
  const step = (epochs.length - 1) / (MAX_EPOCH_CURVES - 1);
  return [
    ...new Set(Array.from({ length: MAX_EPOCH_CURVES }, (_, i) => epochs[Math.round(i * step)] as number)),
  ];
}

/** Mean log10 ratio against depth, one curve per epoch, one plot per cell on a shared y axis. */
export function ratioPlots(cells: readonly CellSummary[]): string[] {
  const curves = cells.map((s) => {
    const epochs = pickEpochs(s.ratios.map((e) => e.epoch));
    return s.ratios
      .filter((e) => epochs.includes(e.epoch))
      .map((e, i, all) => ({
        label: e.epoch === 0 ? 'initialisation' : `epoch ${e.epoch}`,
        color: SEQUENTIAL[Math.round((i * (SEQUENTIAL.length - 1)) / Math.max(1, all.length - 1))] as string,
        points: e.byDepth.map((d) => ({ x: d.depth, y: d.mean })),
      }));
  });
  const means = curves.flat().flatMap((c) => c.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const ticks = niceTicks(Math.min(0, ...means), Math.max(0, ...means));
  const yDomain = [ticks[0] ?? -1, ticks[ticks.length - 1] ?? 0] as const;
  return cells.map((s, i) =>
    svgPlot({
      title: `${CELL_NAMES[s.cell]}: mean log10(gh(keyword) / gh(root))`,
      xLabel: 'keyword depth',
      yLabel: 'mean log10 r',
      series: curves[i] ?? [],
      yDomain,
      integerX: true,
    }),
  );
}

/** Accuracy against the final mean log10 ratio, one point per (cell, dataset, depth) with enough trees. */
export function scatterPlot(cells: readonly CellSummary[]): string {
  const several = new Set(cells.map((s) => s.dataset)).size > 1;
  const series: Series[] = cells.map((s) => {
    const all = depthOutcomes(s);
    const kept = all.some((p) => p.n >= MIN_TREES) ? all.filter((p) => p.n >= MIN_TREES) : all;
    return {
      label: seriesLabel(s, several),
      line: false,
      points: kept.map((p) => ({ x: p.log10Ratio, y: p.accuracy })),
    };
  });
  return svgPlot({
    title: 'Accuracy against gradient ratio, end of training',
    xLabel: 'mean log10 r at the keyword depth',
    yLabel: 'accuracy',
    series,
    refLines: chanceLines(cells),
    yDomain: [0, 1],
  });
}

/** `d = 50; seeds 1, 2, 3; 6 result files`. */
function metaLine(cells: readonly CellSummary[], files: number): string {
  const dims = [...new Set(cells.flatMap((s) => s.dims))].join(', ');
  const seeds = [...new Set(cells.flatMap((s) => s.seeds))].sort((a, b) => a - b).join(', ');
  return `${files} result file${files === 1 ? '' : 's'}; d = ${dims}; seeds ${seeds}.`;
}

const NOTES =
  'n: test trees with the keyword at that depth, summed over seeds. acc: Σ correct / Σ n over seeds, ' +
  'at each seed’s best-dev epoch. log10 r: mean log10(gh(keyword) / gh(root)), n-weighted over seeds; ' +
  `init = at initialisation, end = each seed’s last epoch. Findings use depths with ≥ ${MIN_TREES} trees.`;

/** Renders already pooled summaries; `files` is the number of result files behind them. */
export function buildReport(
  cells: readonly CellSummary[],
  files: number,
  status: readonly string[] = [],
): Report {
  const groups = byDataset(cells);
  const md = ['# treegrad: keyword task report', '', metaLine(cells, files), ''];
  const text = [metaLine(cells, files)];
  const across = lengthSentence(cells);
  if (across) {
    md.push(`**Across datasets.** ${across}`, '');
    text.push(across);
  }
  if (status.length > 0) {
    md.push(...status.map((l) => `- **${l.split(':')[0]}:**${l.slice(l.indexOf(':') + 1)}`), '');
    text.push(...status);
  }
  const html = [
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>treegrad report</title>',
    `<style>\n${CSS}\n</style>\n</head>\n<body>\n<h1>treegrad: keyword task report</h1>`,
    `<p class="meta">${escapeXml(metaLine(cells, files))}</p>`,
    status.length > 0
      ? `<ul class="status">${status.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`
      : '',
    `<h2>Accuracy by keyword depth and by gradient ratio</h2>\n<div class="row">`,
    `<figure>${accuracyPlot(cells)}</figure>\n<figure>${scatterPlot(cells)}`,
    `<figcaption>One point per (cell, keyword depth) with at least ${MIN_TREES} test trees: ` +
      `accuracy at the best-dev epoch against mean log10 r after the last epoch.</figcaption></figure>\n</div>`,
  ];
  for (const group of groups) {
    const title = datasetTitle(group[0]?.dataset ?? 0);
    const grid = depthGrid(group);
    const testLine = `Test accuracy at the best-dev epoch (mean ± std over seeds): ${testAccuracyLine(group)}.`;
    const excluded = excludedLine(group);
    const shows = findings(group);
    md.push(`## ${title}`, '', testLine, '', markdownTable(grid), '', NOTES, '');
    if (excluded) md.push(excluded, '');
    md.push(`**What this shows.** ${shows}`, '');
    text.push('', title, testLine, textTable(grid), ...(excluded ? [excluded] : []), shows);
    html.push(
      `<h2>${escapeXml(title)}</h2>\n<p>${escapeXml(testLine)}</p>`,
      `<div class="row">${ratioPlots(group)
        .map((svg) => `<figure>${svg}</figure>`)
        .join('\n')}</div>`,
      htmlTable(grid),
      `<p class="meta">${escapeXml(NOTES)}</p>`,
      excluded ? `<p class="meta">${escapeXml(excluded)}</p>` : '',
      `<p><strong>What this shows.</strong> ${escapeXml(shows)}</p>`,
    );
  }
  html.push('</body>\n</html>\n');
  return { html: html.filter((h) => h).join('\n'), summary: md.join('\n'), table: text.join('\n') };
}
