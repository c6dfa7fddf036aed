// The interactive page (index.html): the adapter, and a self-check that runs a real kernel.
import { getGpu } from '../gpu/device.ts';
import { KernelCache } from '../gpu/kernel.ts';
import { runSelfcheck } from '../gpu/selfcheck.ts';

const adapterBox = document.getElementById('adapter')!;
const checkBox = document.getElementById('check')!;
const runButton = document.getElementById('run') as HTMLButtonElement;

async function start(): Promise<void> {
  const gpu = await getGpu({ onError: (m) => (checkBox.textContent += `\n${m}`) });
  const s = gpu.summary;
  adapterBox.textContent = [
    `${s.vendor} ${s.architecture} ${s.description}${s.isFallbackAdapter ? ' (CPU fallback)' : ''}`,
    `features: ${s.features.join(', ')}`,
    `maxStorageBufferBindingSize: ${s.limits.maxStorageBufferBindingSize}`,
    `maxComputeWorkgroupsPerDimension: ${s.limits.maxComputeWorkgroupsPerDimension}`,
  ].join('\n');
  const kernels = new KernelCache(gpu.device);
  let seed = 1;
  runButton.disabled = false;
  runButton.onclick = async () => {
    runButton.disabled = true;
    try {
      checkBox.textContent = (
        await runSelfcheck(gpu.device, kernels, { dim: 50, rows: 1024, seed: seed++ })
      ).text;
    } catch (error) {
      checkBox.textContent = `failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      runButton.disabled = false;
    }
  };
}

start().catch((error: unknown) => {
  adapterBox.textContent = `No WebGPU: ${error instanceof Error ? error.message : String(error)}`;
});
