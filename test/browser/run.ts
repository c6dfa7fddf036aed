// Runner 2 of the GPU test table, the driver: serves the project, opens test/browser/ in headless
// Chrome with WebGPU, forwards the page console and exits non-zero on any failure or GPU error.
// Usage: tsx test/browser/run.ts [--filter TEXT] [--seed N] [--timeout SECONDS] [--summary FILE.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openChromePage } from '../../src/browser/chrome.ts';
import type { PageReport } from './page.ts';

const { values } = parseArgs({
  options: {
    filter: { type: 'string' },
    seed: { type: 'string' },
    timeout: { type: 'string', default: '1800' },
    summary: { type: 'string' },
  },
});
const query = new URLSearchParams();
if (values.filter) query.set('filter', values.filter);
// A fresh seed each run unless given (--seed or TREEGRAD_TEST_SEED); a fixed one under CI.
const seed = values.seed ?? process.env.TREEGRAD_TEST_SEED ?? (process.env.CI ? '1' : undefined);
if (seed) query.set('seed', seed);

const session = await openChromePage(`/test/browser/index.html?${query}`);
let report: PageReport;
try {
  await session.page.waitForFunction(() => window.__treegrad?.done === true, {
    timeout: Number(values.timeout) * 1000,
    polling: 200,
  });
  report = await session.page.evaluate(() => window.__treegrad);
} finally {
  await session.close();
}
const failed = report.results.filter((r) => !r.ok);
for (const r of failed) console.error(`FAIL ${r.name}\n  ${r.error?.replaceAll('\n', '\n  ')}`);
for (const e of report.errors) console.error(`GPU error: ${e}`);
const passed = report.results.length - failed.length;
if (values.summary) {
  writeFileSync(values.summary, JSON.stringify({ passed, failed: failed.length + report.errors.length }));
}
console.log(
  `Chrome GPU cases: ${passed} passed, ${failed.length + report.errors.length} failed (${report.adapter ?? 'no adapter'})`,
);
process.exitCode = failed.length + report.errors.length > 0 || report.results.length === 0 ? 1 : 0;
