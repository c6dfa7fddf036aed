// The lab (index.html, "Lab") in headless Chrome with WebGPU: trains every cell of the registry on
// a tiny keyword dataset with a pause in the middle, and checks that dev accuracy beats chance, the
// figures gain points every epoch, the table shows what the exported JSON holds, the curves are
// the CLI's (`treegrad train` in Node) to float32 rounding, pausing changes no bit, the main thread
// stays free, the inspector, parameter files both ways, located errors and the page without WebGPU.
// Screenshots of each view go to test-results/lab/.
// Usage: tsx test/browser/lab.ts [--timeout SECONDS] [--summary FILE.json] [--out DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'puppeteer-core';
import { CELLS } from '../../src/cells/index.ts';
import { openChromePage, setInputs } from '../../src/browser/chrome.ts';
import { paramsFromJson } from '../../src/params/json.ts';
import { readTreebank } from '../../src/train/data-dir.ts';
import { keywordDataset } from '../../src/train/dataset.ts';
import { formatTrees } from '../../src/trees/index.ts';
import { collectLabels } from '../../src/data/treebank.ts';
import { TreeParseError } from '../../src/trees/parse.ts';
import type { LabResultsJson } from '../../src/app/lab-files.ts';

const { values } = parseArgs({
  options: {
    timeout: { type: 'string', default: '240' },
    summary: { type: 'string' },
    out: { type: 'string', default: 'test-results/lab' },
  },
});
const timeout = Number(values.timeout) * 1000;
const shots = values.out;
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'treegrad-lab-'));
const downloads = join(work, 'downloads');
mkdirSync(downloads);
const started = performance.now();
const results: { name: string; ok: boolean; detail: string }[] = [];
const problems: string[] = [];

/** The run both sides train: tiny keyword dataset 1, d = 8 (the CLI's flags and the page's fields). */
const RUN = { dataset: 1, train: 100, dev: 40, test: 40, dim: 8, lr: 0.1, batch: 5, epochs: 3, seed: 1 };
/** Float32 rounding, compounded over a few epochs on two different CPU Vulkan drivers. */
const TOL = { lossRel: 1e-5, ratioAbs: 1e-4 };
/**
 * The longest piece of the page's own work on its main thread (ms): a script (a callback with its
 * microtasks) or a style-and-layout pass, as the Long Animation Frames API attributes the frames
 * over 50 ms. The issue asks that the main thread is never blocked for more than about 50 ms; the
 * page does no chart work on its thread (Chart.js draws in a worker), makes its data in a worker,
 * builds pipelines one per task, yields every ~12 ms between steps and never forces a layout.
 * Measured here (a 2-core machine shared with other jobs, load 3–6.5): at most 15 ms of script
 * and 10 ms of style and layout in any long frame.
 *
 * Tasks by the wall clock (the Long Tasks API) are printed, not checked: on an oversubscribed
 * machine the OS takes the thread away in the middle of a task and that time counts too. Over 18
 * runs here, 12 had no task over 50 ms during training, the others one to four of 51–141 ms whose
 * frames held 15 ms of script or less: the thread waiting for a core, not the page working.
 */
const LONG_TASK_MS = 50;

function check(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? '✓' : '✗'} ${name}${ok ? '' : `: ${detail}`}`);
}

const relDiff = (a: number, e: number) => Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);

/** The CLI in Node: trains one cell with RUN and returns its --out JSON (and writes --save-params). */
function cliTrain(cell: string): { json: CliResult; params: string } {
  const out = join(work, `${cell}.json`);
  const params = join(work, `${cell}-params.json`);
  execFileSync(
    process.execPath,
    [
      'bin/treegrad.js',
      'train',
      ...['--cell', cell, '--dataset', RUN.dataset, '--train-size', RUN.train, '--dev-size', RUN.dev],
      ...['--test-size', RUN.test, '--dim', RUN.dim, '--lr', RUN.lr, '--batch', RUN.batch],
      ...['--epochs', RUN.epochs, '--seed', RUN.seed, '--out', out, '--save-params', params],
    ].map(String),
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { json: JSON.parse(readFileSync(out, 'utf8')) as CliResult, params };
}

/** A Long Animation Frames entry (not yet in TypeScript's DOM types). */
interface LongFrame {
  startTime: number;
  duration: number;
  blockingDuration: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; sourceFunctionName: string; sourceURL: string; duration: number }[];
}

/** A long frame as the page records it: when, how long, style and layout, and its scripts. */
interface PageFrame {
  start: number;
  duration: number;
  layout: number;
  scripts: { name: string; ms: number }[];
}

/** The page's own work in the long frames from `from` on (outside [skipFrom, skipTo]): its longest piece. */
async function pageWork(
  page: Page,
  from: number,
  skip: [number, number] = [0, 0],
): Promise<{ longest: number; text: string }> {
  const frames = (
    await page.evaluate(() => (window as unknown as { __frames: PageFrame[] }).__frames)
  ).filter((f) => f.start > from && (f.start + f.duration < skip[0] || f.start > skip[1]));
  const pieces = frames.flatMap((f) => [{ name: 'style and layout', ms: f.layout }, ...f.scripts]);
  pieces.sort((a, b) => b.ms - a.ms);
  const text = frames
    .map(
      (f) =>
        `${f.duration.toFixed(0)} ms frame: style and layout ${f.layout.toFixed(0)} ms` +
        f.scripts.map((x) => `, ${x.name} ${x.ms.toFixed(0)} ms`).join(''),
    )
    .join('\n    ');
  return { longest: pieces[0]?.ms ?? 0, text };
}

/** Tasks over 50 ms (the Long Tasks API's threshold) from `from` on, outside `skip`, longest first. */
async function longTasks(page: Page, from: number, skip: [number, number] = [0, 0]): Promise<number[]> {
  return (await page.evaluate(() => (window as unknown as { __tasks: [number, number][] }).__tasks))
    .filter(([start, ms]) => start > from && (start + ms < skip[0] || start > skip[1]))
    .map(([, ms]) => ms)
    .sort((x, y) => y - x);
}

interface CliResult {
  cell: string;
  testAccuracy: number;
  bestEpoch: number;
  history: LabResultsJson['runs'][number]['history'];
}

/** Waits for fn(arg) in the page. */
async function until<A>(page: Page, fn: (arg: A) => boolean, arg: A, ms = timeout): Promise<void> {
  await page.waitForFunction(fn as (arg: unknown) => boolean, { timeout: ms, polling: 100 }, arg);
}

async function labFields(page: Page, run: typeof RUN, cells: readonly string[]): Promise<void> {
  await page.click('input[name="lab-data"][value="keyword"]');
  await setInputs(page, {
    'lab-dataset': String(run.dataset),
    'lab-train': String(run.train),
    'lab-dev': String(run.dev),
    'lab-test': String(run.test),
    'lab-dim': String(run.dim),
    'lab-lr': String(run.lr),
    'lab-batch': String(run.batch),
    'lab-epochs': String(run.epochs),
    'lab-seed': String(run.seed),
  });
  await page.$$eval(
    'input[name="lab-cell"]',
    (els, chosen) => {
      for (const el of els as HTMLInputElement[]) el.checked = (chosen as string[]).includes(el.value);
    },
    cells,
  );
}

const labState = (page: Page) =>
  page.$eval('#lab-status', (el) => ({
    state: (el as HTMLElement).dataset.state ?? '',
    epochs: Number((el as HTMLElement).dataset.epochs ?? 0),
    text: el.textContent ?? '',
  }));

/** Clicks a download button and returns the file's text once the browser has written it. */
async function downloaded(page: Page, selector: string, name: string): Promise<string> {
  rmSync(join(downloads, name), { force: true });
  await page.click(selector);
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    try {
      const text = readFileSync(join(downloads, name), 'utf8');
      if (text.length > 0) return text;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download ${name}`);
}

/** What the results table shows, per cell: data-key → data-value. */
const shownTable = (page: Page) =>
  page.$$eval('#lab-results tr[data-cell]', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        (row as HTMLElement).dataset.cell,
        Object.fromEntries(
          [...row.querySelectorAll('td[data-key]')].map((td) => [
            (td as HTMLElement).dataset.key,
            (td as HTMLElement).dataset.value,
          ]),
        ),
      ]),
    ),
  );

/** Gives the file input `selector` the file at `path`. */
async function uploadFile(page: Page, selector: string, path: string): Promise<void> {
  const input = await page.$(selector);
  await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(path);
}

/** Waits until the chart worker has drawn the newest spec of every figure. */
async function figuresDrawn(page: Page): Promise<void> {
  await until(page, () => !document.querySelector('.lab-figure[data-drawn="false"]'), null);
}

const figurePoints = (page: Page) =>
  page.$$eval('.lab-figure', (els) =>
    Object.fromEntries(els.map((el) => [el.id, Number((el as HTMLElement).dataset.points)])),
  );

// The CLI's runs first (Node, Dawn), every cell.
const cli = Object.fromEntries(CELLS.map((cell) => [cell, cliTrain(cell)]));
console.log(`CLI runs: ${((performance.now() - started) / 1000).toFixed(1)} s`);

const session = await openChromePage('/index.html', (line) => {
  if (line.startsWith('page error:')) problems.push(line);
});
const { page, browser } = session;
try {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  await page.setViewport({ width: 1280, height: 800 });
  await page.reload({ waitUntil: 'load' });
  // Start once the page has parsed its kernels (it does so while idle after loading).
  await until(page, () => document.body.dataset.shaders === 'ready', null);

  // 1. Train every cell, pausing after the first epoch.
  await labFields(page, RUN, CELLS);
  await page.evaluate(() => {
    const w = window as unknown as { __tasks: [number, number][] };
    w.__tasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__tasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask' });
    // What each long frame spent its time on (Long Animation Frames): scripts, style and layout.
    const f = window as unknown as { __frames: PageFrame[] };
    f.__frames = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as LongFrame[]) {
        f.__frames.push({
          start: e.startTime,
          duration: e.duration,
          layout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((x) => ({
            name: `${x.sourceFunctionName || x.invoker} (${x.sourceURL.split('/').pop()})`,
            ms: x.duration,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame' });
  });
  // Pause as soon as epoch 1 is reported, from inside the page: a click from here can land after a
  // fast run (3 epochs take ~2 s on SwiftShader) has already finished.
  await page.evaluate(() => {
    const status = document.getElementById('lab-status')!;
    const observer = new MutationObserver(() => {
      if (Number(status.dataset.epochs) >= 1) {
        observer.disconnect();
        (document.getElementById('lab-pause') as HTMLButtonElement).click();
      }
    });
    observer.observe(status, { attributes: true, attributeFilter: ['data-epochs'] });
  });
  const t0 = performance.now();
  await page.click('#lab-start');
  const points: Record<string, number>[] = [];
  const polled: number[] = [];
  let polling = true;
  const poll = (async () => {
    while (polling) {
      polled.push(await page.$eval('#figure-loss', (el) => Number((el as HTMLElement).dataset.points)));
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  await until(page, () => Number(document.getElementById('lab-status')?.dataset.epochs) >= 1, null);
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'paused', null);
  points.push(await figurePoints(page));
  const heldAt = await page.$eval('#lab-progress-text', (el) => Number((el as HTMLElement).dataset.done));
  await new Promise((r) => setTimeout(r, 1500));
  const stillAt = await page.$eval('#lab-progress-text', (el) => Number((el as HTMLElement).dataset.done));
  check(
    'pause holds training between steps',
    stillAt === heldAt,
    `${heldAt} → ${stillAt} steps while paused`,
  );
  // A screenshot holds the page's thread itself: its tasks are left out of the probe.
  await figuresDrawn(page);
  const shotFrom = await page.evaluate(() => performance.now());
  await page.screenshot({ path: join(shots, '1-controls-paused.png') });
  const shotTo = await page.evaluate(() => performance.now());
  await page.click('#lab-pause');
  for (let epoch = 2; epoch <= RUN.epochs; epoch++) {
    await until(
      page,
      (e: number) => Number(document.getElementById('lab-status')?.dataset.epochs) >= e,
      epoch,
    );
    points.push(await figurePoints(page));
  }
  await until(
    page,
    () => ['done', 'error', 'stopped'].includes(document.getElementById('lab-status')?.dataset.state ?? ''),
    null,
  );
  const trainMs = performance.now() - t0;
  polling = false;
  await poll;
  polled.push(await page.$eval('#figure-loss', (el) => Number((el as HTMLElement).dataset.points)));
  const state = await labState(page);
  check('training finishes', state.state === 'done', state.text);
  const progress = await page.$eval('#lab-progress-text', (el) => el.textContent ?? '');
  check(
    'progress line: steps, steps/s and time',
    /\d+ \/ \d+ steps · [\d.]+ steps\/s · took/.test(progress),
    progress,
  );
  console.log(
    `  trained ${CELLS.length} cells × ${RUN.epochs} epochs in ${(trainMs / 1000).toFixed(1)} s: ${progress}`,
  );
  const seen = [...new Set(polled)];
  const grows =
    polled.every((n, i) => i === 0 || n >= polled[i - 1]!) &&
    polled.at(-1) === CELLS.length * RUN.epochs &&
    seen.filter((n) => n > 0).length >= RUN.epochs;
  check('the loss figure gains points as epochs end', grows, `point counts seen: ${seen.join(' → ')}`);
  const dev = (await figurePoints(page))['figure-dev-accuracy'];
  check(
    'the dev accuracy figure: a point per cell and epoch',
    dev === CELLS.length * RUN.epochs,
    `${dev} points`,
  );
  const series = await page.$$eval('.lab-figure', (els) =>
    Object.fromEntries(els.map((el) => [el.id, Number((el as HTMLElement).dataset.series)])),
  );
  const ratioGrows = CELLS.every(
    (c) =>
      series[`figure-ratio-${c}`] === RUN.epochs + 1 &&
      points.every(
        (p, i) => i === 0 || (p[`figure-ratio-${c}`] ?? 0) >= (points[i - 1]![`figure-ratio-${c}`] ?? 0),
      ),
  );
  check(
    'log10 r by depth: one curve per epoch and at initialisation, per cell',
    ratioGrows,
    `${JSON.stringify(series)} ${JSON.stringify(points)}`,
  );
  const tasks = await longTasks(page, 0, [shotFrom, shotTo]);
  const busy = await pageWork(page, 0, [shotFrom, shotTo]);
  check(
    `the page's own work during training: no script or style and layout over ${LONG_TASK_MS} ms`,
    busy.longest <= LONG_TASK_MS,
    `longest ${busy.longest.toFixed(0)} ms; long frames:\n    ${busy.text}`,
  );
  console.log(
    `  during training: the page's longest script or layout in a long frame ${busy.longest.toFixed(0)} ms; tasks over 50 ms: ${tasks.length} (${tasks.map((t) => t.toFixed(0)).join(', ')} ms)`,
  );

  // 2. Exported JSON: what the table shows, above chance, and the CLI's curves.
  const exported = JSON.parse(
    await downloaded(page, '#lab-export-json', 'treegrad-lab-results.json'),
  ) as LabResultsJson;
  const table = await shownTable(page);
  const shownOk = exported.runs.every((r) => {
    const row = table[r.cell] ?? {};
    return (
      Number(row.trainLoss) === r.history.trainLoss.at(-1) &&
      Number(row.devAccuracy) === r.history.devAccuracy.at(-1) &&
      Number(row.testAccuracy) === r.testAccuracy &&
      Number(row.bestEpoch) === r.bestEpoch
    );
  });
  check('the table shows the exported numbers', shownOk, JSON.stringify(table));
  const chance = 1 / exported.data.classes;
  for (const r of exported.runs) {
    const best = Math.max(...r.history.devAccuracy);
    check(`${r.cell}: dev accuracy above chance`, best > chance, `best ${best}, chance ${chance}`);
    const c = cli[r.cell]!.json;
    const lossWorst = Math.max(
      ...c.history.trainLoss.map((v, i) => relDiff(r.history.trainLoss[i] ?? Number.NaN, v)),
    );
    const devSame = c.history.devAccuracy.every(
      (v, i) => Math.abs((r.history.devAccuracy[i] ?? -1) - v) <= 1 / RUN.dev + 1e-12,
    );
    let ratioWorst = 0;
    c.history.log10RatioByDepth.forEach((e, i) => {
      for (const [d, v] of Object.entries(e.byDepth)) {
        const mine = r.history.log10RatioByDepth[i]?.byDepth[d];
        ratioWorst = Math.max(ratioWorst, mine ? Math.abs(mine.mean - v.mean) : Number.POSITIVE_INFINITY);
      }
    });
    check(
      `${r.cell}: the same curves as treegrad train (loss rel ≤ ${TOL.lossRel}, log10 r ± ${TOL.ratioAbs}, dev accuracy ± 1 sentence)`,
      lossWorst <= TOL.lossRel &&
        ratioWorst <= TOL.ratioAbs &&
        devSame &&
        r.history.trainLoss.length === c.history.trainLoss.length,
      `loss worst rel ${lossWorst.toExponential(2)}, log10 r worst ${ratioWorst.toExponential(2)}, dev page ${r.history.devAccuracy} CLI ${c.history.devAccuracy}`,
    );
    console.log(
      `  ${r.cell}: dev ${r.history.devAccuracy.map((v) => v.toFixed(3)).join(' ')}, vs CLI: loss rel ${lossWorst.toExponential(2)}, log10 r ${ratioWorst.toExponential(2)}`,
    );
  }
  const csv = await downloaded(page, '#lab-export-csv', 'treegrad-lab-results.csv');
  check(
    'CSV export: a row per number',
    csv.startsWith('cell,metric,epoch,depth,value,n\n') && csv.includes('log10_ratio_by_depth'),
    csv.slice(0, 200),
  );

  // 3. Figures: screenshot, PNG and SVG export.
  const figures = await page.$('#lab-figures');
  await figures?.scrollIntoView();
  await figuresDrawn(page);
  await figures?.screenshot({ path: join(shots, '2-figures.png') });
  const png = await downloaded(page, '#figure-loss button[data-export="png"]', 'loss.png');
  const svg = await downloaded(page, '#figure-ratio-rnn button[data-export="svg"]', 'ratio-rnn.svg');
  check(
    'figure export: PNG and SVG',
    png.length > 1000 && svg.includes('<svg') && svg.includes('epoch 3'),
    `${png.length} bytes PNG, SVG ${svg.slice(0, 80)}`,
  );

  // 4. The inspector: one tree per cell, fixed scale, epochs by the slider, hover details.
  const inspectorTrees = await page.$$eval('#lab-trees svg.tree', (els) => els.length);
  check('inspector: one tree per cell', inspectorTrees === CELLS.length, `${inspectorTrees} trees`);
  const fills = (p: Page) =>
    p.$$eval('#lab-trees svg.tree circle.node', (els) => els.map((e) => e.getAttribute('fill')).join());
  const last = await fills(page);
  await page.$eval('#lab-epoch', (el) => {
    (el as HTMLInputElement).value = '0';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const first = await fills(page);
  const label = await page.$eval('#lab-epoch-label', (el) => el.textContent);
  check(
    'inspector: the slider moves to initialisation and recolours',
    label === 'initialisation' && first !== last,
    `label ${label}`,
  );
  const inspector = await page.$('#lab-trees');
  await inspector?.scrollIntoView();
  const keyword = await page.$('#lab-trees figure[data-cell="rlstm"] circle.ring + circle.node');
  await keyword?.hover();
  const hover = await page.$eval('#lab-hover', (el) => el.textContent ?? '');
  check(
    'inspector: hover shows depth, gh, gc and the word',
    /depth \d+/.test(hover) && hover.includes('gh =') && hover.includes('gc =') && /leaf "k\d+"/.test(hover),
    hover,
  );
  await page.screenshot({ path: join(shots, '3-inspector.png') });

  // 5. Pausing changes no bit: RNN alone, never paused, the same numbers as in the paused run.
  await labFields(page, RUN, ['rnn']);
  await page.click('#lab-start');
  await until(
    page,
    () =>
      ['done', 'error', 'stopped'].includes(document.getElementById('lab-status')?.dataset.state ?? '') &&
      !document.querySelector('#lab-results tr[data-cell="rlstm"]'),
    null,
  );
  const again = JSON.parse(
    await downloaded(page, '#lab-export-json', 'treegrad-lab-results.json'),
  ) as LabResultsJson;
  const a = again.runs[0]!;
  const b = exported.runs.find((r) => r.cell === 'rnn')!;
  check(
    'pause and resume change no bit (rnn with and without a pause)',
    JSON.stringify(a.history) === JSON.stringify(b.history) && a.testAccuracy === b.testAccuracy,
    `${JSON.stringify(a.history.trainLoss)} vs ${JSON.stringify(b.history.trainLoss)}`,
  );

  // 6. Parameters: the page's RNN against the CLI's, and the CLI's file loaded in the page.
  const saved = paramsFromJson(
    JSON.parse(await downloaded(page, '#lab-save-params', 'rnn-params.json')),
    'page',
  );
  const fromCli = paramsFromJson(JSON.parse(readFileSync(cli.rnn!.params, 'utf8')), 'cli');
  let worst = 0;
  for (const [name, t] of Object.entries(fromCli.tensors)) {
    const mine = saved.tensors[name]!;
    t.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(mine[i]! - v));
    });
  }
  check(
    "saved parameters: the CLI format, the CLI's values to float32 rounding",
    worst <= 1e-4 && saved.vocab.join() === fromCli.vocab.join(),
    `worst |Δ| ${worst}`,
  );
  const data = keywordDataset({
    dataset: RUN.dataset,
    seed: RUN.seed,
    train: RUN.train,
    dev: RUN.dev,
    test: RUN.test,
  });
  const treesFile = join(work, 'test.txt');
  writeFileSync(treesFile, formatTrees(data.test.slice(0, 10).map((e) => e.tree)));
  const gradOut = join(work, 'grad.json');
  execFileSync(
    process.execPath,
    [
      'bin/treegrad.js',
      'grad',
      '--cell',
      'rnn',
      '--trees',
      treesFile,
      '--params',
      cli.rnn!.params,
      '--device',
      'gpu',
      '--out',
      gradOut,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const cliLoss = (JSON.parse(readFileSync(gradOut, 'utf8')) as { loss: number }).loss;
  await setInputs(page, { trees: readFileSync(treesFile, 'utf8') });
  const runsBefore = await page.$eval('#status', (el) => Number((el as HTMLElement).dataset.runs));
  await uploadFile(page, '#params-file', cli.rnn!.params);
  await until(page, (n: number) => Number(document.getElementById('status')?.dataset.runs) > n, runsBefore);
  const pageLoss = Number(await page.$eval('#loss', (el) => (el as HTMLElement).dataset.value));
  check(
    "a CLI parameter file gives the CLI's loss on the same trees",
    relDiff(pageLoss, cliLoss) <= 1e-5,
    `page ${pageLoss}, CLI ${cliLoss}`,
  );
  console.log(`  loaded CLI params: loss page ${pageLoss}, CLI ${cliLoss}`);
  await page.$eval('#input-title', (el) => el.scrollIntoView());
  await page.screenshot({ path: join(shots, '4-loaded-params.png') });

  // 7. Bad files are located in the page.
  const badParams = join(work, 'bad-params.json');
  const broken = JSON.parse(readFileSync(cli.rnn!.params, 'utf8')) as {
    dim: number;
    tensors: Record<string, unknown>;
  };
  broken.dim = 0;
  delete broken.tensors.W_L;
  writeFileSync(badParams, JSON.stringify(broken));
  await uploadFile(page, '#params-file', badParams);
  await until(page, () => document.getElementById('status')?.dataset.state === 'error', null);
  const paramsError = await page.$eval('#error', (el) => el.textContent ?? '');
  check(
    'a bad parameter file: every problem named',
    paramsError.includes('bad-params.json') && /\bdim\b/.test(paramsError),
    paramsError,
  );
  const badTrees = '(1 (0 w3 k1) (0 w7 w2))\n(2 (0 w1 k2) (1 w4\n(0 w5 k0)\n';
  let expected = '';
  try {
    collectLabels(badTrees, 'bad.txt');
  } catch (error) {
    if (error instanceof TreeParseError) expected = error.message;
  }
  const badFile = join(work, 'bad.txt');
  writeFileSync(badFile, badTrees);
  await uploadFile(page, '#lab-own-file', badFile);
  await until(
    page,
    () => (document.getElementById('lab-own-text') as HTMLTextAreaElement).value.length > 0,
    null,
  );
  await page.click('#lab-start');
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'error', null);
  const treesError = await page.$eval('#lab-error', (el) => el.textContent ?? '');
  check(
    'a malformed trees file: located in the page (file:line:column)',
    expected !== '' && treesError.includes(expected),
    `expected "${expected}", page "${treesError}"`,
  );
  await page.$eval('#lab-title', (el) => el.scrollIntoView());
  await page.screenshot({ path: join(shots, '5-bad-file.png') });

  // 8. Own trees. One text split in file order (80 / 10 / 10): the split sizes shown.
  const own = formatTrees(data.train.slice(0, 30).map((e) => e.tree));
  await setInputs(page, { 'lab-own-text': own, 'lab-epochs': '1' });
  await page.$eval('#lab-own-text', (el) => el.dispatchEvent(new Event('input', { bubbles: true })));
  await page.click('input[name="lab-data"][value="own"]');
  await page.click('input[name="lab-own-split"][value="order"]');
  await page.$$eval('input[name="lab-cell"]', (els) => {
    for (const el of els as HTMLInputElement[]) el.checked = el.value === 'rnn';
  });
  await page.click('#lab-start');
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'done', null);
  const sizes = await page.$$eval('#lab-data-summary span[data-role]', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
  check(
    'own trees in one file: split 24 / 3 / 3 in file order',
    /^train: 24 trees/.test(sizes[0] ?? '') &&
      /^dev: 3 trees/.test(sizes[1] ?? '') &&
      /^test: 3 trees/.test(sizes[2] ?? ''),
    sizes.join(' | '),
  );

  // Three files with string labels, as `treegrad train --train F --dev F --test F` reads them: a
  // label outside the training file's is located; then the <unk> counts and classes are the CLI's.
  const named = (examples: typeof data.train) =>
    formatTrees(examples.map((e) => e.tree)).replace(/\((\d+) /g, '(c$1 ');
  const files = { train: join(work, 'train.txt'), dev: join(work, 'dev.txt'), test: join(work, 'test.txt') };
  writeFileSync(files.train, named(data.train.slice(0, 60)));
  writeFileSync(files.dev, named(data.dev.slice(0, 20)));
  const testLines = named(data.test.slice(0, 20)).split('\n');
  testLines[1] = testLines[1]!.replace(/^\(c\d+ /, '(x ');
  writeFileSync(files.test, testLines.join('\n'));
  let labelError = '';
  try {
    await readTreebank(files);
  } catch (error) {
    labelError = (error as Error).message.replace(`${work}/`, '');
  }
  for (const role of ['train', 'dev', 'test'] as const)
    await uploadFile(page, `#lab-own-${role}-file`, files[role]);
  await until(
    page,
    () => (document.getElementById('lab-own-test') as HTMLTextAreaElement).value.length > 0,
    null,
  );
  await setInputs(page, { 'lab-epochs': '2' });
  await page.click('#lab-start');
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'error', null);
  const labelShown = await page.$eval('#lab-error', (el) => el.textContent ?? '');
  check(
    "a test label outside the training file's: located as the CLI locates it",
    labelError.startsWith('test.txt:2:') && labelShown.includes(labelError),
    `CLI "${labelError}", page "${labelShown}"`,
  );
  testLines[1] = testLines[1]!.replace(/^\(x /, '(c1 ');
  const fixed = join(work, 'test-fixed.txt');
  writeFileSync(fixed, testLines.join('\n'));
  await uploadFile(page, '#lab-own-test-file', fixed);
  await until(
    page,
    () => !(document.getElementById('lab-own-test') as HTMLTextAreaElement).value.includes('(x '),
    null,
  );
  await page.click('#lab-start');
  await until(
    page,
    () =>
      ['done', 'error', 'stopped'].includes(document.getElementById('lab-status')?.dataset.state ?? '') &&
      document.getElementById('lab-status')?.dataset.epochs === '2',
    null,
  );
  const { summary } = await readTreebank({ ...files, test: fixed });
  const unknownShown = await page.$$eval('#lab-data-summary span[data-role]', (els) =>
    els.map((e) => Number((e as HTMLElement).dataset.unknown)),
  );
  const unknownCli = (['train', 'dev', 'test'] as const).map((r) => summary.unknown[r].unknownTokens);
  const ownJson = JSON.parse(
    await downloaded(page, '#lab-export-json', 'treegrad-lab-results.json'),
  ) as LabResultsJson;
  check(
    "own files: the CLI's classes and <unk> counts per split",
    unknownShown.join() === unknownCli.join() &&
      unknownCli[1]! + unknownCli[2]! > 0 &&
      ownJson.data.classes === summary.labels.labels.length,
    `page ${unknownShown} classes ${ownJson.data.classes}, CLI ${unknownCli} classes ${summary.labels.labels.length}`,
  );
  const reach = await figurePoints(page);
  check(
    'own trees: a gradient-reach figure with a curve per epoch',
    (reach['figure-reach-rnn'] ?? 0) > 0,
    JSON.stringify(reach),
  );
  await figuresDrawn(page);
  await page.$eval('#lab-title', (el) => el.scrollIntoView());
  await page.screenshot({ path: join(shots, '6-own-files.png') });
  await page.$eval('#lab-figures', (el) => el.scrollIntoView());
  await page.screenshot({ path: join(shots, '6-own-trees.png') });

  // The largest data the page makes (10,000 train sentences) comes from a worker, in parts: the
  // main thread stays free from Start until training runs, and after a stop.
  await labFields(page, { ...RUN, train: 10_000 }, ['rnn']);
  const from = await page.evaluate(() => performance.now());
  await page.click('#lab-start');
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'running', null);
  await until(page, () => Number(document.getElementById('lab-progress-text')?.dataset.done) > 0, null);
  await page.click('#lab-stop');
  await until(page, () => document.getElementById('lab-status')?.dataset.state === 'stopped', null);
  const bigTasks = await longTasks(page, from);
  const bigWork = await pageWork(page, from);
  check(
    `10,000 sentences made, training started and stopped: no script or style and layout over ${LONG_TASK_MS} ms`,
    bigWork.longest <= LONG_TASK_MS,
    `longest ${bigWork.longest.toFixed(0)} ms; long frames:\n    ${bigWork.text}`,
  );
  console.log(
    `  10,000 sentences: the page's longest script or layout in a long frame ${bigWork.longest.toFixed(0)} ms; tasks over 50 ms: ${bigTasks.length} (${bigTasks.map((t) => t.toFixed(0)).join(', ')} ms)`,
  );

  // 9. Without WebGPU: a plain message, and the Float64 reference draws one tree.
  const bare = await browser.newPage();
  await bare.setViewport({ width: 1280, height: 800 });
  bare.on('pageerror', (error) => problems.push(`page error (no WebGPU): ${(error as Error).message}`));
  await bare.evaluateOnNewDocument(
    "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });",
  );
  await bare.goto(`${session.url}/index.html`, { waitUntil: 'load' });
  await until(bare, () => document.getElementById('status')?.dataset.state === 'reference', null);
  const notice = await bare.$eval('#gpu-notice', (el) =>
    (el as HTMLElement).hidden ? '' : (el.textContent ?? ''),
  );
  const circles = await bare.$$eval('#tree-views svg.tree circle.node', (els) => els.length);
  const startOff = await bare.$eval('#lab-start', (el) => (el as HTMLButtonElement).disabled);
  check(
    'no WebGPU: how to enable it, one tree from Float64, training off',
    notice.includes('No WebGPU') && notice.includes('enable') && circles > 0 && startOff,
    `notice "${notice}", ${circles} circles`,
  );
  await bare.screenshot({ path: join(shots, '7-no-webgpu.png') });
} catch (error) {
  check('lab runs', false, error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  await session.close();
  rmSync(work, { recursive: true, force: true });
}
check('no page or console errors', problems.length === 0, problems.join('\n'));

const failed = results.filter((r) => !r.ok).length;
const passed = results.length - failed;
if (values.summary) writeFileSync(values.summary, JSON.stringify({ passed, failed }));
console.log(
  `Lab: ${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s); screenshots in ${shots}`,
);
process.exitCode = failed > 0 ? 1 : 0;
