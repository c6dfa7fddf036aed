// The table of GPU test cases: run by vitest in Node (Dawn) and by the puppeteer page in Chrome.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { assertClose, describe } from '../../src/check/compare.ts';
import { gatherMatmul, gatherMatmulReference } from '../../src/gpu/gather-matmul.ts';
import type { GpuCase } from './harness.ts';

/** Fresh uniform values in [-1, 1) from a seed. */
function randomFloats(seed: number, n: number): Float32Array {
  const rng = xoroshiro128plus(seed);
  return Float32Array.from({ length: n }, () => 2 * uniformFloat64(rng) - 1);
}

function randomIndices(seed: number, n: number, bound: number): Uint32Array {
  const rng = xoroshiro128plus(seed);
  return Uint32Array.from({ length: n }, () => Math.floor(uniformFloat64(rng) * bound));
}

interface MatmulShape {
  rows: number;
  numX: number;
  inDim: number;
  outDim: number;
  maxWorkgroupsPerDim?: number;
}

function gatherMatmulCase(shape: MatmulShape): GpuCase {
  const { rows, numX, inDim, outDim, maxWorkgroupsPerDim } = shape;
  const fold = maxWorkgroupsPerDim ? `, ≤${maxWorkgroupsPerDim} workgroups/dim` : '';
  return {
    name: `gather_matmul rows=${rows} X=${numX}×${inDim} W=${outDim}×${inDim}${fold}`,
    async run(ctx) {
      const input = {
        X: randomFloats(ctx.seed, numX * inDim),
        W: randomFloats(ctx.seed + 1, outDim * inDim),
        idx: randomIndices(ctx.seed + 2, rows, numX),
        inDim,
        outDim,
        ...(maxWorkgroupsPerDim ? { maxWorkgroupsPerDim } : {}),
      };
      const actual = await gatherMatmul(ctx.device, ctx.kernels, input);
      const expected = gatherMatmulReference(input);
      // float32 dot products of length inDim with |x|, |w| ≤ 1: rounding grows like √inDim · 2⁻²⁴.
      const tol = { atol: 1e-6 * Math.sqrt(inDim), rtol: 1e-5 };
      ctx.log(describe(assertClose('Y', actual, expected, tol), tol));
    },
  };
}

/** Every GPU case, in the order both runners run them. */
export const gpuCases: GpuCase[] = [
  gatherMatmulCase({ rows: 1, numX: 1, inDim: 1, outDim: 1 }),
  gatherMatmulCase({ rows: 5, numX: 3, inDim: 3, outDim: 17 }),
  gatherMatmulCase({ rows: 7, numX: 9, inDim: 7, outDim: 7 }),
  gatherMatmulCase({ rows: 33, numX: 40, inDim: 50, outDim: 50 }),
  gatherMatmulCase({ rows: 64, numX: 64, inDim: 128, outDim: 128 }),
  gatherMatmulCase({ rows: 100, numX: 30, inDim: 20, outDim: 36, maxWorkgroupsPerDim: 3 }),
];
