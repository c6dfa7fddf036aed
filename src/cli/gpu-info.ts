// `treegrad gpu-info [--browser] [--json]`: the adapter, its features and limits.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AdapterSummary, getGpu } from '../gpu/device.ts';
import { vulkanEnv } from '../gpu/vulkan-env.ts';
import { type Command, UsageError } from './command.ts';

const usage = `Usage: treegrad gpu-info [--browser] [--json]

Prints the WebGPU adapter, its features and limits.
  --browser   ask headless Chrome (navigator.gpu) instead of Dawn in Node (from a checkout of
              the repository: it serves the repository's test page)
  --json      print the adapter summary as JSON`;

/** Reads the adapter summary from inside headless Chrome (needs the repository and its devDependencies). */
async function browserSummary(): Promise<AdapterSummary> {
  if (!existsSync(new URL('../../test/browser/blank.html', import.meta.url))) {
    throw new UsageError(
      '--browser needs a checkout of the treegrad repository (it serves its test page with vite and drives Chrome with puppeteer-core); the installed package asks Dawn in Node',
    );
  }
  const { openChromePage } = await import('../browser/chrome.ts');
  const session = await openChromePage('/test/browser/blank.html', () => {});
  try {
    return await session.page.evaluate(async () => {
      const modulePath: string = '/src/gpu/device.ts';
      const { getGpu } = (await import(/* @vite-ignore */ modulePath)) as typeof import('../gpu/device.ts');
      const gpu = await getGpu();
      gpu.destroy();
      return gpu.summary;
    });
  } finally {
    await session.close();
  }
}

/** Formats a summary as the lines `gpu-info` prints. */
export function formatSummary(s: AdapterSummary): string {
  const width = Math.max(...Object.keys(s.limits).map((k) => k.length));
  return [
    `runtime:      ${s.runtime === 'node' ? 'Node (Dawn)' : 'browser (navigator.gpu)'}`,
    `vendor:       ${s.vendor || '(not given)'}`,
    `architecture: ${s.architecture || '(not given)'}`,
    `device:       ${s.device || '(not given)'}`,
    `description:  ${s.description || '(not given)'}`,
    `fallback:     ${s.isFallbackAdapter ? 'yes (a CPU implementation)' : 'no'}`,
    `features:     ${s.features.join(', ') || 'none'}`,
    'limits:',
    ...Object.entries(s.limits).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join('\n');
}

/** The `gpu-info` command. */
export const gpuInfo: Command = {
  name: 'gpu-info',
  summary: 'print the WebGPU adapter, its features and limits (Node, or --browser for Chrome)',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { browser: { type: 'boolean' }, json: { type: 'boolean' } },
    });
    let summary: AdapterSummary;
    if (values.browser) {
      summary = await browserSummary();
    } else {
      const gpu = await getGpu();
      summary = gpu.summary;
      gpu.destroy();
      if (!values.json) {
        console.log(`vulkan:       ${vulkanEnv().description}`);
        if (process.env.LP_NUM_THREADS !== undefined) {
          const n = process.env.LP_NUM_THREADS;
          console.log(
            `lavapipe:     LP_NUM_THREADS=${n} (${n === '0' ? 'compute inline, in the queue thread' : `${n} compute threads`})`,
          );
        }
      }
    }
    console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return 0;
  },
};
