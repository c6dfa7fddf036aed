// The forward level kernels read the cell's weights from thetaT, the engine's transposed copy
// (shaders/transpose_weights.wgsl). A kernel case makes that copy with the engine's kernel and checks
// it value for value against the transposition written out here, before any forward reads it.
import type { GpuTestContext } from './harness.ts';

/**
 * thetaT for `theta` (tensors `names` at `offsets`, matrices D × D, names starting with `b` vectors
 * of D), made on the GPU and checked exactly: each matrix transposed, each vector copied, every
 * other float left as it was (garbage here). Throws naming the first float that differs.
 */
export async function transposedTheta(
  ctx: GpuTestContext,
  theta: Float32Array,
  offsets: Readonly<Record<string, number>>,
  names: readonly string[],
  D: number,
): Promise<GPUBuffer> {
  const matrices = names.filter((name) => !name.startsWith('b'));
  const vectors = names.filter((name) => name.startsWith('b'));
  const table = Uint32Array.from([...matrices, ...vectors], (name) => offsets[name]!);
  const WG = 64;
  const kernel = await ctx.kernels.get('transpose_weights', { D, WG });
  const before = Float32Array.from(theta, (_, i) => -1000 - i);
  const thetaT = ctx.storage('thetaT', before);
  const params = kernel.pack('params', { matrices: matrices.length, tensors: table.length });
  const group = kernel.bind({
    theta: ctx.storage('theta (transposed)', theta),
    thetaT,
    offsets: ctx.storage('transpose table', table),
    params: ctx.uniform('transpose params', params),
  });
  const invocations = (matrices.length * D * D) / 16 + (vectors.length * D) / 4;
  const encoder = ctx.device.createCommandEncoder({ label: 'transpose_weights' });
  const pass = encoder.beginComputePass({ label: 'transpose_weights' });
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(Math.ceil(invocations / WG));
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);

  const expected = before.slice();
  for (const name of matrices) {
    const off = offsets[name]!;
    for (let j = 0; j < D; j++)
      for (let k = 0; k < D; k++) expected[off + k * D + j] = theta[off + j * D + k]!;
  }
  for (const name of vectors)
    expected.set(theta.subarray(offsets[name]!, offsets[name]! + D), offsets[name]!);
  const got = await ctx.readF32(thetaT);
  const bad = got.findIndex((x, i) => !Object.is(x, expected[i]));
  if (bad >= 0) {
    throw new Error(`transpose_weights: thetaT[${bad}] = ${got[bad]}, expected ${expected[bad]}`);
  }
  ctx.log(`transpose_weights: ${matrices.length} matrices and ${vectors.length} vectors, exact`);
  return thetaT;
}
