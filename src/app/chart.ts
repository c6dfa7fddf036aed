// The line chart under the trees: mean log10 gh/gh(root) by depth for each cell computed on the
// same trees, with each tree's keyword ratio as a marker at its depth.
import { REGISTRY } from '../cells/index.ts';
import { svgPlot, type Series } from '../report/svg.ts';
import type { RunResult } from './compute.ts';
import { depthProfile, treeRatios } from './stats.ts';

/** The chart's SVG markup (svgPlot escapes all text) for results on the same trees, one line per cell. */
export function depthChart(results: readonly RunResult[]): string {
  const series: Series[] = [];
  for (const result of results) {
    const { label: name, colour: color } = REGISTRY[result.request.cell];
    const profile = depthProfile(result.grads.nodes);
    series.push({ label: `${name} mean`, color, points: profile.map((p) => ({ x: p.depth, y: p.mean })) });
    const keywords = treeRatios(result.grads.nodes, result.grads.ratios).flatMap((r) =>
      r.depth !== undefined && r.ratio !== null && r.ratio > 0
        ? [{ x: r.depth, y: Math.log10(r.ratio) }]
        : [],
    );
    if (keywords.length > 0) series.push({ label: `${name} keyword`, color, line: false, points: keywords });
  }
  const first = results[0]?.request;
  const maxDepth = Math.max(1, ...results.flatMap((r) => r.request.infos.flat().map((n) => n.depth)));
  return svgPlot({
    title: `Gradient by depth${first ? ` (d = ${first.dim}, init seed ${first.seed})` : ''}`,
    xLabel: 'depth (edges from the root)',
    yLabel: 'log10 gh / gh(root)',
    series,
    refLines: [{ y: 0, label: 'root' }],
    xDomain: [0, maxDepth],
    integerX: true,
    width: 640,
    height: 320,
  });
}

/** A line under the chart: what to do next, and how many nodes' gradients underflowed to 0. */
export function chartNote(results: readonly RunResult[]): string {
  const lost = results
    .flatMap((r) => {
      const zeros = depthProfile(r.grads.nodes).reduce((n, p) => n + p.zeros, 0);
      return zeros > 0 ? [`${r.request.cell.toUpperCase()}: ${zeros}`] : [];
    })
    .join(', ');
  return [
    results.length < 2 ? 'Compute with the other cell to compare both on the same trees.' : '',
    lost ? `Nodes whose gh underflowed to 0 in float32 are left out of the means (${lost}).` : '',
  ].join(' ');
}
