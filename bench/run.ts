// `npm run bench`: runs the benchmark page (bench/index.html) in headless Chrome with WebGPU,
// forwards its progress, then writes bench/results/<timestamp>.{json,csv,html} (and latest.*) and
// prints the summary. Exits non-zero if the page fails or treegrad's engine fails validation.
import { resolve } from 'node:path';
import { openChromePage } from '../src/browser/chrome.ts';
import { configQuery, parseConfig } from './config.ts';
import { parseCli } from './cli.ts';
import { finishRun, RESULTS_DIR } from './output.ts';
import type { PageState } from './page.ts';

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  parseConfig(cli.suite); // fail here, before Chrome starts, on a bad option
  const query = configQuery(cli.suite);
  query.set('run', '1');
  const t0 = Date.now();
  const session = await openChromePage(`/bench/index.html?${query}`, (line) => {
    if (line.startsWith('[bench]')) console.error(line);
    else if (!line.startsWith('[vite]')) console.error(`[chrome] ${line}`);
  });
  let state: PageState;
  try {
    await session.page.waitForFunction(() => window.__bench?.done === true, {
      timeout: cli.timeoutS * 1000,
      polling: 500,
    });
    state = await session.page.evaluate(() => window.__bench);
  } finally {
    await session.close();
  }
  if (state.error || !state.result) {
    console.error(`error: the benchmark page failed: ${state.error ?? 'no result'}`);
    return 1;
  }
  const status = finishRun(state.result, cli.out ? resolve(cli.out) : RESULTS_DIR);
  console.log(`wall time of the whole run: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return status;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
