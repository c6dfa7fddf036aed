// `treegrad selfcheck`: the adapter in one line, then a real kernel checked against Float64.
import { parseArgs } from 'node:util';
import { getGpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { runSelfcheck } from '../matmul/gather-check.ts';
import { CAPS, deviceLimits, LimitError, maxStorageBytes } from '../engine/limits.ts';
import type { Command } from './command.ts';
import { intFlag } from './data.ts';

const usage = `Usage: treegrad selfcheck [--dim D] [--rows R] [--seed S]

Finds a WebGPU adapter, runs the gathered matrix product (Y[r] = W·X[idx[r]]) on random inputs and
checks it against a Float64 computation. Defaults: --dim 50 --rows 1024 --seed 1. --rows is at most ${CAPS.selfcheckRows} and X must fit one storage buffer.`;

/** The `selfcheck` command (what `npm start` runs for now). */
export const selfcheck: Command = {
  name: 'selfcheck',
  summary: 'find the GPU and check a real kernel against Float64',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        dim: { type: 'string', default: '50' },
        rows: { type: 'string', default: '1024' },
        seed: { type: 'string', default: '1' },
      },
    });
    const options = {
      dim: intFlag('dim', values.dim, 1, 512),
      rows: intFlag('rows', values.rows, 1, CAPS.selfcheckRows),
      seed: intFlag('seed', values.seed, 0, CAPS.seed),
    };
    const gpu = await getGpu();
    try {
      const limit = maxStorageBytes(deviceLimits(gpu.device.limits));
      const bytes = options.rows * options.dim * 4;
      if (bytes > limit)
        throw new LimitError(
          `--rows ${options.rows} × --dim ${options.dim} needs ${bytes} bytes for X, over this device's storage buffer limit of ${limit} bytes`,
        );
      const s = gpu.summary;
      const via = s.runtime === 'node' ? 'Dawn' : 'browser';
      console.log(
        `adapter: ${s.vendor} ${s.architecture}${s.isFallbackAdapter ? ' (CPU fallback)' : ''} via ${via}`,
      );
      const result = await runSelfcheck(gpu.device, new KernelCache(gpu.device), options);
      console.log(result.text);
      if (gpu.errors.length > 0) console.error(`WebGPU errors:\n  ${gpu.errors.join('\n  ')}`);
      return result.comparison.ok && gpu.errors.length === 0 ? 0 : 1;
    } finally {
      gpu.destroy();
    }
  },
};
