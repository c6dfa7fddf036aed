// One tree as an SVG: the tidy layout, nodes coloured by log10 of a gradient norm, leaf words,
// the keyword leaf ringed, and a tooltip (<title>) on every node.
import type { NodeGrad } from '../reference/grad.ts';
import type { NodeInfo } from '../trees/index.ts';
import type { ColorScale } from './color.ts';
import { fmt, s } from './dom.ts';
import { tidyLayout } from './layout.ts';
import { type Metric, log10 } from './stats.ts';

/** What one tree's picture needs. */
export interface TreeViewInput {
  nodes: readonly NodeInfo[];
  grads: readonly NodeGrad[];
  /** Pre-order index of the keyword leaf, if any. */
  focal: number | undefined;
  metric: Metric;
  scale: ColorScale;
  /** Width to fit in (px); trees too wide even at the smallest spacing scroll. */
  width: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The tooltip of node i: what it is, depth, gh, gc and log10 gh/gh(root). */
function tooltip(input: TreeViewInput, i: number): string {
  const g = input.grads[i]!;
  const info = input.nodes[i]!;
  const root = input.grads[0]!.gh;
  const what =
    info.left < 0
      ? `leaf "${g.word ?? ''}"${i === input.focal ? ' (keyword)' : ''}`
      : i === 0
        ? 'root'
        : 'internal node';
  const lines = [`node ${i}: ${what}`, `depth ${info.depth}, height ${info.height}`, `gh = ${fmt(g.gh)}`];
  if (g.gc !== undefined) lines.push(`gc = ${fmt(g.gc)}`);
  lines.push(`log10 gh/gh(root) = ${root > 0 ? fmt(log10(g.gh / root)) : 'n/a'}`);
  return lines.join('\n');
}

/** Draws one tree; the picture scrolls in its container when the tree is large. */
export function treeSvg(input: TreeViewInput): SVGSVGElement {
  const layout = tidyLayout(input.nodes);
  const leafGap = clamp((input.width - 40) / layout.leaves, 12, 44);
  const levelGap = clamp(440 / Math.max(1, layout.depth), 14, 56);
  const r = clamp(Math.min(leafGap, levelGap) * 0.3, 3.5, 9);
  const labels = leafGap >= 34 ? 'flat' : leafGap >= 11 ? 'turned' : 'none';
  const pad = {
    x: leafGap / 2 + r + 6,
    top: r + 8,
    bottom: labels === 'flat' ? 24 : labels === 'turned' ? 44 : 10,
  };
  const width = pad.x * 2 + (layout.leaves - 1) * leafGap;
  const height = pad.top + pad.bottom + layout.depth * levelGap + r;
  const px = (i: number) => pad.x + layout.x[i]! * leafGap;
  const py = (i: number) => pad.top + layout.y[i]! * levelGap;

  const edges = s('g', { class: 'edges' });
  const circles = s('g', { class: 'nodes' });
  const words = s('g', { class: 'words' });
  for (const info of input.nodes) {
    const i = info.index;
    const [x, y] = [px(i), py(i)];
    if (info.left >= 0) {
      for (const child of [info.left, info.right]) {
        edges.append(s('line', { x1: x, y1: y, x2: px(child), y2: py(child) }));
      }
    }
    const g = input.grads[i]!;
    const value = log10(g[input.metric] ?? 0);
    const keyword = i === input.focal;
    if (keyword) circles.append(s('circle', { class: 'ring', cx: x, cy: y, r: r + 3.5 }));
    circles.append(
      s(
        'circle',
        { class: 'node', cx: x, cy: y, r, fill: input.scale.color(value), 'data-index': i },
        s('title', {}, tooltip(input, i)),
      ),
    );
    if (info.left < 0 && labels !== 'none') {
      const ty = y + r + 5;
      const attrs =
        labels === 'flat'
          ? { x, y: ty + 9, 'text-anchor': 'middle' }
          : { x, y: ty, transform: `rotate(90 ${x} ${ty})`, 'dominant-baseline': 'central' };
      words.append(s('text', { ...attrs, class: keyword ? 'keyword' : undefined }, g.word ?? ''));
    }
  }
  return s(
    'svg',
    {
      class: 'tree',
      width: width.toFixed(0),
      height: height.toFixed(0),
      viewBox: `0 0 ${width.toFixed(1)} ${height.toFixed(1)}`,
      role: 'img',
      'aria-label': `tree of ${input.nodes.length} nodes, coloured by log10 ${input.metric}`,
    },
    edges,
    circles,
    words,
  );
}
