// Live Chart.js figures of the lab: each FigureSpec drawn in a card with PNG and SVG export; the
// SVG is the report's renderer (svgPlot) on the same spec. Updated in place, without animation.
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
import { svgPlot } from '../report/svg.ts';
import { h } from './dom.ts';
import { nextTask } from './gpu.ts';
import type { FigureSpec } from './lab-figures.ts';
import { download } from './lab-files.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Title, Tooltip);

/** Chart.js point styles for the report's markers. */
const POINT_STYLE: Record<Marker, 'circle' | 'rect' | 'triangle' | 'rectRot'> = {
  circle: 'circle',
  square: 'rect',
  triangle: 'triangle',
  diamond: 'rectRot',
};

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

/** The report's dashed reference lines (e.g. chance), drawn across the plot and labelled. */
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
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#555';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.fillText(line.label, area.left + 4, py - 4);
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
    pointRadius: 3.5,
    showLine: s.line !== false,
    borderDash: s.dashed ? [6, 4] : [],
    borderWidth: 2,
    spanGaps: false,
  }));
}

/** A tick's text without Intl (whose first formatter costs a page tens of ms): −0.5, 1, 1e-3. */
function tickLabel(value: number | string): string {
  const v = Number(value);
  const text = Math.abs(v) >= 1e-3 || v === 0 ? String(Number(v.toPrecision(6))) : v.toExponential(0);
  return text.replace('-', '−');
}

/** Points with a value, over all series (tests and status read it from data-points). */
export function pointCount(plot: PlotOptions): number {
  return plot.series.reduce(
    (n, s) => n + s.points.filter((p) => p.y !== null && Number.isFinite(p.y)).length,
    0,
  );
}

/** A live figure: its card in the page, the chart in it, and the last spec drawn. */
export class LiveFigure {
  readonly element: HTMLElement;
  private chart!: Chart<'line', { x: number; y: number | null }[]>;
  private readonly canvas: HTMLCanvasElement;
  private spec: FigureSpec;

  /** The figure's card; `draw` makes its chart once the card is in the page (one layout, not two). */
  constructor(spec: FigureSpec) {
    this.spec = spec;
    const canvas = h('canvas', { 'aria-label': spec.plot.title, role: 'img' });
    this.canvas = canvas;
    const png = h('button', { type: 'button', class: 'small', 'data-export': 'png' }, 'PNG');
    const svg = h('button', { type: 'button', class: 'small', 'data-export': 'svg' }, 'SVG');
    png.addEventListener('click', () =>
      download(`${this.spec.id}.png`, this.chart.toBase64Image('image/png', 1)),
    );
    svg.addEventListener('click', () =>
      download(`${this.spec.id}.svg`, new Blob([svgPlot(this.spec.plot)], { type: 'image/svg+xml' })),
    );
    this.element = h(
      'figure',
      { class: 'lab-figure', id: `figure-${spec.id}` },
      h('div', { class: 'lab-canvas' }, canvas),
      h('figcaption', {}, h('span', { class: 'export' }, 'export ', png, ' ', svg)),
    );
  }

  /** Makes the chart (the card must be in the page). */
  draw(): void {
    const { plot } = this.spec;
    this.chart = new Chart<'line', { x: number; y: number | null }[]>(this.canvas, {
      type: 'line',
      data: { datasets: datasets(plot) },
      plugins: [whiteBackground, refLines],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
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
          legend: { position: 'right', labels: { usePointStyle: true, boxWidth: 8, font: { size: 11 } } },
          tooltip: { mode: 'nearest', intersect: false },
          ...({ refLines: plot.refLines ?? [] } as object),
        },
      },
    });
    this.update(this.spec);
  }

  /** Redraws with a new spec of the same figure. */
  update(spec: FigureSpec): void {
    this.spec = spec;
    const { plot } = spec;
    this.chart.data.datasets = datasets(plot);
    const options = this.chart.options;
    if (options.plugins?.title) options.plugins.title.text = plot.title;
    (options.plugins as { refLines?: unknown }).refLines = plot.refLines ?? [];
    const y = options.scales?.y;
    if (y && plot.yDomain) Object.assign(y, { min: plot.yDomain[0], max: plot.yDomain[1] });
    this.chart.update('none');
    this.element.dataset.points = String(pointCount(plot));
    this.element.dataset.series = String(plot.series.length);
  }

  /** Frees the chart. */
  destroy(): void {
    this.chart.destroy();
  }
}

/** Keeps one LiveFigure per spec id in `container`, in spec order; drops figures no longer listed. */
export class FigureBoard {
  private readonly figures = new Map<string, LiveFigure>();

  constructor(private readonly container: HTMLElement) {}

  /**
   * Draws `specs` (creating, updating or removing figures), one figure per task so that the page's
   * main thread is never held for long.
   */
  async show(specs: readonly FigureSpec[]): Promise<void> {
    const ids = new Set(specs.map((s) => s.id));
    for (const [id, figure] of this.figures) {
      if (!ids.has(id)) {
        figure.destroy();
        figure.element.remove();
        this.figures.delete(id);
      }
    }
    for (const spec of specs) {
      const figure = this.figures.get(spec.id);
      if (figure) figure.update(spec);
      else {
        const made = new LiveFigure(spec);
        this.figures.set(spec.id, made);
        this.place(specs);
        made.draw();
      }
      await nextTask();
    }
    this.place(specs);
  }

  /** Puts the figures that exist in spec order. */
  private place(specs: readonly FigureSpec[]): void {
    const elements = specs.flatMap((s) => this.figures.get(s.id)?.element ?? []);
    const same =
      elements.length === this.container.children.length &&
      elements.every((e, i) => this.container.children[i] === e);
    if (!same) this.container.replaceChildren(...elements);
  }

  /** Removes every figure. */
  clear(): void {
    for (const figure of this.figures.values()) figure.destroy();
    this.figures.clear();
    this.container.replaceChildren();
  }
}
