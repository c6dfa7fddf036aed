// The HTML report of a run: one self-contained file (Chart.js inlined, the results inlined as
// JSON). Charts per shape: nodes/s vs depth (a line per variant) and level's speed-up over each
// peer vs depth, for the cell, d and batch chosen at the top. Pure: the caller reads Chart.js.
import { escapeXml } from '../src/report/svg.ts';
import { SHAPES, VARIANTS } from './config.ts';
import { kernelTables } from './kernels.ts';
import type { BenchResult } from './result.ts';
import { goalLines, summaryTable } from './tables.ts';

/** JSON safe inside a <script> element (no "</script", no "<!--"). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

const COLORS: Record<string, string> = {
  level: '#1b6ac9',
  tree: '#2a9d8f',
  node: '#e76f51',
  'tfjs-webgpu': '#8e44ad',
  'tfjs-cpu': '#b08900',
  reference: '#555555',
};

// Runs in the report: fills the selects, then draws two charts per shape from the inlined data.
const CLIENT = `
const data = JSON.parse(document.getElementById('data').textContent);
const colors = JSON.parse(document.getElementById('colors').textContent);
const shapes = ${JSON.stringify(SHAPES)};
const variants = ${JSON.stringify(VARIANTS)};
const pts = data.points;
const uniq = (key) => [...new Set(pts.map((p) => p[key]))];
const sel = {};
for (const key of ['cell', 'dim', 'batch']) {
  const s = document.getElementById('sel-' + key);
  for (const v of uniq(key)) s.add(new Option(String(v), String(v)));
  s.onchange = draw;
  sel[key] = s;
}
const charts = [];
function chart(canvas, title, yTitle, datasets) {
  return new Chart(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      plugins: { title: { display: true, text: title } },
      scales: {
        x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: 'tree depth' } },
        y: { type: 'logarithmic', title: { display: true, text: yTitle } },
      },
    },
  });
}
function draw() {
  charts.splice(0).forEach((c) => c.destroy());
  const keep = (p) => p.cell === sel.cell.value && String(p.dim) === sel.dim.value && String(p.batch) === sel.batch.value;
  for (const shape of shapes) {
    const here = pts.filter((p) => keep(p) && p.shape === shape && p.medianMs !== null);
    const line = (v, y) => ({
      label: v, borderColor: colors[v], backgroundColor: colors[v],
      data: here.filter((p) => p.variant === v).map((p) => ({ x: p.depth, y: y(p) })).filter((q) => q.y > 0).sort((a, b) => a.x - b.x),
    });
    const rates = variants.map((v) => line(v, (p) => p.nodesPerSec)).filter((d) => d.data.length);
    const levelMs = (p) => here.find((q) => q.variant === 'level' && q.depth === p.depth)?.medianMs;
    const ups = variants.filter((v) => v !== 'level')
      .map((v) => line(v, (p) => (levelMs(p) ? p.medianMs / levelMs(p) : 0)))
      .filter((d) => d.data.length);
    const what = sel.cell.value + ' d=' + sel.dim.value + ', ' + sel.batch.value + ' trees';
    charts.push(chart(document.getElementById('rate-' + shape), shape + ': nodes/s (' + what + ')', 'nodes/s', rates));
    charts.push(chart(document.getElementById('up-' + shape), shape + ': speed-up of level over each peer (> 1: level is faster)', 'peer time / level time', ups));
  }
}
draw();
`;

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

/** The whole report as one HTML document; `chartJs` is the Chart.js UMD bundle's source. */
export function reportHtml(r: BenchResult, chartJs: string): string {
  const c = r.ceilings;
  const gf = (x: number | null) => (x === null ? 'n/a' : `${x.toPrecision(3)} GFLOP/s`);
  const unavailable = Object.entries(r.unavailable).map(([v, why]) => `${v}: ${why}`);
  const canvases = SHAPES.map(
    (s) =>
      `<div class="pair"><div><canvas id="rate-${s}"></canvas></div><div><canvas id="up-${s}"></canvas></div></div>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>treegrad benchmark ${escapeXml(r.startedAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; max-width: 90rem; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; margin-bottom: 1rem; }
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
 dependent on the one before ${c.dependentDispatchUs.toFixed(1)} µs. ${escapeXml(c.notes.join(' '))}
 ${unavailable.length ? `Not run here: ${escapeXml(unavailable.join('; '))}.` : ''}</p>
<h2>Goals (measured, not asserted)</h2>
<ul>${goalLines(r)
    .map((l) => `<li>${escapeXml(l)}</li>`)
    .join('')}</ul>
<h2>Charts</h2>
<p>cell <select id="sel-cell"></select> d <select id="sel-dim"></select> trees per batch <select id="sel-batch"></select></p>
${canvases}
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
<script type="application/json" id="data">${scriptJson(r)}</script>
<script type="application/json" id="colors">${scriptJson(COLORS)}</script>
<script>${chartJs.replaceAll('</script', '<\\/script')}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
