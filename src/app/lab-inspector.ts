// The tree inspector of the lab: one tracked dev sentence drawn once per cell, side by side, nodes
// coloured by log10 gh (or gc) on one fixed scale for every cell and epoch, the keyword ringed; a
// slider picks the epoch; hovering a node shows its depth, gh, gc and word.
import { REGISTRY } from '../cells/index.ts';
import { focalIndex, type NodeGrad } from '../reference/grad.ts';
import type { Example } from '../train/dataset.ts';
import { numberNodes } from '../trees/index.ts';
import { colorScale, legendSvg } from './color.ts';
import { fmt, h } from './dom.ts';
import { nextTask } from './gpu.ts';
import type { CellRun } from './lab-run.ts';
import type { Metric } from './stats.ts';
import { treeSvg } from './tree-view.ts';

/** The inspector's colour scale, log10 of a norm: fixed, so colours compare across cells and epochs. */
export const INSPECTOR_SCALE = colorScale([-7, 1]);

/** The inspector's controls and where it draws. */
export interface InspectorElements {
  sentence: HTMLSelectElement;
  epoch: HTMLInputElement;
  epochLabel: HTMLOutputElement;
  metric: HTMLFieldSetElement;
  legend: HTMLElement;
  trees: HTMLElement;
  hover: HTMLElement;
}

/** A short label for a tracked sentence: its number, keyword depth and first words. */
function sentenceLabel(e: Example, i: number): string {
  const words = numberNodes(e.tree).flatMap((n) => (n.node.kind === 'leaf' ? [n.node.word] : []));
  const text = words.slice(0, 8).join(' ') + (words.length > 8 ? ' …' : '');
  const depth = e.keywordDepth === undefined ? '' : `, keyword depth ${e.keywordDepth}`;
  return `${i + 1}: ${words.length} words${depth} · ${text}`;
}

/** What one drawing of the trees needs: the epoch, the sentence, its nodes and each tree's width. */
interface Drawing {
  id: number;
  epoch: number;
  t: number;
  nodes: ReturnType<typeof numberNodes>;
  width: number;
}

/** The tree inspector; `show` redraws it for the current runs. */
export class Inspector {
  private examples: readonly Example[] = [];
  private runs: readonly CellRun[] = [];
  /** Whether the slider follows the newest epoch (until the reader moves it back). */
  private follow = true;
  private metric: Metric = 'gh';
  /** Drawings begun: a drawing spread over tasks gives up when a newer one began. */
  private draws = 0;
  /** The trees' box width, kept by a ResizeObserver (0 until it first reports). */
  private width = 0;

  constructor(private readonly el: InspectorElements) {
    el.sentence.addEventListener('change', () => this.draw());
    el.epoch.addEventListener('input', () => {
      this.follow = Number(el.epoch.value) === Number(el.epoch.max);
      this.draw();
    });
    el.metric.addEventListener('change', (event) => {
      this.metric = (event.target as HTMLInputElement).value === 'gc' ? 'gc' : 'gh';
      this.draw();
    });
    new ResizeObserver(([entry]) => {
      this.width = entry?.contentRect.width ?? 0;
    }).observe(el.trees);
    el.trees.addEventListener('mouseover', (event) => this.hover(event.target));
    el.trees.addEventListener('mouseleave', () => {
      el.hover.textContent = 'Hover a node for its depth, gh, gc and word.';
    });
  }

  /** A new run: the tracked dev sentences to choose from. */
  reset(examples: readonly Example[], runs: readonly CellRun[]): void {
    this.examples = examples;
    this.runs = runs;
    this.follow = true;
    this.el.sentence.replaceChildren(
      ...examples.map((e, i) => h('option', { value: String(i) }, sentenceLabel(e, i))),
    );
    const anyC = runs.some((r) => REGISTRY[r.cell].hasC);
    for (const radio of this.el.metric.querySelectorAll('input')) {
      radio.disabled = radio.value === 'gc' && !anyC;
      radio.checked = radio.value === this.metric;
    }
    if (!anyC) this.metric = 'gh';
    this.show();
  }

  /** Newest epoch every run has norms for. */
  private newest(): number {
    if (this.runs.length === 0) return -1;
    return Math.min(...this.runs.map((r) => r.norms.length - 1));
  }

  /** Updates the slider's range to the epochs measured so far and redraws. */
  show(): void {
    this.slide();
    this.draw();
  }

  /** As show(), building one cell's tree per task (while training, so the page stays free). */
  async showInTasks(): Promise<void> {
    this.slide();
    const draw = this.begin();
    if (!draw) return;
    const figures: HTMLElement[] = [];
    for (const run of this.runs) {
      figures.push(this.figure(run, draw));
      await nextTask();
      if (draw.id !== this.draws) return; // drawn again meanwhile (the slider, the sentence)
    }
    this.el.trees.replaceChildren(...figures);
  }

  /** The epoch the slider is at. */
  get epoch(): number {
    return Number(this.el.epoch.value);
  }

  /** The trees' box width: as last observed, so a drawing never forces a layout (measured once if none yet). */
  private treesWidth(): number {
    if (this.width === 0) this.width = this.el.trees.clientWidth;
    return this.width;
  }

  /** The slider's range: the epochs measured so far (it follows the newest unless moved back). */
  private slide(): void {
    const newest = this.newest();
    const slider = this.el.epoch;
    slider.max = String(Math.max(0, newest));
    slider.disabled = newest < 1;
    if (this.follow || Number(slider.value) > newest) slider.value = String(Math.max(0, newest));
  }

  private draw(): void {
    const draw = this.begin();
    if (draw) this.el.trees.replaceChildren(...this.runs.map((run) => this.figure(run, draw)));
  }

  /** Starts a drawing: the epoch's label and the legend; what the trees need, or none yet. */
  private begin(): Drawing | undefined {
    const { el } = this;
    const id = ++this.draws;
    const epoch = this.epoch;
    el.epochLabel.value = epoch === 0 ? 'initialisation' : `epoch ${epoch}`;
    const t = Number(el.sentence.value);
    const example = this.examples[t];
    const name = this.metric === 'gh' ? 'log10 gh = log10 ‖∂J/∂h‖' : 'log10 gc = log10 ‖∂J/∂c‖';
    if (el.legend.dataset.metric !== this.metric) {
      el.legend.dataset.metric = this.metric;
      el.legend.replaceChildren(
        h('span', { class: 'legend-label' }, `${name}, fixed scale (clamped outside)`),
        legendSvg(INSPECTOR_SCALE, true),
      );
    }
    if (!example || this.newest() < 0) {
      el.trees.replaceChildren(h('p', { class: 'hint' }, 'The trees appear when training starts.'));
      return undefined;
    }
    const nodes = numberNodes(example.tree);
    const width = Math.max(260, (this.treesWidth() - 16) / Math.max(1, this.runs.length) - 16);
    return { id, epoch, t, nodes, width };
  }

  /** One cell's tree of a drawing, with its caption. */
  private figure(run: CellRun, { epoch, t, nodes, width }: Drawing): HTMLElement {
    const grads = run.norms[epoch]?.[t];
    const def = REGISTRY[run.cell];
    const metric: Metric = this.metric === 'gc' && def.hasC ? 'gc' : 'gh';
    if (!grads)
      return h('figure', { class: 'tree-figure' }, h('figcaption', {}, `${def.label}: not measured`));
    const focal = focalIndex(grads, t + 1, undefined);
    const ratio = focal === undefined ? null : grads[focal]!.gh / grads[0]!.gh;
    const caption = [
      def.label,
      metric === this.metric ? '' : `no memory cell: coloured by gh`,
      ratio === null ? 'no keyword' : `gh(keyword)/gh(root) = ${fmt(ratio)}`,
    ]
      .filter(Boolean)
      .join(' · ');
    const svg = treeSvg({ nodes, grads, focal, metric, scale: INSPECTOR_SCALE, width });
    return h(
      'figure',
      { class: 'tree-figure', 'data-cell': run.cell },
      h('figcaption', {}, h('span', { class: 'swatch', style: `background:${def.colour}` }), caption),
      h('div', { class: 'tree-scroll' }, svg),
    );
  }

  /** Shows the hovered node's details in the hover line. */
  private hover(target: EventTarget | null): void {
    if (!(target instanceof SVGCircleElement) || !target.classList.contains('node')) return;
    const cell = target.closest('figure')?.getAttribute('data-cell');
    const run = this.runs.find((r) => r.cell === cell);
    const i = Number(target.dataset.index);
    const t = Number(this.el.sentence.value);
    const grads: NodeGrad[] | undefined = run?.norms[this.epoch]?.[t];
    const g = grads?.[i];
    if (!run || !g) return;
    const info = numberNodes(this.examples[t]!.tree)[i]!;
    const what = info.left < 0 ? `leaf "${g.word ?? ''}"` : i === 0 ? 'root' : 'internal node';
    const parts = [
      `${REGISTRY[run.cell].label}, ${this.epoch === 0 ? 'initialisation' : `epoch ${this.epoch}`}`,
      `node ${i}: ${what}`,
      `depth ${g.depth}`,
      `gh = ${fmt(g.gh)}`,
      g.gc === undefined ? 'gc: none (no memory cell)' : `gc = ${fmt(g.gc)}`,
    ];
    this.el.hover.textContent = parts.join(' · ');
  }
}
