// Runner 1 of the GPU test table: vitest in Node, through Dawn. A missing adapter fails the run.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { KernelCache } from '../../src/gpu/kernel.ts';
import { gpuCases } from './cases.ts';
import { runCase } from './harness.ts';

// A fresh seed each run (printed, replayable with TREEGRAD_TEST_SEED); a fixed one under CI.
const seed = Number(process.env.TREEGRAD_TEST_SEED ?? (process.env.CI ? 1 : Date.now() % 1_000_000));
const filter = process.env.TREEGRAD_TEST_FILTER ?? '';
let gpu: Gpu;
let kernels: KernelCache;

beforeAll(async () => {
  gpu = await getGpu({ onError: () => {} });
  kernels = new KernelCache(gpu.device);
  console.log(`GPU cases in Node: ${gpu.summary.vendor} ${gpu.summary.architecture} (seed ${seed})`);
});

afterAll(() => {
  gpu?.destroy();
});

describe('GPU cases (Node, Dawn)', () => {
  gpuCases.forEach((c, i) => {
    if (!c.name.includes(filter)) return;
    test(c.name, async () => {
      const result = await runCase(gpu.device, kernels, c, seed + 1000 * i);
      for (const line of result.logs) console.log(`  ${line}`);
      expect(result.error ?? '').toBe('');
      expect(gpu.errors).toEqual([]);
    });
  });
});
