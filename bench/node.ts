// The same suite in Node on Dawn (the `webgpu` package): for a machine with a real GPU and no
// browser. No TF.js WebGPU peer here (no navigator.gpu in Node); TF.js CPU, PyTorch (where a Python
// imports torch: bench/peers/torch.ts) and the reference run.
// Usage: npx tsx bench/node.ts [--preset full] [options of bench/run.ts]
import { resolve } from 'node:path';
import { forwardMultiplyAdds } from '../src/cells/index.ts';
import { getGpu } from '../src/gpu/device.ts';
import { parseCli } from './cli.ts';
import { parseConfig } from './config.ts';
import { allowTfjsEsmInNode } from './node-esm.ts';
import { finishRun, RESULTS_DIR } from './output.ts';
import { type TorchStart, TorchPeer, torchRunner } from './peers/torch.ts';
import { runSuite, type SuiteEnv } from './suite.ts';
import { restartWithVulkan } from './vulkan-restart.ts';

async function main(): Promise<number> {
  const restarted = restartWithVulkan();
  if (restarted !== undefined) return restarted;
  const cli = parseCli(process.argv.slice(2));
  const config = parseConfig(cli.suite);
  // The driver's threading as `treegrad experiment` would choose it for the heaviest model here.
  const work = Math.max(...config.cells.flatMap((c) => config.dims.map((d) => forwardMultiplyAdds(c, d, 1))));
  const gpu = await getGpu({ work });
  const threads = process.env.LP_NUM_THREADS;
  const driverNote =
    threads === undefined
      ? undefined
      : `lavapipe LP_NUM_THREADS=${threads}${threads === '0' ? ' (compute inline)' : ''}`;
  allowTfjsEsmInNode();
  const peers = await import('./peers/index.ts');
  const torch: TorchStart = config.variants.includes('pytorch')
    ? await TorchPeer.start()
    : { unavailable: 'not asked for' };
  const torchEnv: Partial<SuiteEnv> =
    'peer' in torch
      ? {
          torch: (params, trees, labels) => torchRunner(torch.peer, params, trees, labels),
          torchNote: `PyTorch peer: torch ${torch.info.torch} on ${torch.info.device} (${torch.info.deviceName}), ${torch.info.threads} threads, BLAS ${torch.info.blas}, ${torch.info.python} (Python ${torch.info.pythonVersion})`,
        }
      : { torchUnavailable: `unavailable: ${torch.unavailable}` };
  const t0 = Date.now();
  try {
    const result = await runSuite(
      {
        gpu,
        runtime: 'node',
        tfjs: peers.tfjsModel,
        tfjsBackends: ['cpu'],
        ...torchEnv,
        ...(driverNote ? { driverNote } : {}),
        onProgress(done, total, message) {
          console.error(`[bench] ${done}/${total} ${((Date.now() - t0) / 1000).toFixed(0)}s ${message}`);
        },
      },
      config,
    );
    return finishRun(result, cli.out ? resolve(cli.out) : RESULTS_DIR);
  } finally {
    if ('peer' in torch) torch.peer.close();
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
