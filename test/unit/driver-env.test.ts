import { describe, expect, test } from 'vitest';
import { forwardMultiplyAdds } from '../../src/cells/index.ts';
import { isCpuAdapter } from '../../src/gpu/device.ts';
import {
  driverEnv,
  LAVAPIPE_INLINE_MAX_WORK,
  LAVAPIPE_INLINE_UP_TO_CPUS,
  type VulkanChoice,
} from '../../src/gpu/vulkan-env.ts';

const choice = (kind: VulkanChoice['kind'], env: Record<string, string> = {}): VulkanChoice => ({
  env,
  description: kind,
  found: kind !== 'none',
  kind,
});
const LVP = '/usr/share/vulkan/icd.d/lvp_icd.json';

describe('driverEnv: lavapipe runs compute inline on small machines', () => {
  test('lavapipe chosen by probing, on 1 or 2 CPUs: LP_NUM_THREADS=0', () => {
    for (const cpus of [1, LAVAPIPE_INLINE_UP_TO_CPUS]) {
      expect(driverEnv(choice('lavapipe', { VK_DRIVER_FILES: LVP }), {}, { cpus })).toEqual({
        LP_NUM_THREADS: '0',
      });
    }
  });

  test('lavapipe named in VK_DRIVER_FILES (an explicit choice) counts too', () => {
    expect(driverEnv(choice('explicit'), { VK_DRIVER_FILES: `/x/other.json:${LVP}` }, { cpus: 2 })).toEqual({
      LP_NUM_THREADS: '0',
    });
  });

  test("more CPUs, the user's own LP_NUM_THREADS, or another driver: nothing is set", () => {
    expect(driverEnv(choice('lavapipe', { VK_DRIVER_FILES: LVP }), {}, { cpus: 3 })).toEqual({});
    expect(
      driverEnv(choice('lavapipe', { VK_DRIVER_FILES: LVP }), { LP_NUM_THREADS: '4' }, { cpus: 2 }),
    ).toEqual({});
    const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
    expect(driverEnv(choice('swiftshader', { VK_DRIVER_FILES: swiftshader }), {}, { cpus: 2 })).toEqual({});
    expect(driverEnv(choice('explicit'), { VK_DRIVER_FILES: swiftshader }, { cpus: 2 })).toEqual({});
    expect(driverEnv(choice('gpu'), {}, { cpus: 2 })).toEqual({});
  });

  test('heavy work keeps the pool: the RNN at d = 50 runs inline, the RLSTM at d = 50 does not', () => {
    const lavapipe = choice('lavapipe', { VK_DRIVER_FILES: LVP });
    const at = (work: number) => driverEnv(lavapipe, {}, { cpus: 2, work });
    expect(at(forwardMultiplyAdds('rnn', 50, 1))).toEqual({ LP_NUM_THREADS: '0' });
    expect(at(forwardMultiplyAdds('rlstm', 8, 1))).toEqual({ LP_NUM_THREADS: '0' });
    // The quick preset's heaviest model.
    expect(at(forwardMultiplyAdds('rlstm', 32, 1))).toEqual({ LP_NUM_THREADS: '0' });
    expect(at(LAVAPIPE_INLINE_MAX_WORK)).toEqual({ LP_NUM_THREADS: '0' });
    expect(at(LAVAPIPE_INLINE_MAX_WORK + 1)).toEqual({});
    expect(at(forwardMultiplyAdds('rlstm', 50, 1))).toEqual({});
  });
});

describe('isCpuAdapter: which adapters get the wide level shapes', () => {
  const info = (o: Partial<GPUAdapterInfo>) =>
    ({ vendor: '', architecture: '', device: '', description: '', ...o }) as GPUAdapterInfo;
  test('fallback adapters and the CPU drivers by name', () => {
    expect(isCpuAdapter(info({ isFallbackAdapter: true } as Partial<GPUAdapterInfo>))).toBe(true);
    expect(isCpuAdapter(info({ architecture: 'swiftshader' }))).toBe(true);
    expect(isCpuAdapter(info({ description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' }))).toBe(true);
  });
  test('a GPU, or no adapter information, is not', () => {
    expect(isCpuAdapter(info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }))).toBe(
      false,
    );
    expect(isCpuAdapter(undefined)).toBe(false);
  });
});
