// The table of GPU test cases: run by vitest in Node (Dawn) and by the puppeteer page in Chrome.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { assertClose, describe } from '../../src/check/compare.ts';
import { gatherMatmul, gatherMatmulReference } from '../../src/matmul/gather.ts';
import { gemm, gemmReference } from '../../src/matmul/gemm.ts';
import { BindingMismatchError } from '../../src/gpu/kernel.ts';
import { engineAllLossCases, engineCases, engineDisposeCase, engineReloadCase } from './cases-engine.ts';
import { rlstmCases } from './cases-rlstm.ts';
import { splitCase } from './cases-split.ts';
import { trainCases } from './cases-train.ts';
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

interface GemmShape {
  M: number;
  K: number;
  N: number;
  maxWorkgroupsPerDim?: number;
}

function gemmCase(shape: GemmShape): GpuCase {
  const { M, K, N, maxWorkgroupsPerDim } = shape;
  const fold = maxWorkgroupsPerDim ? `, ≤${maxWorkgroupsPerDim} workgroups/dim` : '';
  return {
    name: `gemm A=${M}×${K} B=${K}×${N}${fold}`,
    async run(ctx) {
      const input = {
        A: randomFloats(ctx.seed, M * K),
        B: randomFloats(ctx.seed + 1, K * N),
        M,
        K,
        N,
        ...(maxWorkgroupsPerDim ? { maxWorkgroupsPerDim } : {}),
      };
      const actual = await gemm(ctx.device, ctx.kernels, input);
      // As gather_matmul's: dot products of length K with entries in [-1, 1].
      const tol = { atol: 1e-6 * Math.sqrt(K), rtol: 1e-5 };
      ctx.log(describe(assertClose('C', actual, gemmReference(input), tol), tol));
    },
  };
}

/** Expects `fn` to throw a BindingMismatchError whose message contains every fragment. */
function expectMismatch(fn: () => unknown, fragments: string[]): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof BindingMismatchError)) throw error;
    const missing = fragments.filter((f) => !error.message.includes(f));
    if (missing.length > 0) throw new Error(`message "${error.message}" lacks ${missing.join(', ')}`);
    return;
  }
  throw new Error(`expected a BindingMismatchError naming ${fragments.join(', ')}`);
}

const bindingChecks: GpuCase = {
  name: 'kernel bindings: missing, extra, wrong usage and unknown overrides are named errors',
  async run(ctx) {
    const kernel = await ctx.kernels.get('gather_matmul', { TILE: 16 });
    const f = ctx.storage('f', new Float32Array(4));
    const u = ctx.uniform('params', new Uint32Array(4));
    const all = { Y: f, X: f, W: f, idx: f, params: u };
    kernel.bind(all); // the right set binds
    const { idx: _, ...noIdx } = all;
    expectMismatch(() => kernel.bind(noIdx), ['gather_matmul', '"idx"', 'not given']);
    expectMismatch(() => kernel.bind({ ...all, Z: f }), ['gather_matmul', '"Z"', 'no such binding']);
    expectMismatch(() => kernel.bind({ ...all, params: f }), ['gather_matmul', '"params"', 'UNIFORM']);
    await ctx.kernels.get('gather_matmul', { TILES: 8 }).then(
      () => {
        throw new Error('an unknown override constant was accepted');
      },
      (error: unknown) =>
        expectMismatch(() => {
          throw error;
        }, ['gather_matmul', '"TILES"']),
    );
  },
};

/** Every GPU case, in the order both runners run them. */
export const gpuCases: GpuCase[] = [
  bindingChecks,
  gatherMatmulCase({ rows: 1, numX: 1, inDim: 1, outDim: 1 }),
  gatherMatmulCase({ rows: 5, numX: 3, inDim: 3, outDim: 17 }),
  gatherMatmulCase({ rows: 7, numX: 9, inDim: 7, outDim: 7 }),
  gatherMatmulCase({ rows: 33, numX: 40, inDim: 50, outDim: 50 }),
  gatherMatmulCase({ rows: 64, numX: 64, inDim: 128, outDim: 128 }),
  gatherMatmulCase({ rows: 100, numX: 30, inDim: 20, outDim: 36, maxWorkgroupsPerDim: 3 }),
  gemmCase({ M: 1, K: 1, N: 1 }),
  gemmCase({ M: 5, K: 3, N: 17 }),
  gemmCase({ M: 33, K: 50, N: 50 }),
  gemmCase({ M: 64, K: 64, N: 64 }),
  gemmCase({ M: 130, K: 97, N: 70 }),
  gemmCase({ M: 256, K: 256, N: 256 }),
  gemmCase({ M: 100, K: 20, N: 200, maxWorkgroupsPerDim: 4 }),
  ...rlstmCases,
  engineDisposeCase,
  engineReloadCase,
  splitCase,
  ...engineAllLossCases(),
  ...trainCases,
  ...engineCases(),
];
