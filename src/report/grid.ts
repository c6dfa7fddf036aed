// The per-dataset numbers as one grid of strings (rows = keyword depth), rendered three ways: a
// Markdown table (summary.md), an HTML table (report.html) and aligned plain text (the terminal).
import type { Cell } from '../cells/index.ts';
import { CELL_NAMES, CELLS, type CellSummary, initialRatios, type PooledRatio } from './aggregate.ts';
import { escapeXml } from './svg.ts';

/** A table: header cells and rows of the same length. */
export interface Grid {
  header: string[];
  rows: string[][];
}

const DASH = '–';

/** A number with fixed decimals, or a dash when missing. */
function fixed(x: number | null | undefined, decimals: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : x.toFixed(decimals);
}

/** The cells with results among `cells`, in report order (the registry's). */
function present(cells: readonly CellSummary[]): Cell[] {
  return CELLS.filter((c) => cells.some((s) => s.cell === c));
}

/** The summaries of one dataset in report order, one per cell with results. */
function byCell(cells: readonly CellSummary[]): (CellSummary | undefined)[] {
  return present(cells).map((c) => cells.find((s) => s.cell === c));
}

/** The mean ratio at `depth` in a pooled table, if any. */
function ratioAt(table: readonly PooledRatio[] | undefined, depth: number): number | null | undefined {
  return table?.find((d) => d.depth === depth)?.mean;
}

/**
 * The depth table of one dataset: depth, n (test trees summed over seeds; `a / b` when the cells
 * differ), accuracy % per cell, then per cell the mean log10 r at initialisation and at the end.
 */
export function depthGrid(cells: readonly CellSummary[]): Grid {
  const slots = byCell(cells);
  const depths = [
    ...new Set(cells.flatMap((s) => [...s.accuracyByDepth, ...s.finalRatios].map((d) => d.depth))),
  ].sort((a, b) => a - b);
  const header = ['depth', 'n'];
  for (const c of present(cells)) header.push(`${CELL_NAMES[c]} acc %`);
  for (const c of present(cells))
    header.push(`${CELL_NAMES[c]} log10 r init`, `${CELL_NAMES[c]} log10 r end`);
  const rows = depths.map((depth) => {
    const acc = slots.map((s) => s?.accuracyByDepth.find((d) => d.depth === depth));
    const ns = [...new Set(acc.flatMap((a) => (a ? [String(a.n)] : [])))];
    const row = [String(depth), ns.length ? ns.join(' / ') : DASH];
    for (const a of acc) row.push(fixed(a && 100 * a.accuracy, 1));
    for (const s of slots) {
      row.push(fixed(ratioAt(s && initialRatios(s), depth), 2), fixed(ratioAt(s?.finalRatios, depth), 2));
    }
    return row;
  });
  return { header, rows };
}

/** `RNN 41.2 ± 2.1 % (3 seeds, best-dev epochs 3, 4, 4)`, one entry per cell present. */
export function testAccuracyLine(cells: readonly CellSummary[]): string {
  return byCell(cells)
    .flatMap((s) => {
      if (!s) return [];
      const { mean, std, count } = s.testAccuracy;
      const seeds = `${count} seed${count === 1 ? '' : 's'}`;
      const trained = [...new Set(s.epochs)].join(', ');
      const best = `best-dev epoch${count === 1 ? '' : 's'} ${s.bestEpochs.join(', ')} of ${trained}`;
      return [
        `${CELL_NAMES[s.cell]} ${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)} % (${seeds}, ${best})`,
      ];
    })
    .join(', ');
}

/** Trees left out of the final ratios (ratio 0 or not finite), per cell; empty when none. */
export function excludedLine(cells: readonly CellSummary[]): string {
  const counts = byCell(cells).flatMap((s) => {
    const excluded = s ? s.finalRatios.reduce((sum, d) => sum + d.excluded, 0) : 0;
    return s && excluded > 0 ? [`${CELL_NAMES[s.cell]} ${excluded}`] : [];
  });
  return counts.length
    ? `Trees left out of the final log10 r (ratio 0 or not finite): ${counts.join(', ')}.`
    : '';
}

/** A grid as a Markdown table, numbers right-aligned. */
export function markdownTable(g: Grid): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(g.header), line(g.header.map(() => '---:')), ...g.rows.map(line)].join('\n');
}

/** A grid as an HTML table. */
export function htmlTable(g: Grid): string {
  const cells = (tag: string, row: string[]) => row.map((c) => `<${tag}>${escapeXml(c)}</${tag}>`).join('');
  const body = g.rows.map((r) => `<tr>${cells('td', r)}</tr>`).join('\n');
  return `<table>\n<thead><tr>${cells('th', g.header)}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A grid as aligned plain text with compact headers (`RNN log10 r init` → `RNN r0`). */
export function textTable(g: Grid): string {
  const header = g.header.map((h) => h.replace(' log10 r init', ' r0').replace(' log10 r end', ' r_end'));
  const all = [header, ...g.rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')).join('\n');
}

/** A grid as CSV (RFC 4180: fields with a comma, quote or newline are quoted). */
export function csvTable(g: Grid): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${[g.header, ...g.rows].map((r) => r.map(field).join(',')).join('\n')}\n`;
}
