// The same suite in Node on Dawn (the `webgpu` package): for a machine with a real GPU and no
// browser. No TF.js WebGPU peer here (no navigator.gpu in Node); TF.js CPU and the reference run.
// Usage: npx tsx bench/node.ts [--preset full] [options of bench/run.ts]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { getGpu } from '../src/gpu/device.ts';
import { restartEnv, vulkanEnv } from '../src/gpu/vulkan-env.ts';
import { parseCli } from './cli.ts';
import { parseConfig } from './config.ts';
import { allowTfjsEsmInNode } from './node-esm.ts';
import { finishRun, RESULTS_DIR } from './output.ts';
import { runSuite } from './suite.ts';

/** Dawn reads its Vulkan driver and loader from the environment at start: restart once with them. */
function restartWithVulkan(): number | undefined {
  const choice = vulkanEnv();
  if (Object.keys(choice.env).length === 0 || process.env.TREEGRAD_ENV_READY) return undefined;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...restartEnv(choice) },
  });
  return child.status ?? 1;
}

async function main(): Promise<number> {
  const restarted = restartWithVulkan();
  if (restarted !== undefined) return restarted;
  const cli = parseCli(process.argv.slice(2));
  const config = parseConfig(cli.suite);
  const gpu = await getGpu();
  allowTfjsEsmInNode();
  const peers = await import('./peers/index.ts');
  const t0 = Date.now();
  try {
    const result = await runSuite(
      {
        gpu,
        runtime: 'node',
        tfjs: peers.tfjsModel,
        tfjsBackends: ['cpu'],
        onProgress(done, total, message) {
          console.error(`[bench] ${done}/${total} ${((Date.now() - t0) / 1000).toFixed(0)}s ${message}`);
        },
      },
      config,
    );
    return finishRun(result, cli.out ? resolve(cli.out) : RESULTS_DIR);
  } finally {
    gpu.destroy();
  }
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
