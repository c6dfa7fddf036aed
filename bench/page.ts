// The benchmark page (bench/index.html): runs the suite in this browser with every peer, shows
// progress and the summary as points finish, and leaves the result on window.__bench for the
// puppeteer driver (bench/run.ts). By hand: `npm run dev`, open /bench/, choose options, Run.
import { getGpu } from '../src/gpu/device.ts';
import { OPTION_KEYS, parseConfig } from './config.ts';
import type { BenchResult } from './result.ts';
import { runSuite } from './suite.ts';
import { goalLines, summaryTable } from './summary.ts';

/** What the driver reads back from the page. */
export interface PageState {
  done: boolean;
  result?: BenchResult;
  error?: string;
}

declare global {
  interface Window {
    __bench: PageState;
  }
}

const state: PageState = { done: false };
window.__bench = state;
const query = new URLSearchParams(location.search);
const $ = (id: string) => document.getElementById(id)!;
const form = $('options') as HTMLFormElement;
const status = $('status');
const bar = $('bar') as HTMLProgressElement;
const table = $('table');

for (const key of OPTION_KEYS) {
  const input = form.elements.namedItem(key) as HTMLInputElement | null;
  const value = query.get(key);
  if (input && value !== null) input.value = value;
}

function fail(error: unknown): void {
  state.error = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
  status.textContent = `failed: ${state.error}`;
  console.error(`[bench] error: ${state.error}`);
  state.done = true;
}

function download(result: BenchResult): void {
  const blob = new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `bench-${result.startedAt.replaceAll(':', '-')}.json`;
  link.textContent = 'Download the results (JSON)';
  const line = $('download');
  line.prepend(link, ' — then ');
  line.hidden = false;
}

async function main(): Promise<void> {
  const options: Record<string, string> = {};
  for (const key of OPTION_KEYS) {
    const value = query.get(key);
    if (value) options[key] = value;
  }
  const config = parseConfig(options);
  const gpu = await getGpu({ onError: (m) => console.error(`[bench] ${m}`) });
  const peers = await import('./peers/index.ts');
  const { tfjsMatmulGflops } = await import('./tfjs-matmul.ts');
  const t0 = performance.now();
  const adapter = `${gpu.summary.vendor} ${gpu.summary.architecture} ${gpu.summary.description}`;
  try {
    const result = await runSuite(
      {
        gpu,
        runtime: 'chrome',
        userAgent: navigator.userAgent,
        tfjs: peers.tfjsModel,
        tfjsBackends: ['webgpu', 'cpu'],
        tfjsMatmul: tfjsMatmulGflops,
        onProgress(done, total, message) {
          const s = (performance.now() - t0) / 1000;
          const eta = done > 0 ? ` ~${Math.round((s / done) * (total - done))} s left` : '';
          bar.max = total;
          bar.value = done;
          status.textContent = `${adapter}: ${done} / ${total} measurements, ${s.toFixed(0)} s${eta} — ${message}`;
          console.log(`[bench] ${done}/${total} ${s.toFixed(0)}s ${message}`);
        },
        onPoints(points) {
          table.textContent = summaryTable(points);
        },
      },
      config,
    );
    state.result = result;
    table.textContent = `${summaryTable(result.points)}\n\n${goalLines(result).join('\n')}`;
    status.textContent = `${adapter}: done in ${result.durationS.toFixed(0)} s`;
    download(result);
  } finally {
    gpu.destroy();
  }
  state.done = true;
}

window.addEventListener('unhandledrejection', (e) => fail(e.reason));
if (query.get('run') === '1') main().catch(fail);
else status.textContent = 'choose options and press Run';
