// Smoke test of the interactive page (index.html) in headless Chrome with WebGPU: computes the
// default tree with every cell of the registry, checks the drawing and the numbers, then a malformed tree.
// Usage: tsx test/browser/app-smoke.ts [--timeout SECONDS] [--summary FILE.json] [--screenshot FILE.png]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Page } from 'puppeteer-core';
import { CELLS, REGISTRY } from '../../src/cells/index.ts';
import { openChromePage, setInputs } from '../../src/browser/chrome.ts';
import { numberNodes, parseTrees } from '../../src/trees/index.ts';

const { values } = parseArgs({
  options: {
    timeout: { type: 'string', default: '120' },
    summary: { type: 'string' },
    screenshot: { type: 'string' },
  },
});
const timeout = Number(values.timeout) * 1000;
const started = performance.now();
const results: { name: string; ok: boolean; detail: string }[] = [];
const problems: string[] = [];
let pageFailed: (error: Error) => void = () => {};
/** Rejects at the first page error, so a broken page fails at once instead of at the timeout. */
const pageError = new Promise<never>((_, reject) => {
  pageFailed = reject;
});
pageError.catch(() => {});

/** Waits for fn(arg) to be truthy in the page, or fails at a page error or the timeout. */
async function until(page: Page, fn: (arg: number) => boolean, arg = 0): Promise<void> {
  await Promise.race([page.waitForFunction(fn, { timeout, polling: 100 }, arg), pageError]);
}

function check(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? '✓' : '✗'} ${name}${ok ? '' : `: ${detail}`}`);
}

/** Clicks compute and waits until the page has finished one more run; returns its state and status text. */
async function computeOnce(page: Page): Promise<{ state: string; text: string }> {
  const runs = await page.$eval('#status', (el) => Number((el as HTMLElement).dataset.runs));
  await page.click('#compute');
  await until(
    page,
    (before: number) => Number(document.getElementById('status')?.dataset.runs) > before,
    runs,
  );
  return page.$eval('#status', (el) => ({
    state: (el as HTMLElement).dataset.state ?? '',
    text: el.textContent ?? '',
  }));
}

const session = await openChromePage('/index.html', (line) => {
  if (!line.startsWith('page error:')) return;
  problems.push(line);
  pageFailed(new Error(line));
});
const { page } = session;
try {
  // Watch console errors from the first line on: reload with the listener attached.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.reload({ waitUntil: 'load' });
  // The first, automatic run on the default tree must finish before the page takes new clicks.
  await until(page, () => !['idle', 'busy'].includes(document.getElementById('status')?.dataset.state ?? ''));
  const adapter = await page.$eval('#adapter-pill', (el) => el.textContent ?? '');
  console.log(`adapter: ${adapter}`);
  const text = await page.$eval('#trees', (el) => (el as HTMLTextAreaElement).value);
  const expected = parseTrees(text.trim()).reduce((n, t) => n + numberNodes(t).length, 0);

  for (const cell of CELLS) {
    const hasC = REGISTRY[cell].hasC;
    await setInputs(page, { cell, dim: '8', compare: hasC });
    const t0 = performance.now();
    const status = await computeOnce(page);
    const ms = performance.now() - t0;
    check(`${cell}: computes`, status.state === 'done', status.text);
    await page.waitForSelector('#tree-views svg.tree', { timeout });
    const circles = await page.$$eval('#tree-views svg.tree circle.node', (els) => els.length);
    check(`${cell}: one circle per node`, circles === expected, `${circles} circles, ${expected} nodes`);
    const ratio = Number(await page.$eval('#ratio', (el) => (el as HTMLElement).dataset.value));
    check(`${cell}: ratio is finite and positive`, Number.isFinite(ratio) && ratio > 0, `ratio ${ratio}`);
    console.log(`  ${cell}: ${expected} nodes, ratio ${ratio.toPrecision(4)}, ${ms.toFixed(0)} ms`);
    if (hasC) {
      const rel = Number(await page.$eval('#compare-result', (el) => (el as HTMLElement).dataset.value));
      check(`${cell}: GPU agrees with Float64`, rel <= 1e-3, `worst relative difference ${rel}`);
      await page.click('#metric input[value="gc"]');
      const label = await page.$eval('#legend', (el) => el.textContent ?? '');
      const again = await page.$$eval('#tree-views svg.tree circle.node', (els) => els.length);
      check(`${cell}: colours by gc`, label.includes('gc') && again === expected, `legend "${label}"`);
      if (values.screenshot) await page.screenshot({ path: values.screenshot, fullPage: true });
    }
  }

  const bad = '(3 (1 w1 w2) (2 w3 w4)';
  let message = '';
  try {
    parseTrees(bad, { source: 'trees' });
  } catch (error) {
    message = (error as Error).message;
  }
  await setInputs(page, { trees: bad });
  const status = await computeOnce(page);
  const shown = await page.$eval('#error', (el) =>
    (el as HTMLElement).hidden ? '' : (el.textContent ?? ''),
  );
  check(
    'malformed tree: located error in the page',
    status.state === 'error' && message !== '' && shown.includes(message),
    `expected "${message}", page shows "${shown}"`,
  );

  // Without WebGPU the page says so, in the page.
  const bare = await session.browser.newPage();
  bare.on('pageerror', (error) => {
    const line = `page error (no WebGPU): ${(error as Error).message}`;
    problems.push(line);
    pageFailed(new Error(line));
  });
  // A string, not a function: tsx would add helpers to a function's source that the page lacks.
  await bare.evaluateOnNewDocument(
    "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });",
  );
  await bare.goto(`${session.url}/index.html`, { waitUntil: 'load' });
  await Promise.race([
    bare.waitForFunction(() => document.getElementById('status')?.dataset.state === 'reference', { timeout }),
    pageError,
  ]);
  const noGpu = await bare.$eval('#gpu-notice', (el) => el.textContent ?? '');
  check('no WebGPU: the reason in the page', noGpu.includes('No WebGPU: this browser has no WebGPU'), noGpu);
  const drawn = await bare.$$eval('#tree-views svg.tree circle.node', (els) => els.length);
  check('no WebGPU: the Float64 reference draws the tree', drawn > 0, `${drawn} circles`);
} catch (error) {
  check('page runs', false, error instanceof Error ? error.message : String(error));
} finally {
  await session.close();
}
check('no page or console errors', problems.length === 0, problems.join('\n'));

const failed = results.filter((r) => !r.ok).length;
const passed = results.length - failed;
if (values.summary) writeFileSync(values.summary, JSON.stringify({ passed, failed }));
console.log(
  `App smoke: ${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
process.exitCode = failed > 0 ? 1 : 0;
