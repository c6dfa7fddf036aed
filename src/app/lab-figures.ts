// The lab's figures as data: one PlotOptions per figure (the report's own plot description, so
// the SVG export is the report's renderer), with the report's axes, cell colours and markers, and
// its sequential palette for epochs. lab-charts.ts draws the same specs live with Chart.js (in a worker).
import { CELLS, REGISTRY } from '../cells/index.ts';
import { type Marker, niceTicks, type PlotOptions, SEQUENTIAL, type Series } from '../report/svg.ts';
import type { CellRun } from './lab-run.ts';

/** One figure: a stable id (element ids, file names) and what to plot. */
export interface FigureSpec {
  id: string;
  plot: PlotOptions;
}

/** The report's marker per cell: by the cell's place in the registry. */
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond'];

/** A cell's colour and marker, as in the report. */
export function cellStyle(cell: CellRun['cell']): { color: string; marker: Marker } {
  return { color: REGISTRY[cell].colour, marker: MARKERS[CELLS.indexOf(cell) % MARKERS.length] ?? 'circle' };
}

/** Up to SEQUENTIAL.length epochs, evenly spread, always the first and the last (as the report). */
export function pickEpochs(epochs: readonly number[]): number[] {
  const most = SEQUENTIAL.length;
  if (epochs.length <= most) return [...epochs];
  const step = (epochs.length - 1) / (most - 1);
  return [...new Set(Array.from({ length: most }, (_, i) => epochs[Math.round(i * step)] as number))];
}

/** One curve per epoch (initialisation first), coloured early = pale to late = dark. */
function epochCurves(entries: readonly { epoch: number; points: Series['points'] }[]): Series[] {
  const shown = pickEpochs(entries.map((e) => e.epoch));
  const kept = entries.filter((e) => shown.includes(e.epoch));
  return kept.map((e, i) => ({
    label: e.epoch === 0 ? 'initialisation' : `epoch ${e.epoch}`,
    color: SEQUENTIAL[Math.round((i * (SEQUENTIAL.length - 1)) / Math.max(1, kept.length - 1))] as string,
    points: e.points,
  }));
}

/** A y domain shared by several plots: round ticks over their values and 0. */
function sharedDomain(series: readonly Series[][]): [number, number] {
  const ys = series.flat().flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const ticks = niceTicks(Math.min(0, ...ys), Math.max(0, ...ys));
  return [ticks[0] ?? -1, ticks[ticks.length - 1] ?? 0];
}

/** Whether the data has keyword depths (the keyword task, or own trees with one k-word each). */
export function hasKeywords(runs: readonly CellRun[]): boolean {
  return runs.some((r) => r.history.log10RatioByDepth.some((e) => Object.keys(e.byDepth).length > 0));
}

/**
 * Every figure of the lab for these runs, all of them from the start of a run (empty until their
 * epochs come): `classes` sets the chance line, `keywords` adds the figures by keyword depth, `own`
 * gradient reach.
 */
export function labFigures(
  runs: readonly CellRun[],
  classes: number,
  kinds: { keywords: boolean; own: boolean },
): FigureSpec[] {
  const { keywords, own } = kinds;
  const chance = [{ y: 1 / classes, label: `chance ${Math.round(100 / classes)}%` }];
  const perCell = (f: (r: CellRun) => Series['points']): Series[] =>
    runs.map((r) => ({ label: REGISTRY[r.cell].label, ...cellStyle(r.cell), points: f(r) }));
  const figures: FigureSpec[] = [
    {
      id: 'loss',
      plot: {
        title: 'Training loss per epoch',
        xLabel: 'epoch',
        yLabel: 'mean loss',
        series: perCell((r) => r.history.trainLoss.map((y, i) => ({ x: i + 1, y }))),
        integerX: true,
      },
    },
    {
      id: 'dev-accuracy',
      plot: {
        title: 'Dev accuracy per epoch',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: perCell((r) => r.history.devAccuracy.map((y, i) => ({ x: i + 1, y }))),
        refLines: chance,
        yDomain: [0, 1],
        integerX: true,
      },
    },
  ];
  if (keywords || hasKeywords(runs)) {
    const last = Math.max(0, ...runs.map((r) => r.devAccuracyByDepth.length));
    figures.push({
      id: 'depth-accuracy',
      plot: {
        title: `Dev accuracy by keyword depth${last > 0 ? ', latest epoch' : ''}`,
        xLabel: 'keyword depth',
        yLabel: 'accuracy',
        series: perCell((r) =>
          Object.entries(r.devAccuracyByDepth.at(-1)?.byDepth ?? {}).map(([d, v]) => ({
            x: Number(d),
            y: v.mean,
          })),
        ),
        refLines: chance,
        yDomain: [0, 1],
        integerX: true,
      },
    });
    const curves = runs.map((r) =>
      epochCurves(
        r.history.log10RatioByDepth.map((e) => ({
          epoch: e.epoch,
          points: Object.entries(e.byDepth).map(([d, v]) => ({ x: Number(d), y: v.mean })),
        })),
      ),
    );
    const yDomain = sharedDomain(curves);
    for (const [i, r] of runs.entries())
      figures.push({
        id: `ratio-${r.cell}`,
        plot: {
          title: `${REGISTRY[r.cell].label}: mean log10(gh(keyword) / gh(root))`,
          xLabel: 'keyword depth',
          yLabel: 'mean log10 r',
          series: curves[i] ?? [],
          yDomain,
          integerX: true,
        },
      });
  }
  if (own) {
    const curves = runs.map((r) =>
      epochCurves(
        r.gradientReach.map((e) => ({
          epoch: e.epoch,
          points: e.byDepth.map((p) => ({ x: p.depth, y: p.mean })),
        })),
      ),
    );
    const yDomain = sharedDomain(curves);
    for (const [i, r] of runs.entries())
      figures.push({
        id: `reach-${r.cell}`,
        plot: {
          title: `${REGISTRY[r.cell].label}: gradient reach, mean log10 gh(n) / gh(root)`,
          xLabel: 'node depth',
          yLabel: 'mean log10 gh / gh(root)',
          series: curves[i] ?? [],
          refLines: [{ y: -3, label: '10⁻³ of the root' }],
          yDomain: [Math.min(yDomain[0], -3), yDomain[1]],
          integerX: true,
        },
      });
  }
  return figures;
}
