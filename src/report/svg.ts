// A small dependency-free SVG plot: axes with ticks and labels (y linear or log10), a legend,
// several line or scatter series (a null y leaves a gap), optional dashed reference lines. Sized
// for 640 × 400. The static artefacts draw with it: the experiment report and the benchmark's.

/** One point; a null or non-finite y is a missing point (a gap in the line). */
export interface Point {
  x: number;
  y: number | null;
  /** Marker radius in pixels (default 2.5 on lines, 4 in scatters), e.g. growing with n. */
  r?: number;
  /** Drawn as an outline only (e.g. too few trees to trust). */
  hollow?: boolean;
  /** ± this much drawn as an error bar (e.g. the spread over seeds). */
  err?: number;
}

/** Marker shapes: with colour, they tell series apart in grey print too. */
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond';

/** One series: points joined by a line (default) or markers only. */
export interface Series {
  label: string;
  points: readonly Point[];
  /** Any CSS colour; default: PALETTE by series index. */
  color?: string;
  /** false: markers only (a scatter). */
  line?: boolean;
  /** Marker shape (default circle). */
  marker?: Marker;
  /** A dashed line (e.g. at initialisation, beside the solid end of training). */
  dashed?: boolean;
}

/** A dashed horizontal line across the plot, labelled at its right end. */
export interface RefLine {
  y: number;
  label: string;
}

/** What to draw; domains default to the data's range widened to round ticks. */
export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  refLines?: readonly RefLine[];
  width?: number;
  height?: number;
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Only integer x ticks (depths, epochs). */
  integerX?: boolean;
  /** A log10 y axis with ticks at powers of ten (rates, speed-ups); y ≤ 0 is a missing point. */
  logY?: boolean;
}

/** Fixed categorical palette (Tableau 10). */
export const PALETTE: readonly string[] =
  '#4e79a7 #f28e2b #e15759 #76b7b2 #59a14f #edc948 #b07aa1 #ff9da7 #9c755f #bab0ac'.split(' ');

/** Fixed sequential palette for ordered series (viridis reversed: early = pale, late = dark). */
export const SEQUENTIAL: readonly string[] =
  '#b5de2b #6ece58 #35b779 #1f9e89 #26828e #31688e #3e4989 #482878'.split(' ');

const MARGIN = { left: 62, right: 140, top: 34, bottom: 46 };
const FONT = 'font-family="system-ui, sans-serif" font-size="11"';

/** Escapes text for SVG/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick values covering [lo, hi], about `target` of them, at steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, target = 6, integer = false): number[] {
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = Math.floor(lo / step + 1e-9); i <= Math.ceil(hi / step - 1e-9); i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** A tick label with as many decimals as the tick step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const s = v.toFixed(Math.min(decimals, 6));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** [min, max] of the finite values; [0, 1] when there are none. */
function extent(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
}

/** Whether a point can be drawn: finite x and y. */
function drawable(p: Point): p is Point & { y: number } {
  return p.y !== null && Number.isFinite(p.y) && Number.isFinite(p.x);
}

/** The path of a series' line, broken at missing points. */
function linePath(points: readonly Point[], sx: (x: number) => string, sy: (y: number) => string): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (drawable(p)) d += `${pen ? 'L' : 'M'}${sx(p.x)},${sy(p.y)}`;
    pen = drawable(p);
  }
  return d;
}

/** One axis: the given domain, or the data's range widened to the outer round ticks; its ticks inside it. */
function axis(domain: readonly [number, number] | undefined, values: number[], integer: boolean) {
  const ticks = niceTicks(...(domain ?? extent(values)), 6, integer);
  const step = (ticks[1] as number) - (ticks[0] as number);
  const [first, last] = domain ?? [ticks[0] as number, ticks[ticks.length - 1] as number];
  const span = last > first ? last - first : 1;
  return {
    first,
    span,
    step,
    ticks: ticks.filter((t) => t >= first - 1e-9 * span && t <= last + 1e-9 * span),
  };
}

/** A marker of `shape` centred on (x, y) with radius r. */
function markerShape(shape: Marker, x: number, y: number, r: number, color: string, hollow: boolean): string {
  const paint = hollow ? `fill="#fff" stroke="${color}" stroke-width="1.5"` : `fill="${color}"`;
  const f = (v: number) => v.toFixed(1);
  switch (shape) {
    case 'square':
      return `<rect x="${f(x - r * 0.9)}" y="${f(y - r * 0.9)}" width="${f(r * 1.8)}" height="${f(r * 1.8)}" ${paint}/>`;
    case 'triangle':
      return `<path d="M${f(x)},${f(y - r * 1.15)}L${f(x + r)},${f(y + r * 0.75)}L${f(x - r)},${f(y + r * 0.75)}Z" ${paint}/>`;
    case 'diamond':
      return `<path d="M${f(x)},${f(y - r * 1.2)}L${f(x + r * 1.2)},${f(y)}L${f(x)},${f(y + r * 1.2)}L${f(x - r * 1.2)},${f(y)}Z" ${paint}/>`;
    default:
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" ${paint}/>`;
  }
}

/** A text element at (x, y) with extra attributes. */
function text(x: number | string, y: number | string, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs} ${FONT}>${escapeXml(content)}</text>`;
}

/** A power-of-ten tick label: 0.01 … 10000 written out, beyond that 1e5, 1e-3. */
function powerLabel(k: number): string {
  return k >= -2 && k <= 4 ? String(10 ** k) : `1e${k}`;
}

/** The options with y (points, error bars, reference lines and y domain) moved to log10. */
function toLogY(opts: PlotOptions): PlotOptions {
  const log = (y: number | null) => (y !== null && y > 0 ? Math.log10(y) : null);
  const series = opts.series.map((s) => ({
    ...s,
    points: s.points.map(({ err: _, ...p }) => ({ ...p, y: log(p.y) })),
  }));
  const refLines = (opts.refLines ?? []).flatMap((r) => (r.y > 0 ? [{ ...r, y: Math.log10(r.y) }] : []));
  const out: PlotOptions = { ...opts, series, refLines, logY: false };
  if (opts.yDomain) out.yDomain = [Math.log10(opts.yDomain[0]), Math.log10(opts.yDomain[1])];
  return out;
}

/** The plot as an `<svg>` element for inline use in HTML (add xmlns to save it as a file of its own). */
export function svgPlot(opts: PlotOptions): string {
  return opts.logY ? plot(toLogY(opts), true) : plot(opts, false);
}

function plot(opts: PlotOptions, logY: boolean): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const [left, top] = [MARGIN.left, MARGIN.top];
  const pw = width - left - MARGIN.right;
  const ph = height - top - MARGIN.bottom;
  const all = opts.series.flatMap((s) => s.points);
  const ys = [...all.filter(drawable).map((p) => p.y), ...(opts.refLines ?? []).map((r) => r.y)];
  const xa = axis(
    opts.xDomain,
    all.map((p) => p.x),
    opts.integerX ?? false,
  );
  const ya = axis(opts.yDomain, ys, logY);
  const sx = (x: number) => (left + ((x - xa.first) / xa.span) * pw).toFixed(1);
  const sy = (y: number) => (top + ph - ((y - ya.first) / ya.span) * ph).toFixed(1);
  const out = [
    `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(opts.title)}</title>\n<rect width="${width}" height="${height}" fill="#fff"/>`,
    text(left + pw / 2, 20, opts.title, 'text-anchor="middle" font-size="13" font-weight="600"'),
    text(left + pw / 2, height - 8, opts.xLabel, 'text-anchor="middle" font-size="12"'),
    text(
      0,
      0,
      opts.yLabel,
      `transform="translate(16 ${top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12"`,
    ),
  ];
  for (const t of xa.ticks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${top}" y2="${top + ph}" stroke="#eee"/>`);
    out.push(text(sx(t), top + ph + 15, tickLabel(t, xa.step), 'text-anchor="middle"'));
  }
  for (const t of ya.ticks) {
    out.push(`<line x1="${left}" x2="${left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    const label = logY ? powerLabel(t) : tickLabel(t, ya.step);
    out.push(text(left - 6, sy(t), label, 'dy="0.35em" text-anchor="end"'));
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  for (const r of opts.refLines ?? []) {
    out.push(
      `<line x1="${left}" x2="${left + pw}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="#555" stroke-dasharray="5 4"/>`,
    );
    // Labelled in the right margin, beside the plot, where no data line can cross it.
    out.push(text(left + pw + 6, sy(r.y), r.label, 'dy="0.35em" fill="#555"'));
  }
  opts.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length] ?? '#000';
    const line = s.line !== false;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const shape = s.marker ?? 'circle';
    if (line)
      out.push(
        `<path d="${linePath(s.points, sx, sy)}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
      );
    for (const p of s.points.filter(drawable)) {
      if (p.err !== undefined && p.err > 0) {
        const [lo, hi] = [sy(p.y - p.err), sy(p.y + p.err)];
        out.push(
          `<line x1="${sx(p.x)}" x2="${sx(p.x)}" y1="${lo}" y2="${hi}" stroke="${color}" stroke-width="1"/>`,
        );
      }
      const r = p.r ?? (line ? 2.5 : 4);
      out.push(markerShape(shape, Number(sx(p.x)), Number(sy(p.y)), r, color, p.hollow === true));
    }
    // Legend entry, right of the plot.
    const [x, y] = [left + pw + 12, top + 8 + i * 17];
    if (line)
      out.push(
        `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"${dash}/>`,
      );
    out.push(
      markerShape(shape, x + 9, y, 3.5, color, false),
      text(x + 24, y, s.label, 'dy="0.35em" class="legend"'),
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
