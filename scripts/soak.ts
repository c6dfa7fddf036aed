// Soak test (not part of `npm test`): trains and evaluates for a while on one device and prints
// GPU buffers, JS heap and RSS after every epoch, so a leak shows as a rising column.
// Usage: npx tsx scripts/soak.ts [--minutes 30] [--cell rlstm|…] [--dim 50] [--dataset 5]
import { parseArgs } from 'node:util';
import { getGpu } from '../src/gpu/device.ts';
import { KernelCache } from '../src/gpu/kernel.ts';
import { trackBuffers } from '../src/gpu/track.ts';
import { isCell } from '../src/params/shapes.ts';
import { keywordDataset } from '../src/train/dataset.ts';
import { TRAIN_DEFAULTS, train } from '../src/train/loop.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    cell: { type: 'string', default: 'rlstm' },
    dim: { type: 'string', default: '50' },
    dataset: { type: 'string', default: '5' },
  },
});
const cell = values.cell;
if (!isCell(cell)) throw new Error(`--cell: unknown cell "${cell}"`);
const minutes = Number(values.minutes);
const gpu = await getGpu();
const buffers = trackBuffers(gpu.device);
const kernels = new KernelCache(gpu.device);
const data = keywordDataset({ dataset: Number(values.dataset), seed: 1, train: 500, dev: 100, test: 100 });
const config = { ...TRAIN_DEFAULTS, cell, dim: Number(values.dim), epochs: 1, ratios: true };
const t0 = performance.now();
const mib = (n: number) => (n / 2 ** 20).toFixed(1).padStart(7);
console.log('minute  run  GPU buffers  GPU MiB  heap MiB   RSS MiB');
for (let run = 1; (performance.now() - t0) / 60_000 < minutes; run++) {
  // A new engine every run (create, train, evaluate, dispose), with another seed each time.
  await train(gpu.device, data, { ...config, seed: run }, { kernels });
  const m = process.memoryUsage();
  const minute = ((performance.now() - t0) / 60_000).toFixed(1).padStart(6);
  console.log(
    `${minute}  ${String(run).padStart(3)}  ${String(buffers.count()).padStart(11)}  ${mib(buffers.bytes())}  ${mib(m.heapUsed)}  ${mib(m.rss)}`,
  );
}
if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
gpu.destroy();
