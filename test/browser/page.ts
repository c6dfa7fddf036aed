// Runner 2 of the GPU test table, in the page: runs every case, prints one console line each and
// leaves the results on window.__treegrad for the puppeteer driver (test/browser/run.ts).
import { getGpu } from '../../src/gpu/device.ts';
import { KernelCache } from '../../src/gpu/kernel.ts';
import { gpuCases } from '../gpu/cases.ts';
import { type CaseResult, runCase } from '../gpu/harness.ts';

/** What the driver reads back when the run is over. */
export interface PageReport {
  done: boolean;
  adapter?: string;
  results: CaseResult[];
  /** Errors outside any case: no adapter, uncaptured errors, device loss. */
  errors: string[];
}

declare global {
  interface Window {
    __treegrad: PageReport;
  }
}

const report: PageReport = { done: false, results: [], errors: [] };
window.__treegrad = report;

function show(result: CaseResult): void {
  const item = document.createElement('li');
  item.className = result.ok ? 'ok' : 'fail';
  item.textContent = `${result.ok ? 'ok' : 'FAIL'} ${result.name} (${result.ms.toFixed(0)} ms)${result.error ? `\n${result.error}` : ''}`;
  document.getElementById('results')?.append(item);
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const seed = Number(params.get('seed') ?? Date.now() % 1_000_000);
  const filter = params.get('filter') ?? '';
  const gpu = await getGpu({ onError: (m) => report.errors.push(m) });
  report.adapter = `${gpu.summary.vendor} ${gpu.summary.architecture}`;
  console.log(`GPU cases in Chrome: ${report.adapter} (seed ${seed})`);
  const kernels = new KernelCache(gpu.device);
  for (const [i, c] of gpuCases.entries()) {
    if (!c.name.includes(filter)) continue;
    const result = await runCase(gpu.device, kernels, c, seed + 1000 * i);
    report.results.push(result);
    console.log(`${result.ok ? '✓' : '✗'} ${result.name} (${result.ms.toFixed(0)} ms)`);
    for (const line of result.logs) console.log(`    ${line}`);
    if (result.error) console.log(`    ${result.error.replaceAll('\n', '\n    ')}`);
    show(result);
  }
  gpu.destroy();
}

main()
  .catch((error: unknown) => {
    report.errors.push(error instanceof Error ? error.message : String(error));
  })
  .finally(() => {
    const failed = report.results.filter((r) => !r.ok).length + report.errors.length;
    const status = document.getElementById('status');
    if (status) status.textContent = `${report.results.length - failed} passed, ${failed} failed`;
    report.done = true;
  });
