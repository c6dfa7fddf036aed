// The engine's three schedules on one forest, in headless Chrome: forward + backward nodes/s,
// dispatches per step and GPU time per kernel (timestamp queries), for both cells.
// Usage: tsx bench/schedules.ts [--dims 8,50,128] [--trees 64] [--leaves 20-40] [--repeats 5]
import { parseArgs } from 'node:util';
import { openChromePage } from '../src/browser/chrome.ts';
import type { ScheduleRow } from './schedules-page.ts';

const { values } = parseArgs({
  options: {
    dims: { type: 'string', default: '8,50,128' },
    trees: { type: 'string', default: '64' },
    leaves: { type: 'string', default: '20-40' },
    repeats: { type: 'string', default: '5' },
  },
});
const [minLeaves, maxLeaves] = values.leaves.split('-').map(Number) as [number, number];
const options = {
  dims: values.dims.split(',').map(Number),
  trees: Number(values.trees),
  minLeaves,
  maxLeaves,
  repeats: Number(values.repeats),
};

const session = await openChromePage('/test/browser/blank.html', (line) => console.error(`[chrome] ${line}`));
try {
  // The page imports the measuring module from the vite server (no named functions here: tsx
  // would wrap them in a helper the page does not have).
  const rows = (await session.page.evaluate(
    async (o) => (await import(/* @vite-ignore */ '/bench/schedules-page.ts' as string)).runSchedules(o),
    options,
  )) as ScheduleRow[];
  console.log(
    'cell   d    schedule  nodes  dispatches   median ms     nodes/s   level ×   GPU ms: level kernels (fwd+bwd) / rest',
  );
  for (const r of rows) {
    const level = rows.find((q) => q.cell === r.cell && q.dim === r.dim && q.schedule === 'level')!;
    const cellMs = Object.entries(r.gpuMs)
      .filter(([k]) => /_(forward|backward)$/.test(k))
      .reduce((a, [, v]) => a + v, 0);
    const rest = Object.entries(r.gpuMs)
      .filter(([k]) => !/_(forward|backward)$/.test(k))
      .reduce((a, [, v]) => a + v, 0);
    console.log(
      `${r.cell.padEnd(6)} ${String(r.dim).padEnd(4)} ${r.schedule.padEnd(8)} ${String(r.nodes).padStart(6)} ${String(r.dispatches).padStart(11)} ${r.ms.toFixed(1).padStart(11)} ${r.nodesPerSec.toFixed(0).padStart(11)} ${r.schedule === 'level' ? '' : `${(r.ms / level.ms).toFixed(1)}×`.padStart(9)}${r.schedule === 'level' ? ' '.repeat(9) : ''}   ${cellMs.toFixed(1)} / ${rest.toFixed(1)}`,
    );
  }
} finally {
  await session.close();
}
