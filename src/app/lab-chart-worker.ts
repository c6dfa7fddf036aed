// The lab's live figures, drawn off the page's main thread: Chart.js on the OffscreenCanvas of each
// figure's canvas (lab-charts.ts sends them here). Creating and laying out a chart takes tens of ms
// of script, which here never holds the page. Several updates of one figure while a draw is queued
// coalesce into one draw of the newest.
import {
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import type { Marker, PlotOptions } from '../report/svg.ts';

/** What the page asks of the worker: one figure, named by id. */
export type ChartRequest =
  | {
      kind: 'create';
      id: string;
      canvas: OffscreenCanvas;
      width: number;
      height: number;
      ratio: number;
      plot: PlotOptions;
      version: number;
    }
  | { kind: 'update'; id: string; plot: PlotOptions; version: number }
  | { kind: 'resize'; id: string; width: number; height: number; ratio: number }
  /** The pointer at (x, y) in CSS pixels of the canvas, or left it (null). */
  | { kind: 'hover'; id: string; x: number | null; y: number | null }
  | { kind: 'png'; id: string; request: number }
  | { kind: 'destroy'; id: string };

/** What the worker answers: a PNG asked for, a figure drawn (the version of its spec), or an error. */
export type ChartReply =
  | { kind: 'png'; request: number; blob: Blob | null }
  | { kind: 'drawn'; id: string; version: number }
  | { kind: 'error'; id: string; message: string };

type LineChart = Chart<'line', { x: number; y: number | null }[]>;

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Title, Tooltip);

/** Chart.js point styles for the report's markers. */
const POINT_STYLE: Record<Marker, 'circle' | 'rect' | 'triangle' | 'rectRot'> = {
  circle: 'circle',
  square: 'rect',
  triangle: 'triangle',
  diamond: 'rectRot',
};

/** Legend and tooltip: small markers, the report's shapes, in the series' colours. */
const FONT = { size: 11 };

/** A white background, so exported PNGs are not transparent. */
const whiteBackground: Plugin<'line'> = {
  id: 'white-background',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** How many of the chart's points and line samples fall in a box (a label's place). */
function covered(chart: LineChart, box: { x: number; y: number; w: number; h: number }): number {
  const inside = (x: number, y: number) =>
    x >= box.x - 4 && x <= box.x + box.w + 4 && y >= box.y - 4 && y <= box.y + box.h + 4;
  let n = 0;
  for (const meta of chart.getSortedVisibleDatasetMetas()) {
    const points = meta.data.map((p) => ({ x: p.x, y: p.y })).filter((p) => Number.isFinite(p.y));
    for (const [i, p] of points.entries()) {
      if (inside(p.x, p.y)) n += 4;
      const q = points[i + 1];
      if (q) for (let t = 0.1; t < 1; t += 0.1) if (inside(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))) n++;
    }
  }
  return n;
}

/**
 * The report's dashed reference lines (e.g. chance), drawn across the plot; each label goes at the
 * end of its line (right or left, above or below) that the fewest points and curves cross.
 */
const refLines: Plugin<'line'> = {
  id: 'ref-lines',
  afterDatasetsDraw(chart) {
    const lines = (chart.options.plugins as { refLines?: PlotOptions['refLines'] }).refLines ?? [];
    const { ctx, chartArea: area, scales } = chart;
    const y = scales.y;
    if (!y) return;
    ctx.save();
    for (const line of lines) {
      const py = y.getPixelForValue(line.y);
      if (py < area.top || py > area.bottom) continue;
      ctx.strokeStyle = '#888';
      ctx.lineWidth = 1;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = '11px system-ui, sans-serif';
      const w = ctx.measureText(line.label).width + 4;
      const h = 13;
      const places = [
        { x: area.right - w - 2, y: py - h - 2 },
        { x: area.left + 2, y: py - h - 2 },
        { x: area.right - w - 2, y: py + 3 },
        { x: area.left + 2, y: py + 3 },
      ].filter((p) => p.y >= area.top && p.y + h <= area.bottom);
      const best = places
        .map((p) => ({ ...p, cost: covered(chart as unknown as LineChart, { ...p, w, h }) }))
        .sort((a, b) => a.cost - b.cost)[0];
      if (!best) continue;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(best.x, best.y, w, h);
      ctx.fillStyle = '#555';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(line.label, best.x + 2, best.y + 1);
    }
    ctx.restore();
  },
};

/** Chart.js datasets of a plot: {x, y} points, gaps for missing values. */
function datasets(plot: PlotOptions): ChartDataset<'line', { x: number; y: number | null }[]>[] {
  return plot.series.map((s) => ({
    label: s.label,
    data: s.points.map((p) => ({ x: p.x, y: p.y !== null && Number.isFinite(p.y) ? p.y : null })),
    borderColor: s.color,
    backgroundColor: s.color,
    pointStyle: POINT_STYLE[s.marker ?? 'circle'],
    pointRadius: 3,
    pointHoverRadius: 5,
    showLine: s.line !== false,
    borderDash: s.dashed ? [6, 4] : [],
    borderWidth: 2,
    spanGaps: false,
  }));
}

/** A tick's text without Intl (whose first formatter costs tens of ms): −0.5, 1, 1e-3. */
function tickLabel(value: number | string): string {
  const v = Number(value);
  const text = Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(6))) : v.toExponential(0);
  return text.replace('-', '−');
}

/** A new chart of `plot` on `canvas`, `width` × `height` CSS pixels at `ratio` device pixels each. */
function makeChart(canvas: OffscreenCanvas, width: number, height: number, ratio: number, plot: PlotOptions) {
  canvas.width = width;
  canvas.height = height;
  // Chart.js takes an OffscreenCanvas (its types name only the element).
  return new Chart<'line', { x: number; y: number | null }[]>(canvas as unknown as HTMLCanvasElement, {
    type: 'line',
    data: { datasets: datasets(plot) },
    plugins: [whiteBackground, refLines],
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: ratio,
      parsing: false,
      normalized: true,
      events: [],
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: plot.xLabel },
          ticks: { stepSize: plot.integerX ? 1 : undefined, callback: tickLabel },
          ...(plot.xDomain ? { min: plot.xDomain[0], max: plot.xDomain[1] } : {}),
        },
        y: {
          type: 'linear',
          title: { display: true, text: plot.yLabel },
          ticks: { callback: tickLabel },
          ...(plot.yDomain ? { min: plot.yDomain[0], max: plot.yDomain[1] } : {}),
        },
      },
      plugins: {
        title: { display: true, text: plot.title, font: { size: 13, weight: 'bold' } },
        legend: {
          position: 'right',
          labels: { usePointStyle: true, pointStyleWidth: 10, boxWidth: 6, boxHeight: 6, font: FONT },
        },
        tooltip: { mode: 'nearest', intersect: false, usePointStyle: true, boxWidth: 6, boxHeight: 6 },
        ...({ refLines: plot.refLines ?? [] } as object),
      },
    },
  });
}

/** Puts a new spec of the same figure into its chart (drawn by the caller). */
function setPlot(chart: LineChart, plot: PlotOptions): void {
  chart.data.datasets = datasets(plot);
  const options = chart.options;
  if (options.plugins?.title) options.plugins.title.text = plot.title;
  (options.plugins as { refLines?: unknown }).refLines = plot.refLines ?? [];
  const y = options.scales?.y;
  if (y && plot.yDomain) Object.assign(y, { min: plot.yDomain[0], max: plot.yDomain[1] });
}

const charts = new Map<string, LineChart>();
/** Figures whose newest spec is not drawn yet. */
const pending = new Map<string, { plot: PlotOptions; version: number }>();
let drawing: ReturnType<typeof setTimeout> | undefined;

const scope = self as unknown as {
  postMessage(message: ChartReply): void;
  onmessage: ((event: MessageEvent<ChartRequest>) => void) | null;
};

/** Draws the pending figures, one per task, so that a newer spec can still replace a queued one. */
function drawSoon(): void {
  if (drawing !== undefined) return;
  drawing = setTimeout(() => {
    drawing = undefined;
    const next = pending.entries().next();
    if (next.done) return;
    const [id, { plot, version }] = next.value;
    pending.delete(id);
    const chart = charts.get(id);
    if (chart) {
      setPlot(chart, plot);
      chart.update('none');
      scope.postMessage({ kind: 'drawn', id, version });
    }
    if (pending.size > 0) drawSoon();
  }, 0);
}

/** Shows the tooltip of the point nearest (x, y), or none. */
function hover(chart: LineChart, x: number | null, y: number | null): void {
  // getElementsAtEventForMode takes an event; one with `native` is read as chart coordinates.
  const at = { type: 'mousemove', native: null, x, y } as unknown as Event;
  const active =
    x === null || y === null
      ? []
      : chart.getElementsAtEventForMode(at, 'nearest', { intersect: false }, false);
  chart.setActiveElements(active);
  chart.tooltip?.setActiveElements(active, { x: x ?? 0, y: y ?? 0 });
  chart.update('none');
}

function handle(message: ChartRequest): void {
  const chart = charts.get(message.id);
  switch (message.kind) {
    case 'create': {
      const { canvas, width, height, ratio, plot, version } = message;
      charts.set(message.id, makeChart(canvas, width, height, ratio, plot));
      scope.postMessage({ kind: 'drawn', id: message.id, version });
      return;
    }
    case 'update':
      pending.set(message.id, { plot: message.plot, version: message.version });
      drawSoon();
      return;
    case 'resize':
      if (!chart) return;
      chart.options.devicePixelRatio = message.ratio;
      chart.resize(message.width, message.height);
      return;
    case 'hover':
      if (chart) hover(chart, message.x, message.y);
      return;
    case 'png': {
      const canvas = chart?.canvas as OffscreenCanvas | undefined;
      const reply = (blob: Blob | null) => scope.postMessage({ kind: 'png', request: message.request, blob });
      if (!canvas) reply(null);
      else canvas.convertToBlob({ type: 'image/png' }).then(reply, () => reply(null));
      return;
    }
    case 'destroy':
      chart?.destroy();
      charts.delete(message.id);
      pending.delete(message.id);
      return;
  }
}

scope.onmessage = (event) => {
  try {
    handle(event.data);
  } catch (error) {
    scope.postMessage({
      kind: 'error',
      id: event.data.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
