// The results of one computation in the page: headline numbers, the trees with their legend, and a
// per-tree table when there are several trees.
import { colorScale, legendSvg } from './color.ts';
import type { Comparison, RunResult } from './compute.ts';
import { fmt, h } from './dom.ts';
import { type Metric, logExtent, meanLog10, treeRatios } from './stats.ts';
import { treeSvg } from './tree-view.ts';

/** Relative GPU–Float64 difference under which the page calls the two in agreement (float32 norms). */
const AGREE = 1e-3;

/** One headline number: a label, the value (with an id and data-value for scripts) and a note. */
function stat(label: string, value: string, note: string, id?: string, data?: string): HTMLElement {
  const output = h('output', { id, 'data-value': data }, value);
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), output, h('small', {}, note));
}

/** The Float64 comparison as a headline number. */
function comparisonStat(reference: Comparison | string): HTMLElement {
  if (typeof reference === 'string') return stat('Float64 check', '—', reference);
  const { worst } = reference;
  const ok = worst.rel <= AGREE && reference.lossRel <= AGREE;
  const el = stat(
    `Float64 check: ${ok ? 'agrees' : 'differs'}`,
    fmt(worst.rel, 2),
    `worst relative difference, ${worst.which} of node ${worst.node} (tree ${worst.tree + 1}); ` +
      `loss ${fmt(reference.lossRel, 2)}; reference ${reference.ms.toFixed(0)} ms`,
    'compare-result',
    String(worst.rel),
  );
  el.classList.add(ok ? 'good' : 'bad');
  return el;
}

/** Fills `el` with the loss, the keyword ratio and its log10, the size of the input and the time. */
export function renderStats(el: HTMLElement, result: RunResult): void {
  const { request, grads } = result;
  const ratios = treeRatios(grads.nodes, grads.ratios);
  const mean = meanLog10(grads.ratios);
  const withKeyword = ratios.filter((r) => r.ratio !== null);
  const one = ratios.length === 1 ? ratios[0] : undefined;
  const where = one
    ? one.focal === undefined
      ? 'no single keyword leaf (k + digits) in the tree'
      : `keyword "${grads.nodes[0]![one.focal]!.word}" at depth ${one.depth}`
    : `geometric mean over ${withKeyword.length} of ${ratios.length} trees with a keyword`;
  const nodes = request.infos.reduce((n, t) => n + t.length, 0);
  const depth = Math.max(...request.infos.flatMap((t) => t.map((n) => n.depth)));
  const ratio = mean === null ? null : 10 ** mean;
  const logNote =
    mean === Number.NEGATIVE_INFINITY
      ? 'the keyword’s gradient underflowed to 0 in float32'
      : 'below 0: the gradient shrinks on its way down';
  el.replaceChildren(
    stat(
      'Loss',
      fmt(grads.loss, 4),
      `mean cross-entropy, ${request.classes} classes`,
      'loss',
      String(grads.loss),
    ),
    stat(
      'gh(keyword) / gh(root)',
      ratio === null ? '—' : fmt(ratio),
      where,
      'ratio',
      ratio === null ? '' : String(ratio),
    ),
    stat('log10 ratio', mean === null ? '—' : fmt(mean), logNote, 'log-ratio'),
    stat(
      'Input',
      `${nodes} nodes`,
      `${request.trees.length} tree${request.trees.length > 1 ? 's' : ''}, depth ≤ ${depth}, ${request.vocab.length} words`,
    ),
    stat(
      result.device ? 'CPU time' : 'GPU time',
      `${result.ms.toFixed(0)} ms`,
      result.device
        ? `${result.device}, ${request.cell.toUpperCase()}, d = ${request.dim}`
        : `${request.cell.toUpperCase()}, d = ${request.dim}, pipelines included`,
    ),
  );
  if (result.reference !== undefined) el.append(comparisonStat(result.reference));
}

/** Draws every tree coloured by `metric` into `el` and the colour legend into `legendBox`. */
export function renderTrees(
  el: HTMLElement,
  legendBox: HTMLElement,
  result: RunResult,
  metric: Metric,
): void {
  const { request, grads } = result;
  const scale = colorScale(logExtent(grads.nodes, metric));
  const zeros = grads.nodes.some((t) => t.some((n) => (n[metric] ?? 0) === 0));
  const name = metric === 'gh' ? 'log10 gh = log10 ‖∂J/∂h‖' : 'log10 gc = log10 ‖∂J/∂c‖';
  legendBox.replaceChildren(h('span', { class: 'legend-label' }, name), legendSvg(scale, zeros));
  const ratios = treeRatios(grads.nodes, grads.ratios);
  const width = Math.max(320, el.clientWidth - 24);
  el.replaceChildren(
    ...request.infos.map((nodes, t) => {
      const r = ratios[t]!;
      const caption = [
        `Tree ${t + 1}`,
        `label ${request.labels[t]}`,
        `${nodes.length} nodes`,
        r.ratio === null ? 'no keyword' : `keyword at depth ${r.depth}: ratio ${fmt(r.ratio)}`,
      ].join(' · ');
      const svg = treeSvg({ nodes, grads: grads.nodes[t]!, focal: r.focal, metric, scale, width });
      return h(
        'figure',
        { class: 'tree-figure' },
        h('figcaption', {}, caption),
        h('div', { class: 'tree-scroll' }, svg),
      );
    }),
  );
}

/** A table of the trees (keyword depth, ratio, log10 ratio); empty for a single tree. */
export function renderTable(el: HTMLElement, result: RunResult): void {
  const { request, grads } = result;
  if (request.trees.length < 2) {
    el.replaceChildren();
    return;
  }
  const head = h(
    'tr',
    {},
    ...['tree', 'label', 'nodes', 'keyword', 'depth', 'gh(keyword)/gh(root)', 'log10'].map((c) =>
      h('th', {}, c),
    ),
  );
  const rows = treeRatios(grads.nodes, grads.ratios).map((r, t) =>
    h(
      'tr',
      {},
      ...[
        String(t + 1),
        String(request.labels[t]),
        String(request.infos[t]!.length),
        r.focal === undefined ? '—' : (grads.nodes[t]![r.focal]!.word ?? ''),
        r.depth === undefined ? '—' : String(r.depth),
        r.ratio === null ? '—' : fmt(r.ratio),
        r.ratio === null ? '—' : fmt(Math.log10(r.ratio)),
      ].map((c) => h('td', {}, c)),
    ),
  );
  el.replaceChildren(h('table', { class: 'per-tree' }, h('thead', {}, head), h('tbody', {}, ...rows)));
}
