// "What this shows": a paragraph computed from the pooled numbers of one dataset, checking the
// paper's expectations (docs/model.md): RNN accuracy falls with keyword depth while the RLSTM's holds;
// the RNN's log10 ratio falls about linearly with depth, the RLSTM's much less; low ratios go with
// chance accuracy.
import { CELL_NAMES, type CellSummary, initialRatios, type PooledDepth, ratioSlope } from './aggregate.ts';

/** Depths with fewer test trees (summed over seeds) are left out of the findings, unless none has more. */
export const MIN_TREES = 10;

/** Accuracy within this many points of chance counts as "near chance". */
export const NEAR_CHANCE = 0.1;

/** Keywords at most this deep count as shallow. */
export const SHALLOW = 3;

/** One (cell, depth) at the end of training: pooled accuracy and mean log10 ratio. */
export interface DepthOutcome {
  cell: CellSummary['cell'];
  dataset: number;
  depth: number;
  n: number;
  accuracy: number;
  log10Ratio: number;
}

/** A percentage with one decimal, e.g. `83.0 %`. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

/** Chance accuracy 1 / classes. */
export function chance(s: CellSummary): number {
  return 1 / s.classes;
}

/** The (cell, depth) outcomes of a summary: depths with both an accuracy and a final mean ratio. */
export function depthOutcomes(s: CellSummary): DepthOutcome[] {
  return s.accuracyByDepth.flatMap((a) => {
    const r = s.finalRatios.find((d) => d.depth === a.depth);
    if (!r || r.mean === null || a.n === 0) return [];
    return [
      { cell: s.cell, dataset: s.dataset, depth: a.depth, n: a.n, accuracy: a.accuracy, log10Ratio: r.mean },
    ];
  });
}

/** Items with at least `min` trees, or all of them when none has that many. */
function enough<T extends { n: number }>(items: readonly T[], min: number): T[] {
  const kept = items.filter((d) => d.n >= min);
  return kept.length > 0 ? kept : [...items];
}

/** Pearson correlation; null with fewer than three points or no spread. */
export function correlation(points: readonly { x: number; y: number }[]): number | null {
  const n = points.length;
  if (n < 3) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** How a cell's accuracy behaves with depth, against the threshold halfway between chance and 100 %. */
export function accuracySentence(s: CellSummary, minTrees = MIN_TREES): string {
  const name = CELL_NAMES[s.cell];
  const depths = enough(
    s.accuracyByDepth.filter((d) => d.n > 0),
    minTrees,
  );
  const first = depths[0];
  if (!first) return `${name} has no accuracy by depth.`;
  const threshold = (1 + chance(s)) / 2;
  const lowest = depths.reduce((m, d) => (d.accuracy < m.accuracy ? d : m), first);
  const low = `lowest ${percent(lowest.accuracy)} at depth ${lowest.depth}; chance is ${percent(chance(s))}`;
  const below = depths.filter((d) => d.accuracy < threshold);
  if (below.length === 0) {
    const at = `at every keyword depth (chance is ${percent(chance(s))})`;
    return `${name} accuracy stays at or above ${percent(lowest.accuracy)} ${at}.`;
  }
  if (below.length === depths.length) {
    const shallow = depths.filter((d) => d.depth <= SHALLOW);
    const nearChance = shallow.length > 0 && shallow.every((d) => d.accuracy < chance(s) + NEAR_CHANCE);
    const why = nearChance
      ? `; it is near chance even for keywords at depth ≤ ${SHALLOW}, so it fails on this dataset's sentences ` +
        `(${10 * s.dataset - 9}–${10 * s.dataset} words) as a whole, not only on deep keywords`
      : '';
    return `${name} accuracy is below ${percent(threshold)} at every depth (${low})${why}.`;
  }
  const lastAbove = depths.filter((d) => d.accuracy >= threshold).at(-1) as { depth: number };
  const tail = depths.filter((d) => d.depth > lastAbove.depth);
  if (tail.length > 0 && tail.length === below.length) {
    const from = (tail[0] as { depth: number }).depth;
    return `${name} accuracy falls below ${percent(threshold)} from depth ${from} on (${low}).`;
  }
  const list = below.map((d) => d.depth).join(', ');
  return `${name} accuracy is below ${percent(threshold)} at depth ${list} (${low}).`;
}

/** `falls by about 0.42` / `rises by about 0.05` for a slope. */
function trend(slope: number): string {
  return `${slope < 0 ? 'falls' : 'rises'} by about ${Math.abs(slope).toFixed(2)}`;
}

/** How the mean log10 ratio changes per level of depth, per cell, at the end and at initialisation. */
export function slopeSentence(cells: readonly CellSummary[], minTrees = MIN_TREES): string {
  const parts: string[] = [];
  const ends: { name: string; slope: number }[] = [];
  for (const s of cells) {
    const end = ratioSlope(s.finalRatios, minTrees);
    if (end === null) continue;
    const name = CELL_NAMES[s.cell];
    const init = initialRatios(s);
    const start = init ? ratioSlope(init, minTrees) : null;
    const atInit = start === null ? '' : ` (slope ${start.toFixed(2)} at initialisation)`;
    parts.push(`${name} log10 r ${trend(end)} per level of depth${atInit}`);
    ends.push({ name, slope: end });
  }
  if (parts.length === 0) return '';
  let text = `At the end of training (least-squares slopes): ${parts.join('; ')}.`;
  // Against the cell whose ratio falls least, every other cell's fall as a multiple of it.
  const falling = ends.filter((e) => e.slope < 0);
  const slowest = falling.reduce<{ name: string; slope: number } | undefined>(
    (m, e) => (m === undefined || e.slope > m.slope ? e : m),
    undefined,
  );
  if (slowest && falling.length > 1) {
    const others = falling
      .filter((e) => e !== slowest)
      .map((e) => `the ${e.name}'s ${(e.slope / slowest.slope).toFixed(1)} times as fast`)
      .join(', ');
    text += ` The ${slowest.name}'s ratio falls least; ${others}.`;
  }
  return text;
}

/** Whether low ratios go with chance accuracy, over the (cell, depth) outcomes at the end of training. */
export function chanceSentence(cells: readonly CellSummary[], minTrees = MIN_TREES): string {
  const points = cells.flatMap((s) => enough(depthOutcomes(s), minTrees));
  if (points.length === 0) return '';
  const c = 1 / (cells[0]?.classes ?? 5);
  const near = points.filter((p) => p.accuracy < c + NEAR_CHANCE);
  const good = points.filter((p) => p.accuracy >= (1 + c) / 2);
  const parts: string[] = [];
  if (near.length === 0) {
    parts.push(`No (cell, depth) has accuracy within ${NEAR_CHANCE * 100} points of chance`);
  } else {
    const maxNear = Math.max(...near.map((p) => p.log10Ratio));
    parts.push(
      `The ${near.length} (cell, depth) pair${near.length === 1 ? '' : 's'} with accuracy within ${NEAR_CHANCE * 100} points of chance ` +
        `have mean log10 r ≤ ${maxNear.toFixed(2)}`,
    );
  }
  if (good.length > 0) {
    const minGood = Math.min(...good.map((p) => p.log10Ratio));
    parts.push(
      `the ${good.length} with accuracy ≥ ${percent((1 + c) / 2)} have log10 r ≥ ${minGood.toFixed(2)}`,
    );
  }
  const r = correlation(points.map((p) => ({ x: p.log10Ratio, y: p.accuracy })));
  const corr =
    r === null ? '' : ` Correlation of log10 r with accuracy over ${points.length} points: ${r.toFixed(2)}.`;
  return `${parts.join('; ')}.${corr}`;
}

/** The whole paragraph for the summaries of one dataset. */
export function findings(cells: readonly CellSummary[], minTrees = MIN_TREES): string {
  return [
    ...cells.map((s) => accuracySentence(s, minTrees)),
    slopeSentence(cells, minTrees),
    chanceSentence(cells, minTrees),
  ]
    .filter((t) => t.length > 0)
    .join(' ');
}

/** Pooled accuracy of a summary over keyword depths ≤ SHALLOW, or null without such trees. */
function shallowAccuracy(s: CellSummary): { accuracy: number; n: number } | null {
  const rows = s.accuracyByDepth.filter((d) => d.depth <= SHALLOW && d.n > 0);
  const n = rows.reduce((a, d) => a + d.n, 0);
  return n === 0 ? null : { accuracy: rows.reduce((a, d) => a + d.accuracy * d.n, 0) / n, n };
}

/**
 * Across datasets, per cell: whether shallow keywords are learned on short sentences but not on
 * long ones — then the sentence's length, not the keyword's depth alone, decides. Empty with one
 * dataset or no such contrast.
 */
export function lengthSentence(cells: readonly CellSummary[]): string {
  const parts: string[] = [];
  for (const cell of [...new Set(cells.map((s) => s.cell))]) {
    const rows = cells
      .filter((s) => s.cell === cell)
      .map((s) => ({ s, shallow: shallowAccuracy(s) }))
      .filter((r): r is { s: CellSummary; shallow: { accuracy: number; n: number } } => r.shallow !== null)
      .filter((r) => r.shallow.n >= MIN_TREES)
      .sort((a, b) => a.s.dataset - b.s.dataset);
    if (rows.length < 2) continue;
    const best = rows.reduce((m, r) => (r.shallow.accuracy > m.shallow.accuracy ? r : m));
    const worst = rows.reduce((m, r) => (r.shallow.accuracy < m.shallow.accuracy ? r : m));
    if (best.shallow.accuracy - worst.shallow.accuracy < 0.2 || worst.s.dataset <= best.s.dataset) continue;
    const nearChance = worst.shallow.accuracy < chance(worst.s) + NEAR_CHANCE ? ' (near chance)' : '';
    parts.push(
      `${CELL_NAMES[cell]} classifies keywords at depth ≤ ${SHALLOW} with ${percent(best.shallow.accuracy)} on dataset ` +
        `${best.s.dataset} (${10 * best.s.dataset - 9}–${10 * best.s.dataset} words) but ${percent(worst.shallow.accuracy)}${nearChance} ` +
        `on dataset ${worst.s.dataset} (${10 * worst.s.dataset - 9}–${10 * worst.s.dataset} words)`,
    );
  }
  if (parts.length === 0) return '';
  return `${parts.join('; ')}: on longer sentences the keyword's depth alone does not explain the accuracy — the sentence's length (its other words and deeper trees) matters too.`;
}

/** The signal counts as lost where the mean log10 gh(n)/gh(root) is below this (a thousandth). */
export const REACH_BOUND = -3;

/** The first depth whose mean log10 gh(n)/gh(root) is below `bound`, or undefined. */
export function lostAt(byDepth: readonly PooledDepth[], bound = REACH_BOUND): number | undefined {
  return byDepth.find((d) => d.mean < bound)?.depth;
}

/**
 * Per cell, at which node depth the root's learning signal falls below a thousandth of its value at
 * the root, after training and at initialisation, over depths with at least MIN_TREES nodes (all
 * depths when none has that many); '' when no cell recorded the reach.
 */
export function reachSentence(cells: readonly CellSummary[]): string {
  const parts = cells.flatMap((s) => {
    if (!s.reach) return [];
    const end = enough(s.reach.end.nodes, MIN_TREES);
    const deepest = end[end.length - 1]?.depth;
    const describe = (nodes: readonly PooledDepth[]) => {
      const at = lostAt(enough(nodes, MIN_TREES));
      return at === undefined ? `above 10⁻³ down to depth ${deepest ?? 0}` : `below 10⁻³ from depth ${at}`;
    };
    const init = s.reach.init ? ` (at initialisation: ${describe(s.reach.init.nodes)})` : '';
    return [`${CELL_NAMES[s.cell]} ${describe(s.reach.end.nodes)}${init}`];
  });
  return parts.length === 0
    ? ''
    : `Gradient reach, mean gh(n)/gh(root) by node depth after training: ${parts.join('; ')}.`;
}
