// The HTML report of a run: one self-contained file with no scripts, its charts inline SVG drawn by
// the experiment report's renderer (src/report/svg.ts). Charts per (cell, d, batch) and shape:
// nodes/s vs depth (a line per variant) and level's speed-up over each peer vs depth. Pure.
import { escapeXml } from '../src/report/svg.ts';
import { type Series, svgPlot } from '../src/report/svg.ts';
import { SHAPES, type Shape, VARIANTS, type Variant } from './config.ts';
import { kernelTables } from './kernels.ts';
import type { BenchResult, PointResult } from './result.ts';
import { goalLines, summaryTable } from './summary.ts';

const COLORS: Record<Variant, string> = {
  level: '#1b6ac9',
  tree: '#2a9d8f',
  node: '#e76f51',
  'tfjs-webgpu': '#8e44ad',
  'tfjs-cpu': '#b08900',
  pytorch: '#c0392b',
  reference: '#555555',
};

/** One line per variant over depth, from `y` of each timed point (points without a positive y are left out). */
function lines(
  here: readonly PointResult[],
  variants: readonly Variant[],
  y: (p: PointResult) => number | null,
): Series[] {
  return variants.flatMap((v) => {
    const points = here
      .filter((p) => p.variant === v)
      .map((p) => ({ x: p.depth, y: y(p) }))
      .filter((q): q is { x: number; y: number } => q.y !== null && q.y > 0)
      .sort((a, b) => a.x - b.x);
    return points.length ? [{ label: v, color: COLORS[v], points }] : [];
  });
}

/** Per shape two plots for one (cell, d, batch): nodes/s over depth, and level's speed-up over each peer. */
function shapePlots(points: readonly PointResult[], shape: Shape, what: string): string {
  const here = points.filter((p) => p.shape === shape && p.medianMs !== null);
  if (here.length === 0) return '';
  const levelMs = (depth: number) => here.find((q) => q.variant === 'level' && q.depth === depth)?.medianMs;
  const rates = svgPlot({
    title: `${shape}: nodes/s (${what})`,
    xLabel: 'tree depth',
    yLabel: 'nodes/s',
    series: lines(here, VARIANTS, (p) => p.nodesPerSec),
    integerX: true,
    logY: true,
  });
  const ups = svgPlot({
    title: `${shape}: speed-up of level over each peer (> 1: level is faster)`,
    xLabel: 'tree depth',
    yLabel: 'peer time / level time',
    series: lines(
      here,
      VARIANTS.filter((v) => v !== 'level'),
      (p) => {
        const level = levelMs(p.depth);
        return level ? p.medianMs! / level : null;
      },
    ),
    refLines: [{ y: 1, label: '' }],
    integerX: true,
    logY: true,
  });
  return `<div class="pair"><div>${rates}</div><div>${ups}</div></div>`;
}

/** The charts: a folded section per (cell, d, batch) in sweep order, the first one open. */
function charts(r: BenchResult): string {
  const groups = new Map<string, PointResult[]>();
  for (const p of r.points) {
    const key = `${p.cell} d=${p.dim}, ${p.batch} trees`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups]
    .map(([what, points], i) => {
      const plots = SHAPES.map((shape) => shapePlots(points, shape, what)).join('\n');
      return `<details${i === 0 ? ' open' : ''}><summary>${escapeXml(what)}</summary>\n${plots || '<p>nothing timed</p>'}\n</details>`;
    })
    .join('\n');
}

function validationRows(r: BenchResult): string {
  return r.validation
    .map(
      (v) =>
        `<tr class="${v.ok ? 'ok' : 'bad'}"><td>${v.cell}</td><td>${v.dim}</td><td>${v.variant}</td>` +
        `<td>${v.ok ? 'OK' : 'NOT OK'}</td><td>${escapeXml(v.worstName)} ${Number.isFinite(v.worst) ? v.worst.toExponential(2) : ''}</td>` +
        `<td>${escapeXml(v.error ?? '')}</td></tr>`,
    )
    .join('\n');
}

/** The whole report as one HTML document: no scripts, no external assets (charts are inline SVG). */
export function reportHtml(r: BenchResult): string {
  const c = r.ceilings;
  const gf = (x: number | null) => (x === null ? 'n/a' : `${x.toPrecision(3)} GFLOP/s`);
  const unavailable = Object.entries(r.unavailable).map(([v, why]) => `${v}: ${why}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>treegrad benchmark ${escapeXml(r.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 90rem; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; margin-bottom: 1rem; }
.pair svg { max-width: 100%; height: auto; }
summary { cursor: pointer; font-weight: 600; margin: 0.5rem 0; }
pre { background: #f4f4f4; padding: 0.75rem; overflow-x: auto; }
table { border-collapse: collapse; } td, th { padding: 0.15rem 0.5rem; border-bottom: 1px solid #ddd; }
tr.bad { background: #fde2e1; }
</style>
</head>
<body>
<h1>treegrad benchmark</h1>
<p>${escapeXml(`${r.adapter.vendor} ${r.adapter.architecture} ${r.adapter.description}`)}
 (${r.adapter.runtime}${r.adapter.isFallbackAdapter ? ', fallback adapter' : ''}; level times from
 ${r.adapter.timestampQuery ? 'timestamp queries' : 'wall time: no timestamp-query'}) —
 preset ${escapeXml(r.config.preset)}, started ${escapeXml(r.startedAt)}, ${r.durationS.toFixed(0)} s.</p>
<p>Ceilings at ${c.size}×${c.size}×${c.size}: our GEMM ${gf(c.oursGemmGflops)}, TF.js matMul
 ${gf(c.tfjsMatmulGflops)} (our gather_matmul ${gf(c.gatherMatmulGflops)}). Empty dispatch round trip
 ${c.emptyRoundTripMs.toFixed(3)} ms; one more dispatch in an open pass: empty ${c.emptyDispatchUs.toFixed(1)} µs,
 dependent on the one before ${c.dependentDispatchUs.toFixed(1)} µs${
   c.rangeGroupDispatchUs === undefined || c.dynamicOffsetDispatchUs === undefined
     ? ''
     : `; with a new uniform each: by bind group ${c.rangeGroupDispatchUs.toFixed(1)} µs (as our level kernels), by dynamic offset ${c.dynamicOffsetDispatchUs.toFixed(1)} µs`
 }. ${escapeXml(c.notes.join(' '))}
 ${unavailable.length ? `Not run here: ${escapeXml(unavailable.join('; '))}.` : ''}</p>
<h2>Goals (measured, not asserted)</h2>
<ul>${goalLines(r)
    .map((l) => `<li>${escapeXml(l)}</li>`)
    .join('')}</ul>
<h2>Charts</h2>
<p>Per cell, d and batch, and per shape: nodes/s over depth (a line per variant, log scale) and
the speed-up of level over each peer (peer time / level time, log scale).</p>
${charts(r)}
<h2>Validation against the Float64 reference</h2>
<table><tr><th>cell</th><th>d</th><th>variant</th><th></th><th>worst (norm-wise)</th><th>error</th></tr>
${validationRows(r)}</table>
<h2>Summary</h2>
<p>Per point: level's median step time, nodes/s, GFLOP/s and share of the better ceiling, then each
peer's time over level's (×: how many times faster level is; cap: skipped over its size cap; err: failed).</p>
<pre>${escapeXml(summaryTable(r.points))}</pre>
<h2>Kernels</h2>
<p>Per (cell, d), the level point with the most internal nodes: every dispatch of a profiled step,
the level kernels' least-squares fits t(n) = t0 + c·n, and the weight-gradient reduction's share.</p>
<pre>${escapeXml(kernelTables(r).join('\n') || 'no timestamp queries: not measured')}</pre>
</body>
</html>
`;
}
