// TF.js set-up for the peer benchmark: gradients registered, the CPU backend always available, the
// WebGPU backend loaded on demand (it needs navigator.gpu, so a browser), small ops kept on the GPU.
import * as tf from '@tensorflow/tfjs-core';
// Without this, tf.grads / tf.variableGrads fail with "gradient function not found".
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';

/** The TF.js backends the benchmark compares against. */
export type TfjsBackend = 'webgpu' | 'cpu';

const setUps = new Map<TfjsBackend, Promise<void>>();

async function setUp(backend: TfjsBackend): Promise<void> {
  if (backend === 'webgpu') {
    const gpu = typeof navigator === 'undefined' ? undefined : (navigator as { gpu?: unknown }).gpu;
    if (gpu === undefined) {
      throw new Error('TF.js webgpu backend: navigator.gpu is missing (it runs in a browser with WebGPU)');
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    // Registered by the webgpu backend's module; otherwise TF.js quietly runs small ops on the CPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend "${backend}" failed to initialise`);
  await tf.ready();
}

/**
 * Initialises TF.js with a backend and makes it the active one (webgpu needs navigator.gpu: browser
 * only; cpu works anywhere). Idempotent: the backend is set up once; later calls only re-activate it.
 * A failed set-up is not cached, so it can be retried.
 */
export async function initTfjs(backend: TfjsBackend): Promise<void> {
  let ready = setUps.get(backend);
  if (ready === undefined) {
    ready = setUp(backend);
    setUps.set(backend, ready);
    ready.catch(() => setUps.delete(backend));
  }
  await ready;
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) {
    throw new Error(`TF.js backend "${backend}" could not be activated`);
  }
}
