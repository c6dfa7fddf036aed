// The report of an experiment directory: DIR/report.html (self-contained: inline SVG and CSS),
// DIR/summary.md, and a plain-text table for the terminal, all from DIR/results/*.json.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../train/files.ts';
import {
  aggregateResults,
  CELL_COLOURS,
  CELL_NAMES,
  CELLS,
  type CellSummary,
  initialRatios,
  readResults,
} from './aggregate.ts';
import {
  chance,
  depthOutcomes,
  findings,
  lengthSentence,
  MIN_TREES,
  percent,
  REACH_BOUND,
  reachSentence,
} from './findings.ts';
import { escapeXml, type Marker, niceTicks, type RefLine, SEQUENTIAL, type Series, svgPlot } from './svg.ts';
import {
  csvTable,
  depthGrid,
  excludedLine,
  type Grid,
  htmlTable,
  markdownTable,
  testAccuracyLine,
  textTable,
} from './grid.ts';

/** The three renderings of one report. */
export interface Report {
  /** report.html: plots, tables and findings; no scripts, no external assets. */
  html: string;
  /** summary.md: per dataset, test accuracy, the depth table and the findings. */
  summary: string;
  /** The same numbers compactly, for the terminal. */
  table: string;
  /** Every table as a grid, by CSV file name (DIR/tables/NAME). */
  tables: Record<string, Grid>;
}

/** Marker shapes by the cell's place in the registry: colour and shape tell cells apart. */
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond'];

/** A cell's colour (the registry's) and marker. */
function cellStyle(cell: CellSummary['cell']): { color: string; marker: Marker } {
  return { color: CELL_COLOURS[cell], marker: MARKERS[CELLS.indexOf(cell) % MARKERS.length] ?? 'circle' };
}

/** Marker radius for n trees at a depth, relative to the most at any depth of the figure. */
function radiusFor(n: number, most: number): number {
  return 2 + 4.5 * Math.sqrt(n / Math.max(1, most));
}

/**
 * The paper's headline figure for one dataset: accuracy by keyword depth, one series per cell
 * (colour and marker), marker area growing with n, hollow below MIN_TREES, bars ± std over seeds.
 */
export function depthAccuracyPlot(group: readonly CellSummary[]): string {
  const most = Math.max(...group.flatMap((s) => s.accuracyByDepth.map((d) => d.n)));
  const series: Series[] = group.map((s) => ({
    label: CELL_NAMES[s.cell],
    ...cellStyle(s.cell),
    points: s.accuracyByDepth.map((d) => ({
      x: d.depth,
      y: d.n > 0 ? d.accuracy : null,
      r: radiusFor(d.n, most),
      hollow: d.n < MIN_TREES,
      ...(s.accuracySpread[d.depth] !== undefined ? { err: s.accuracySpread[d.depth] } : {}),
    })),
  }));
  return svgPlot({
    title: `${groupName(group)}: test accuracy by keyword depth`,
    xLabel: 'keyword depth',
    yLabel: 'accuracy',
    series,
    refLines: chanceLines(group),
    yDomain: [0, 1],
    integerX: true,
    width: 520,
    height: 340,
  });
}

/** log10 r by depth at initialisation (dashed) and at the end of training (solid), per cell. */
export function ratioInitEndPlot(group: readonly CellSummary[]): string {
  const series: Series[] = group.flatMap((s) => {
    const style = cellStyle(s.cell);
    const init = initialRatios(s);
    const pts = (rows: readonly { depth: number; n: number; mean: number | null }[]) =>
      rows.map((d) => ({ x: d.depth, y: d.mean, hollow: d.n < MIN_TREES }));
    return [
      ...(init ? [{ label: `${CELL_NAMES[s.cell]} init`, ...style, dashed: true, points: pts(init) }] : []),
      { label: `${CELL_NAMES[s.cell]} end`, ...style, points: pts(s.finalRatios) },
    ];
  });
  return svgPlot({
    title: `${groupName(group)}: mean log10 r by keyword depth`,
    xLabel: 'keyword depth',
    yLabel: 'mean log10 r',
    series,
    integerX: true,
    width: 520,
    height: 340,
  });
}

/**
 * The gradient reach for one dataset: mean log10 gh(n)/gh(root) by node depth at initialisation
 * (dashed) and at the end of training (solid), per cell, with the 10⁻³ line; '' when no cell has it.
 */
export function reachPlot(group: readonly CellSummary[], which: 'nodes' | 'leaves' = 'nodes'): string {
  const series: Series[] = group.flatMap((s) => {
    if (!s.reach) return [];
    const style = cellStyle(s.cell);
    const pts = (rows: readonly { depth: number; n: number; mean: number }[]) =>
      rows.map((d) => ({ x: d.depth, y: d.mean, hollow: d.n < MIN_TREES }));
    const init = s.reach.init;
    return [
      ...(init
        ? [{ label: `${CELL_NAMES[s.cell]} init`, ...style, dashed: true, points: pts(init[which]) }]
        : []),
      { label: `${CELL_NAMES[s.cell]} end`, ...style, points: pts(s.reach.end[which]) },
    ];
  });
  if (series.length === 0) return '';
  const what = which === 'nodes' ? 'node' : 'leaf';
  return svgPlot({
    title: `${groupName(group)}: gradient reach by ${what} depth`,
    xLabel: `${what} depth`,
    yLabel: 'mean log10 gh(n)/gh(root)',
    series,
    refLines: [{ y: REACH_BOUND, label: '10⁻³ of the root' }],
    integerX: true,
    width: 520,
    height: 340,
  });
}

/** Training loss and dev accuracy per epoch, per cell (mean, bars ± std over seeds). */
export function curvePlots(group: readonly CellSummary[]): string[] {
  const plot = (what: 'trainLoss' | 'devAccuracy', title: string, yLabel: string) =>
    svgPlot({
      title: `${groupName(group)}: ${title}`,
      xLabel: 'epoch',
      yLabel,
      series: group.map((s) => ({
        label: CELL_NAMES[s.cell],
        ...cellStyle(s.cell),
        points: s.curves.map((c) => ({
          x: c.epoch,
          y: c[what].mean,
          ...(c[what].count > 1 ? { err: c[what].std } : {}),
        })),
      })),
      integerX: true,
      ...(what === 'devAccuracy' ? { yDomain: [0, 1] as const, refLines: chanceLines(group) } : {}),
      width: 520,
      height: 300,
    });
  return [
    plot('trainLoss', 'training loss per epoch', 'mean loss'),
    plot('devAccuracy', 'dev accuracy per epoch', 'accuracy'),
  ];
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
  mkdirSync(join(dir, 'tables'), { recursive: true });
  for (const [name, grid] of Object.entries(report.tables))
    writeAtomic(join(dir, 'tables', name), csvTable(grid));
  return report;
}

/** The summaries grouped by dataset, ascending. */
function byDataset(cells: readonly CellSummary[]): CellSummary[][] {
  const datasets = [...new Set(cells.map((s) => s.dataset))].sort((a, b) => a - b);
  return datasets.map((d) => cells.filter((s) => s.dataset === d));
}

/** `Dataset 3`, or for the user's treebank (dataset 0) `Treebank train.txt`: the start of figure titles. */
function groupName(group: readonly CellSummary[]): string {
  const first = group[0];
  return first?.treebank !== undefined ? `Treebank ${first.treebank}` : `Dataset ${first?.dataset}`;
}

/** Whether a group is the user's treebank rather than a keyword-task dataset. */
function isTreebank(group: readonly CellSummary[]): boolean {
  return group[0]?.treebank !== undefined;
}

/** `Dataset 3 (sentence length 21–30)`, or `Treebank train.txt (your own trees)`. */
function groupTitle(group: readonly CellSummary[]): string {
  const dataset = group[0]?.dataset ?? 0;
  return isTreebank(group)
    ? `${groupName(group)} (your own trees)`
    : `Dataset ${dataset} (sentence length ${10 * dataset - 9}–${10 * dataset})`;
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

/** Accuracy against the final mean log10 ratio, one point per (dataset, depth) with enough trees, one series per cell. */
export function scatterPlot(cells: readonly CellSummary[]): string {
  const series: Series[] = CELLS.filter((c) => cells.some((s) => s.cell === c)).map((cell) => ({
    label: CELL_NAMES[cell],
    ...cellStyle(cell),
    line: false,
    points: cells
      .filter((s) => s.cell === cell)
      .flatMap((s) => {
        const all = depthOutcomes(s);
        return all.some((p) => p.n >= MIN_TREES) ? all.filter((p) => p.n >= MIN_TREES) : all;
      })
      .map((p) => ({ x: p.log10Ratio, y: p.accuracy })),
  }));
  return svgPlot({
    title: 'Accuracy against gradient ratio, end of training',
    xLabel: 'mean log10 r at the keyword depth',
    yLabel: 'accuracy',
    series,
    refLines: chanceLines(cells),
    yDomain: [0, 1],
  });
}

/** Which epochs the per-epoch ratio plots show, in words. */
function epochSelection(group: readonly CellSummary[]): string {
  const all = [...new Set(group.flatMap((s) => s.ratios.map((e) => e.epoch)))].sort((a, b) => a - b);
  const shown = pickEpochs(all);
  const last = all.at(-1) ?? 0;
  return shown.length === all.length
    ? `Every epoch is shown (initialisation and epochs 1–${last}).`
    : `Epochs shown: ${shown.map((e) => (e === 0 ? 'initialisation' : e)).join(', ')} of 0–${last} (at most ${MAX_EPOCH_CURVES}, evenly spread, always the first and the last).`;
}

/** Test accuracy per (dataset, cell): the numbers of every section's first line, as one table. */
function testAccuracyGrid(cells: readonly CellSummary[]): Grid {
  return {
    header: [
      'dataset',
      'cell',
      'seeds',
      'test accuracy mean',
      'test accuracy std',
      'best-dev epochs',
      'epochs',
    ],
    rows: cells.map((s) => [
      String(s.dataset),
      s.cell,
      String(s.seeds.length),
      s.testAccuracy.mean.toFixed(4),
      s.testAccuracy.std.toFixed(4),
      s.bestEpochs.join(' '),
      s.epochs.join(' '),
    ]),
  };
}

const FIGURE_NOTE =
  `Marker area grows with n, the test trees whose keyword is at that depth; hollow markers: fewer than ${MIN_TREES} ` +
  'trees (too few to trust); bars: ± one standard deviation over seeds (with two or more). Dashed: at initialisation; ' +
  'solid: after the last epoch.';

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
  const keyword = groups.filter((g) => !isTreebank(g));
  const heading =
    keyword.length === 0
      ? 'treegrad: treebank report'
      : keyword.length < groups.length
        ? 'treegrad: keyword task and treebank report'
        : 'treegrad: keyword task report';
  const md = [`# ${heading}`, '', metaLine(cells, files), ''];
  const text = [metaLine(cells, files)];
  const across = lengthSentence(keyword.flat());
  if (across) {
    md.push(`**Across datasets.** ${across}`, '');
    text.push(across);
  }
  if (status.length > 0) {
    md.push(...status.map((l) => `- **${l.split(':')[0]}:**${l.slice(l.indexOf(':') + 1)}`), '');
    text.push(...status);
  }
  const html = [
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${heading}</title>`,
    `<style>\n${CSS}\n</style>\n</head>\n<body>\n<h1>${heading}</h1>`,
    `<p class="meta">${escapeXml(metaLine(cells, files))}</p>`,
    status.length > 0
      ? `<ul class="status">${status.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`
      : '',
  ];
  if (keyword.length > 0) {
    html.push(
      '<h2>Accuracy and gradient ratio by keyword depth, per dataset</h2>',
      `<p class="meta">${escapeXml(FIGURE_NOTE)}</p>`,
      ...keyword.map((group) => {
        const reach = reachPlot(group);
        return (
          `<div class="row"><figure>${depthAccuracyPlot(group)}</figure>\n<figure>${ratioInitEndPlot(group)}</figure>` +
          `${reach ? `\n<figure>${reach}</figure>` : ''}</div>`
        );
      }),
      `<h2>Accuracy against gradient ratio</h2>\n<figure>${scatterPlot(keyword.flat())}`,
      `<figcaption>One point per (dataset, keyword depth) with at least ${MIN_TREES} test trees: ` +
        `accuracy at the best-dev epoch against mean log10 r after the last epoch.</figcaption></figure>`,
    );
  }
  const tables: Record<string, Grid> = { 'test-accuracy.csv': testAccuracyGrid(cells) };
  for (const group of groups) {
    const section = isTreebank(group) ? treebankSection(group) : keywordSection(group);
    tables[section.csv] = section.grid;
    md.push(...section.md);
    text.push('', ...section.text);
    html.push(...section.html);
  }
  html.push('</body>\n</html>\n');
  md.push('Every table is also in tables/*.csv beside this file.', '');
  return {
    html: html.filter((h) => h).join('\n'),
    summary: md.join('\n'),
    table: text.join('\n'),
    tables,
  };
}

/** One group's part of each rendering, and its table. */
interface Section {
  md: string[];
  text: string[];
  html: string[];
  grid: Grid;
  csv: string;
}

/** A keyword-task dataset: accuracy and log10 r by keyword depth, curves, findings and the reach. */
function keywordSection(group: readonly CellSummary[]): Section {
  const title = groupTitle(group);
  const grid = depthGrid(group);
  const testLine = `Test accuracy at the best-dev epoch (mean ± std over seeds): ${testAccuracyLine(group)}.`;
  const excluded = excludedLine(group);
  const shows = findings(group);
  const reach = reachSentence(group);
  return {
    csv: `dataset-${group[0]?.dataset ?? 0}.csv`,
    grid,
    md: [
      `## ${title}`,
      '',
      testLine,
      '',
      markdownTable(grid),
      '',
      NOTES,
      '',
      ...(excluded ? [excluded, ''] : []),
      `**What this shows.** ${shows}`,
      '',
      ...(reach ? [reach, ''] : []),
    ],
    text: [
      title,
      testLine,
      textTable(grid),
      ...(excluded ? [excluded] : []),
      shows,
      ...(reach ? [reach] : []),
    ],
    html: [
      `<h2>${escapeXml(title)}</h2>\n<p>${escapeXml(testLine)}</p>`,
      `<div class="row">${curvePlots(group)
        .map((svg) => `<figure>${svg}</figure>`)
        .join('\n')}</div>`,
      `<div class="row">${ratioPlots(group)
        .map((svg) => `<figure>${svg}</figure>`)
        .join('\n')}</div>`,
      `<p class="meta">${escapeXml(epochSelection(group))}</p>`,
      htmlTable(grid),
      `<p class="meta">${escapeXml(NOTES)}</p>`,
      excluded ? `<p class="meta">${escapeXml(excluded)}</p>` : '',
      `<p><strong>What this shows.</strong> ${escapeXml(shows)}</p>`,
      reach ? `<p>${escapeXml(reach)}</p>` : '',
    ],
  };
}

const REACH_NOTES =
  'Gradient reach: mean log10(gh(n) / gh(root)) of the roots\u2019 loss over the test trees\u2019 nodes at each ' +
  'depth below the root (n: nodes, summed over seeds; the figures also show leaves by leaf depth; hollow markers: ' +
  `fewer than ${MIN_TREES} nodes); init = at initialisation, end = after each seed\u2019s last epoch. Below −3 ` +
  'the learning signal is under a thousandth of the root\u2019s.';

/** The user's treebank: accuracy at the roots (and every labelled node), curves and the gradient reach. */
function treebankSection(group: readonly CellSummary[]): Section {
  const title = groupTitle(group);
  const grid = reachGrid(group);
  const testLine = `Test accuracy at the roots, best-dev epoch (mean ± std over seeds): ${testAccuracyLine(group)}.`;
  const nodes = group.flatMap((s) =>
    s.testNodeAccuracy
      ? [
          `${CELL_NAMES[s.cell]} ${(100 * s.testNodeAccuracy.mean).toFixed(1)} ± ${(100 * s.testNodeAccuracy.std).toFixed(1)} %`,
        ]
      : [],
  );
  const nodeLine = nodes.length > 0 ? `Test accuracy at every labelled node: ${nodes.join(', ')}.` : '';
  const reach = reachSentence(group);
  const lines = [testLine, ...(nodeLine ? [nodeLine] : [])];
  const plots = [reachPlot(group), reachPlot(group, 'leaves')].filter((p) => p !== '');
  return {
    csv: 'treebank-reach.csv',
    grid,
    md: [
      `## ${title}`,
      '',
      ...lines.flatMap((l) => [l, '']),
      ...(reach ? [`**What this shows.** ${reach}`, ''] : []),
      markdownTable(grid),
      '',
      REACH_NOTES,
      '',
    ],
    text: [title, ...lines, ...(reach ? [reach] : []), textTable(grid)],
    html: [
      `<h2>${escapeXml(title)}</h2>`,
      ...lines.map((l) => `<p>${escapeXml(l)}</p>`),
      `<div class="row">${[...curvePlots(group), ...plots]
        .map((svg) => `<figure>${svg}</figure>`)
        .join('\n')}</div>`,
      reach ? `<p><strong>What this shows.</strong> ${escapeXml(reach)}</p>` : '',
      htmlTable(grid),
      `<p class="meta">${escapeXml(REACH_NOTES)}</p>`,
    ],
  };
}

/** The reach by node depth: per cell, nodes (n) and mean log10 gh(n)/gh(root) at init and end. */
function reachGrid(group: readonly CellSummary[]): Grid {
  const depths = [
    ...new Set(
      group.flatMap((s) =>
        [...(s.reach?.end.nodes ?? []), ...(s.reach?.init?.nodes ?? [])].map((d) => d.depth),
      ),
    ),
  ].sort((a, b) => a - b);
  const at = (rows: readonly { depth: number; n: number; mean: number }[] | undefined, depth: number) =>
    rows?.find((d) => d.depth === depth);
  return {
    header: [
      'node depth',
      ...group.flatMap((s) => {
        const c = CELL_NAMES[s.cell];
        return [`${c} n`, `${c} init`, `${c} end`];
      }),
    ],
    rows: depths.map((depth) => [
      String(depth),
      ...group.flatMap((s) => {
        const end = at(s.reach?.end.nodes, depth);
        const init = at(s.reach?.init?.nodes, depth);
        return [end ? String(end.n) : '', init ? init.mean.toFixed(2) : '', end ? end.mean.toFixed(2) : ''];
      }),
    ]),
  };
}
