// The adapter's matrix-product ceiling as TF.js sees it: tf.matMul of two [size, size] matrices on
// the WebGPU backend, K products back to back, read back once; checked against Float64 first.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../src/rng/index.ts';
import { gflops, matmulFlops, median } from './napkin.ts';
import { initTfjs } from './peers/index.ts';

/** Wall time a timed batch of products should take. */
const TARGET_MS = 50;

async function timeProducts(a: tf.Tensor2D, b: tf.Tensor2D, k: number): Promise<number> {
  const t0 = performance.now();
  const outs: tf.Tensor[] = [];
  for (let i = 0; i < k; i++) outs.push(tf.matMul(a, b));
  // One element of the last product: the queue has finished every product when it arrives.
  const corner = tf.slice(outs[k - 1]!, [0, 0], [1, 1]);
  await corner.data();
  const ms = performance.now() - t0;
  tf.dispose([...outs, corner]);
  return ms;
}

/** GFLOP/s of TF.js matMul ([size, size]·[size, size]) on the WebGPU backend: median of `repeats`. */
export async function tfjsMatmulGflops(size: number, repeats: number): Promise<number> {
  await initTfjs('webgpu');
  const rng = Rng.fromSeed(11);
  const A = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  const B = Float32Array.from({ length: size * size }, () => rng.uniform(-1, 1));
  const a = tf.tensor2d(A, [size, size]);
  const b = tf.tensor2d(B, [size, size]);
  try {
    const row = tf.tidy(() => tf.slice(tf.matMul(a, b), [0, 0], [1, size]));
    const got = await row.data();
    row.dispose();
    let diff = 0;
    let ref = 0;
    for (let j = 0; j < size; j++) {
      let e = 0;
      for (let k = 0; k < size; k++) e += A[k]! * B[k * size + j]!;
      diff += (got[j]! - e) ** 2;
      ref += e * e;
    }
    const err = Math.sqrt(diff / Math.max(ref, 1e-300));
    if (!(err <= 1e-4)) throw new Error(`TF.js matMul disagrees with Float64 (norm-wise ${err})`);
    const once = await timeProducts(a, b, 1);
    const k = Math.max(1, Math.min(256, Math.ceil(TARGET_MS / Math.max(once, 1e-3))));
    await timeProducts(a, b, k);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(await timeProducts(a, b, k));
    return gflops(matmulFlops(size, size, size) * k, median(times));
  } finally {
    tf.dispose([a, b]);
  }
}
