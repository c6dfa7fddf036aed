// Live figures of the lab: each FigureSpec in a card with PNG and SVG export. Chart.js draws them in
// a worker (lab-chart-worker.ts) on each canvas's OffscreenCanvas, so the page's main thread does no
// chart layout or drawing at all; the SVG is the report's renderer (svgPlot) on the same spec.
import type { PlotOptions } from '../report/svg.ts';
import { svgPlot } from '../report/svg.ts';
import { h } from './dom.ts';
import type { ChartReply, ChartRequest } from './lab-chart-worker.ts';
import type { FigureSpec } from './lab-figures.ts';
import { download } from './lab-files.ts';

/** Points with a value, over all series (tests and status read it from data-points). */
export function pointCount(plot: PlotOptions): number {
  return plot.series.reduce(
    (n, s) => n + s.points.filter((p) => p.y !== null && Number.isFinite(p.y)).length,
    0,
  );
}

/** Sends a request to the chart worker (with the objects it takes over). */
type Post = (message: ChartRequest, transfer?: Transferable[]) => void;

/** A live figure: its card in the page and the last spec sent to the worker. */
class LiveFigure {
  readonly element: HTMLElement;
  readonly holder: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private spec: FigureSpec;
  private version = 0;
  private size = { width: 0, height: 0 };
  private pointer: { x: number | null; y: number | null } | undefined;

  constructor(
    spec: FigureSpec,
    private readonly post: Post,
    png: (id: string) => void,
  ) {
    this.spec = spec;
    this.canvas = h('canvas', { 'aria-label': spec.plot.title, role: 'img' });
    const pngButton = h('button', { type: 'button', class: 'small', 'data-export': 'png' }, 'PNG');
    const svgButton = h('button', { type: 'button', class: 'small', 'data-export': 'svg' }, 'SVG');
    pngButton.addEventListener('click', () => png(this.spec.id));
    svgButton.addEventListener('click', () =>
      download(`${this.spec.id}.svg`, new Blob([svgPlot(this.spec.plot)], { type: 'image/svg+xml' })),
    );
    this.holder = h('div', { class: 'lab-canvas' }, this.canvas);
    this.element = h(
      'figure',
      { class: 'lab-figure', id: `figure-${spec.id}`, 'data-drawn': 'false' },
      this.holder,
      h('figcaption', {}, h('span', { class: 'export' }, 'export ', pngButton, ' ', svgButton)),
    );
    // The tooltip: the pointer's position, sent at most once a frame.
    this.canvas.addEventListener('mousemove', (event) => this.hover(event.offsetX, event.offsetY));
    this.canvas.addEventListener('mouseleave', () => this.hover(null, null));
    this.mark();
  }

  /**
   * The holder's size, from the ResizeObserver (so no script ever forces a layout): the first hands
   * the canvas to the worker with the spec, later ones resize the chart.
   */
  resized(width: number, height: number): void {
    const size = { width: Math.max(1, Math.round(width)), height: Math.max(1, Math.round(height)) };
    if (size.width === this.size.width && size.height === this.size.height) return;
    const first = this.size.width === 0;
    this.size = size;
    if (!first) {
      this.post({ kind: 'resize', id: this.spec.id, ...size, ratio: devicePixelRatio });
      return;
    }
    const offscreen = this.canvas.transferControlToOffscreen();
    this.post(
      {
        kind: 'create',
        id: this.spec.id,
        canvas: offscreen,
        ...size,
        ratio: devicePixelRatio,
        plot: this.spec.plot,
        version: this.version,
      },
      [offscreen],
    );
  }

  /** Redraws with a new spec of the same figure (drawn once the chart exists). */
  update(spec: FigureSpec): void {
    this.spec = spec;
    this.mark();
    if (this.size.width > 0)
      this.post({ kind: 'update', id: spec.id, plot: spec.plot, version: this.version });
  }

  /** The worker has drawn `version`: the card says whether it shows the newest spec. */
  drawn(version: number): void {
    if (version === this.version) this.element.dataset.drawn = 'true';
  }

  /** Frees the chart. */
  destroy(): void {
    this.post({ kind: 'destroy', id: this.spec.id });
  }

  private mark(): void {
    this.version++;
    this.element.dataset.drawn = 'false';
    this.element.dataset.points = String(pointCount(this.spec.plot));
    this.element.dataset.series = String(this.spec.plot.series.length);
    this.canvas.setAttribute('aria-label', this.spec.plot.title);
  }

  private hover(x: number | null, y: number | null): void {
    const waiting = this.pointer !== undefined;
    this.pointer = { x, y };
    if (waiting) return;
    requestAnimationFrame(() => {
      const at = this.pointer ?? { x: null, y: null };
      this.pointer = undefined;
      this.post({ kind: 'hover', id: this.spec.id, ...at });
    });
  }
}

/** Keeps one LiveFigure per spec id in `container`, in spec order; drops figures no longer listed. */
export class FigureBoard {
  private readonly figures = new Map<string, LiveFigure>();
  private worker: Worker | undefined;
  private readonly pngs = new Map<number, string>();
  private requests = 0;
  private readonly resizer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const id = (entry.target.parentElement as HTMLElement | null)?.id.replace(/^figure-/, '');
      const { width, height } = entry.contentRect;
      if (id !== undefined && width > 0 && height > 0) this.figures.get(id)?.resized(width, height);
    }
  });

  constructor(private readonly container: HTMLElement) {}

  /**
   * Shows `specs`, creating, updating or removing figures. The page only posts the specs: the
   * worker lays out and draws, a figure per task. A new figure's chart is made once the page has
   * laid its card out (the ResizeObserver's first size).
   */
  show(specs: readonly FigureSpec[]): void {
    const ids = new Set(specs.map((s) => s.id));
    for (const [id, figure] of this.figures) {
      if (!ids.has(id)) {
        figure.destroy();
        this.resizer.unobserve(figure.holder);
        figure.element.remove();
        this.figures.delete(id);
      }
    }
    const made: LiveFigure[] = [];
    for (const spec of specs) {
      const figure = this.figures.get(spec.id);
      if (figure) figure.update(spec);
      else {
        const figure = new LiveFigure(spec, this.post, this.png);
        this.figures.set(spec.id, figure);
        made.push(figure);
      }
    }
    this.place(specs);
    for (const figure of made) this.resizer.observe(figure.holder);
  }

  /** Removes every figure. */
  clear(): void {
    for (const figure of this.figures.values()) {
      figure.destroy();
      this.resizer.unobserve(figure.holder);
    }
    this.figures.clear();
    this.container.replaceChildren();
  }

  private readonly post: Post = (message, transfer = []) => {
    if (!this.worker) {
      this.worker = new Worker(new URL('./lab-chart-worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (event: MessageEvent<ChartReply>) => this.reply(event.data);
      this.worker.onerror = (event) => console.error(`the figures' worker failed: ${event.message}`);
    }
    this.worker.postMessage(message, transfer);
  };

  /** Asks the worker for a figure's PNG; downloads it when it comes. */
  private readonly png = (id: string): void => {
    const request = ++this.requests;
    this.pngs.set(request, id);
    this.post({ kind: 'png', id, request });
  };

  private reply(message: ChartReply): void {
    if (message.kind === 'drawn') this.figures.get(message.id)?.drawn(message.version);
    else if (message.kind === 'png') {
      const id = this.pngs.get(message.request);
      this.pngs.delete(message.request);
      if (id !== undefined && message.blob) download(`${id}.png`, message.blob);
    } else console.error(`figure ${message.id}: ${message.message}`);
  }

  /** Puts the figures that exist in spec order. */
  private place(specs: readonly FigureSpec[]): void {
    const elements = specs.flatMap((s) => this.figures.get(s.id)?.element ?? []);
    const same =
      elements.length === this.container.children.length &&
      elements.every((e, i) => this.container.children[i] === e);
    if (!same) this.container.replaceChildren(...elements);
  }
}
