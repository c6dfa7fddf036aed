// Runs the benchmark page in headless Chrome and prints its table.
// Usage: tsx bench/run.ts [--cells rnn,rlstm] [--dims 8,50,128] [--schedules level,tree,node]
//                         [--trees 64] [--leaves 20-40] [--repeats 5] [--seed 1] [--json FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openChromePage } from '../src/browser/chrome.ts';
import { formatPoints } from './engine.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string' },
    dims: { type: 'string' },
    schedules: { type: 'string' },
    trees: { type: 'string' },
    leaves: { type: 'string' },
    repeats: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    timeout: { type: 'string', default: '1800' },
  },
});
const query = new URLSearchParams();
for (const key of ['cells', 'dims', 'schedules', 'trees', 'leaves', 'repeats', 'seed'] as const) {
  if (values[key]) query.set(key, values[key]);
}
const session = await openChromePage(`/bench/index.html?${query}`, (line) =>
  console.error(`[chrome] ${line}`),
);
try {
  await session.page.waitForFunction(() => window.__bench?.done === true, {
    timeout: Number(values.timeout) * 1000,
    polling: 500,
  });
  const result = await session.page.evaluate(() => window.__bench);
  if (result.error) throw new Error(`in the page: ${result.error}`);
  console.log(`adapter: ${result.adapter}\n${formatPoints(result.points)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
} finally {
  await session.close();
}
