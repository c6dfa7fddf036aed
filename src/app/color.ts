// The sequential colour scale of the trees (viridis: dark = small gradient, yellow = large) over
// log10 of a norm, and its legend.
import { niceTicks } from '../report/svg.ts';
import { s } from './dom.ts';

/** Viridis at ten evenly spaced points, dark to bright. */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
] as const;

/** The colour of a node whose norm is exactly 0 (below any scale). */
export const ZERO_COLOR = '#d9d9d9';

/** Maps log10 of a norm to a colour over [lo, hi]; values outside are clamped, −∞ is ZERO_COLOR. */
export interface ColorScale {
  readonly lo: number;
  readonly hi: number;
  color(log10Value: number): string;
}

/** Viridis at t in [0, 1], as rgb(). */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** A scale over the extent of the data (widened by ±0.5 when it is a single value, [0, 1] if none). */
export function colorScale(extent: readonly [number, number] | null): ColorScale {
  let [lo, hi] = extent ?? [0, 1];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  return {
    lo,
    hi,
    color: (v) => (Number.isFinite(v) ? viridis((v - lo) / (hi - lo)) : ZERO_COLOR),
  };
}

/** The legend: a gradient bar with round ticks, and a grey swatch for norms of exactly 0 if `zeros`. */
export function legendSvg(scale: ColorScale, zeros: boolean): SVGSVGElement {
  const [x0, barW, barH] = [8, 260, 12];
  const width = x0 + barW + (zeros ? 90 : 16);
  const sx = (v: number) => x0 + ((v - scale.lo) / (scale.hi - scale.lo)) * barW;
  const gradient = s('linearGradient', { id: 'legend-gradient' });
  for (let k = 0; k <= 10; k++) {
    gradient.append(s('stop', { offset: `${k * 10}%`, 'stop-color': viridis(k / 10) }));
  }
  const svg = s(
    'svg',
    { class: 'legend', width, height: 34, viewBox: `0 0 ${width} 34`, role: 'img' },
    s('defs', {}, gradient),
    s('rect', { x: x0, y: 2, width: barW, height: barH, rx: 2, fill: 'url(#legend-gradient)' }),
  );
  const ticks = niceTicks(scale.lo, scale.hi, 5).filter((t) => t >= scale.lo - 1e-9 && t <= scale.hi + 1e-9);
  for (const t of ticks) {
    const x = sx(t).toFixed(1);
    svg.append(
      s('line', { x1: x, x2: x, y1: 2 + barH, y2: 6 + barH, class: 'tick' }),
      s('text', { x, y: 28, 'text-anchor': 'middle' }, String(Number(t.toFixed(6))).replace('-', '−')),
    );
  }
  if (zeros) {
    const x = x0 + barW + 18;
    svg.append(
      s('rect', { x, y: 2, width: 12, height: barH, rx: 2, fill: ZERO_COLOR }),
      s('text', { x: x + 16, y: 12 }, '= 0'),
    );
  }
  return svg;
}
