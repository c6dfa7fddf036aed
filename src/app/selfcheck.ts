// The small panel at the foot of the page: which adapter the page got, and a self-check that runs
// a real kernel (a gathered matrix product) against Float64 in JavaScript.
import type { Gpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { runSelfcheck } from '../matmul/gather-check.ts';
import { byId, messageOf } from './dom.ts';

/** One line naming the adapter, e.g. "google swiftshader (CPU fallback)". */
export function adapterName(gpu: Gpu): string {
  const s = gpu.summary;
  const name = [s.vendor, s.architecture, s.description].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${s.isFallbackAdapter ? ' (CPU fallback)' : ''}`;
}

/** Shows the adapter's details and arms the self-check button. */
export function showAdapter(gpu: Gpu): void {
  const s = gpu.summary;
  byId('adapter').textContent = [
    adapterName(gpu),
    `features: ${s.features.join(', ') || 'none'}`,
    `maxStorageBufferBindingSize: ${s.limits.maxStorageBufferBindingSize}`,
    `maxComputeWorkgroupsPerDimension: ${s.limits.maxComputeWorkgroupsPerDimension}`,
  ].join('\n');
  const button = byId('run-check', HTMLButtonElement);
  const out = byId('check');
  const kernels = new KernelCache(gpu.device);
  let seed = 1;
  button.disabled = false;
  button.onclick = async () => {
    button.disabled = true;
    out.textContent = 'running…';
    try {
      out.textContent = (await runSelfcheck(gpu.device, kernels, { dim: 50, rows: 1024, seed: seed++ })).text;
    } catch (error) {
      out.textContent = `failed: ${messageOf(error)}`;
    } finally {
      button.disabled = false;
    }
  };
}

/** Shows why there is no adapter. */
export function showNoAdapter(message: string): void {
  byId('adapter').textContent = `No WebGPU: ${message}`;
}
