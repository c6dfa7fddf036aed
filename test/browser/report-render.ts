// Renders a paper-scale report (10 datasets × every cell of the registry × 3 seeds, 10 epochs of
// made-up but plausible numbers) in headless Chrome and checks every figure as drawn: no two text
// labels overlap, no label is cut off at the figure's edge, every legend names each of its series
// once, and markers tell the cells apart by shape as well as colour. Saves a screenshot of each
// figure. Usage: tsx test/browser/report-render.ts [--summary FILE.json] [--shots DIR]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { CHROME_FLAGS, findChrome } from '../../src/browser/chrome.ts';
import { CELLS } from '../../src/cells/index.ts';
import { writeReport } from '../../src/report/write.ts';
import type { ExperimentResult } from '../../src/report/schema.ts';

const { values } = parseArgs({ options: { summary: { type: 'string' }, shots: { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'treegrad-report-render-'));
const shots = values.shots ?? join(dir, 'shots');
mkdirSync(join(dir, 'results'), { recursive: true });
mkdirSync(shots, { recursive: true });

/** A deterministic stand-in for one result file: accuracy and log10 r fall with depth, RNN faster. */
function result(dataset: number, cellIndex: number, seed: number): ExperimentResult {
  const cell = CELLS[cellIndex]!;
  const slope = [0.45, 0.12, 0.15, 0.2][cellIndex] ?? 0.2;
  const depths = Array.from({ length: Math.min(25, 2 * dataset + 4) }, (_, i) => i + 1);
  const n = (d: number) =>
    Math.max(1, Math.round(200 * Math.exp(-((d - dataset - 2) ** 2) / (2 * (dataset + 1)))));
  const acc = (d: number) =>
    Math.max(0.2, Math.min(1, 1.05 - slope * 0.08 * d * dataset ** 0.3 + 0.01 * seed));
  const ratios = (epoch: number) =>
    Object.fromEntries(
      depths.map((d) => [String(d), { n: n(d), mean: -slope * d * (1 - epoch / 20) - 0.3 }]),
    );
  return {
    dataset,
    cell,
    seed,
    dim: 50,
    epochs: 10,
    bestEpoch: 8,
    testAccuracy: acc(dataset),
    accuracyByDepth: Object.fromEntries(depths.map((d) => [String(d), { n: n(d), accuracy: acc(d) }])),
    log10RatioByDepth: Array.from({ length: 11 }, (_, epoch) => ({ epoch, byDepth: ratios(epoch) })),
    trainLoss: Array.from({ length: 10 }, (_, e) => 1.6 * Math.exp(-e * (1 - slope)) + 0.05 * seed),
    devAccuracy: Array.from({ length: 10 }, (_, e) => Math.min(1, 0.2 + e * (1 - slope) * 0.12)),
    trainSize: 10_000,
    devSize: 1_000,
    testSize: 1_000,
    seconds: 1,
  };
}

for (let dataset = 1; dataset <= 10; dataset++)
  for (const [i, cell] of CELLS.entries())
    for (const seed of [1, 2, 3])
      writeFileSync(
        join(dir, 'results', `${dataset}-${cell}-${seed}.json`),
        JSON.stringify(result(dataset, i, seed)),
      );
const report = writeReport(dir);
const html = readFileSync(join(dir, 'report.html'), 'utf8');

const results: { name: string; ok: boolean; detail: string }[] = [];
const check = (name: string, ok: boolean, detail: string) => {
  results.push({ name, ok, detail });
  console.log(`${ok ? '✓' : '✗'} ${name}${ok ? '' : `: ${detail}`}`);
};

const executablePath = await findChrome();
if (!executablePath) throw new Error('no Chrome or Chromium found (CHROME_PATH, /usr/bin/chromium)');
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: [...CHROME_FLAGS, '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1320, height: 1000 });
  await page.setContent(html, { waitUntil: 'load' });
  const figures = await page.$$eval('svg', (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll('text')].map((t) => {
        const b = t.getBoundingClientRect();
        return {
          text: t.textContent ?? '',
          legend: t.classList.contains('legend'),
          x: b.x - box.x,
          y: b.y - box.y,
          w: b.width,
          h: b.height,
        };
      });
      const fills = new Set(
        [...svg.querySelectorAll('circle, rect, path')].map((m) => `${m.tagName}:${m.getAttribute('fill')}`),
      );
      return {
        title: svg.querySelector('title')?.textContent ?? '',
        width: box.width,
        height: box.height,
        texts,
        fills: [...fills],
      };
    }),
  );
  const datasets = 10;
  check(
    'every dataset has its accuracy, ratio and training-curve figures',
    figures.length === 4 * datasets + datasets * CELLS.length + 1,
    `${figures.length} figures`,
  );
  let overlaps = 0;
  let clipped = 0;
  const where: string[] = [];
  for (const f of figures) {
    const t = f.texts.filter((x) => x.w > 0);
    for (let i = 0; i < t.length; i++) {
      const a = t[i]!;
      if (a.x < -0.5 || a.y < -0.5 || a.x + a.w > f.width + 0.5 || a.y + a.h > f.height + 0.5) {
        clipped++;
        where.push(`${f.title}: "${a.text}" cut off`);
      }
      for (let j = i + 1; j < t.length; j++) {
        const b = t[j]!;
        const ix = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
        const iy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
        if (ix > 1 && iy > 1) {
          overlaps++;
          where.push(`${f.title}: "${a.text}" overlaps "${b.text}"`);
        }
      }
    }
    const legend = f.texts.filter((x) => x.legend).map((x) => x.text);
    if (new Set(legend).size !== legend.length || legend.some((l) => l.trim() === '')) {
      overlaps++;
      where.push(`${f.title}: legend ${JSON.stringify(legend)} repeats or has an empty entry`);
    }
  }
  check(
    'no two labels of a figure overlap; legends have one entry per series',
    overlaps === 0,
    where.slice(0, 5).join(' | '),
  );
  check('no label is cut off at a figure edge', clipped === 0, where.slice(0, 5).join(' | '));
  const headline = figures.find((f) => f.title === 'Dataset 7: test accuracy by keyword depth');
  const cellLegend = headline?.texts.filter((x) => x.legend).map((x) => x.text) ?? [];
  check(
    "the headline figure's legend names every cell",
    cellLegend.length === CELLS.length,
    JSON.stringify(cellLegend),
  );
  check(
    'cells differ by marker shape, not only by colour',
    (headline?.fills ?? []).some((f) => f.startsWith('rect:')) &&
      (headline?.fills ?? []).some((f) => f.startsWith('circle:')),
    JSON.stringify(headline?.fills),
  );
  check(
    'every table has its CSV',
    Object.keys(report.tables).length === datasets + 1,
    Object.keys(report.tables).join(', '),
  );
  const handles = await page.$$('svg');
  for (const [i, h] of handles.entries())
    await h.screenshot({ path: join(shots, `figure-${String(i + 1).padStart(2, '0')}.png`) });
  console.log(`screenshots of ${handles.length} figures in ${shots}`);
} finally {
  await browser.close();
  if (!values.shots) rmSync(dir, { recursive: true, force: true });
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`Report render: ${passed} passed, ${failed} failed`);
if (values.summary) writeFileSync(values.summary, JSON.stringify({ passed, failed }));
process.exitCode = failed === 0 ? 0 : 1;
