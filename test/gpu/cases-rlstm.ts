// GPU cases of the RLSTM level kernels against the Float64 reference cell (src/cells/rlstm).
// A synthetic level: leaf rows, a few lower internal rows, then the level under test, whose children
// are distinct random rows below it. Rows outside what a kernel may write hold garbage that must
// survive; rows it must write with `=` start as garbage too.
import { compare, describe, type Tolerance } from '../../src/check/compare.ts';
import {
  type RlstmSaved,
  rlstmBackward,
  rlstmBackwardLaunch,
  rlstmForward,
  rlstmForwardLaunch,
} from '../../src/cells/rlstm/index.ts';
import { RANGE_STRIDE } from '../../src/gpu/kernel.ts';
import { CELL_TENSORS } from '../../src/params/shapes.ts';
import { computeDispatch } from '../../src/plan/dispatch.ts';
import { Rng } from '../../src/rng/index.ts';
import type { GpuCase, GpuTestContext } from './harness.ts';
import { transposedTheta } from './transposed.ts';

interface LevelShape {
  D: number;
  /** Nodes of the level under test. */
  n: number;
  /** Internal rows below the level (candidate children, never dispatched here). */
  lower: number;
  maxWorkgroupsPerDim?: number;
  /** The wide shape (8 nodes per workgroup), which the engine runs on wide levels on CPU drivers. */
  wide?: boolean;
}

const SLOTS = 8;
const TENSORS = CELL_TENSORS.rlstm;

function uniforms(rng: Rng, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => rng.uniform(-scale, scale));
}

/** Row r of a [rows, width] array as Float64. */
function row64(a: Float32Array, r: number, width: number): Float64Array {
  return Float64Array.from(a.subarray(r * width, (r + 1) * width));
}

/** Dispatches one level kernel over the range [start, start + count) with the `range` slot at offset 0. */
async function dispatchLevel(
  ctx: GpuTestContext,
  name: string,
  launch: { constants: Record<string, number>; nodesPerWorkgroup: number },
  buffers: Record<string, GPUBuffer>,
  start: number,
  count: number,
  maxPerDim: number,
): Promise<void> {
  const kernel = await ctx.kernels.get(name, launch.constants);
  const ranges = new Uint32Array(RANGE_STRIDE / 4);
  ranges.set([start, count]);
  const range = ctx.uniform(`${name} range`, ranges);
  const group = kernel.bind({ ...buffers, range: { buffer: range, size: 8 } });
  const [x, y, z] = computeDispatch(Math.ceil(count / launch.nodesPerWorkgroup), maxPerDim);
  const encoder = ctx.device.createCommandEncoder({ label: name });
  const pass = encoder.beginComputePass({ label: name });
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(x, y, z);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
}

function rlstmLevelCase(shape: LevelShape): GpuCase {
  const { D, n, lower, maxWorkgroupsPerDim, wide = false } = shape;
  const fold = maxWorkgroupsPerDim ? `, ≤${maxWorkgroupsPerDim} workgroups/dim` : '';
  return {
    name: `rlstm_forward + rlstm_backward D=${D} level of ${n} nodes${wide ? ', wide shape' : ''}${fold}`,
    async run(ctx) {
      const rng = Rng.fromSeed(ctx.seed);
      const numLeaves = 2 * n;
      const numInternal = lower + n;
      const numNodes = numLeaves + numInternal;
      const start = numLeaves + lower;
      const maxPerDim = maxWorkgroupsPerDim ?? ctx.device.limits.maxComputeWorkgroupsPerDimension;

      // Children: 2n distinct rows among the leaves and the lower internal rows.
      const pool = rng.shuffle(Array.from({ length: start }, (_, r) => r));
      const children = new Uint32Array(2 * numInternal);
      children.set(pool.slice(0, 2 * n), 2 * lower);
      // theta: tensors in reverse canonical order from offset 4, so no offset is zero or canonical
      // (the kernels read whole vec4s: offsets are multiples of 4, as the engine's layout makes them).
      const P: Record<string, Float64Array> = {};
      const offsets: Record<string, number> = {};
      let next = 4;
      for (const name of [...TENSORS].reverse()) {
        offsets[name] = next;
        next += name.startsWith('b') ? D : D * D;
      }
      const theta = uniforms(rng, next, 1);
      for (const name of TENSORS) {
        const scale = name.startsWith('b') ? 0.5 : 1.5 / Math.sqrt(D);
        const size = name.startsWith('b') ? D : D * D;
        for (let e = 0; e < size; e++) theta[offsets[name]! + e]! *= scale;
        P[name] = Float64Array.from(theta.subarray(offsets[name]!, offsets[name]! + size));
      }
      const fwd = rlstmForwardLaunch(D, wide);
      const forward = await ctx.kernels.get('rlstm_forward', fwd.constants);
      const offs = TENSORS.map((name) => [`off${name}`, offsets[name]!] as const);
      const params = forward.pack('params', { numLeaves, ...Object.fromEntries(offs) });

      // Forward.
      const H0 = uniforms(rng, numNodes * D, 1);
      const C0 = uniforms(rng, numNodes * D, 2);
      const S0 = uniforms(rng, numInternal * SLOTS * D, 1);
      const buf = {
        H: ctx.storage('H', H0),
        C: ctx.storage('C', C0),
        S: ctx.storage('S', S0),
        thetaT: await transposedTheta(ctx, theta, offsets, TENSORS, D),
        children: ctx.storage('children', children),
        params: ctx.uniform('params', params),
      };
      await dispatchLevel(ctx, 'rlstm_forward', fwd, buf, start, n, maxPerDim);
      const [H, C, S] = [await ctx.readF32(buf.H), await ctx.readF32(buf.C), await ctx.readF32(buf.S)];

      const eH = Float64Array.from(H0);
      const eC = Float64Array.from(C0);
      const eS = Float64Array.from(S0);
      const saved: RlstmSaved[] = [];
      for (let m = 0; m < n; m++) {
        const row = start + m;
        const [l, r] = [children[2 * (lower + m)]!, children[2 * (lower + m) + 1]!];
        const s = rlstmForward(P, D, row64(H0, l, D), row64(C0, l, D), row64(H0, r, D), row64(C0, r, D));
        eH.set(s.h, row * D);
        eC.set(s.c, row * D);
        const base = (lower + m) * SLOTS * D;
        for (const [q, v] of [s.iL, s.iR, s.fL, s.fR, s.uL, s.uR, s.o, s.g].entries())
          eS.set(v, base + q * D);
        // The backward below starts from the GPU's forward, so its reference does too.
        const at = (q: number) => row64(S, lower + m, SLOTS * D).subarray(q * D, (q + 1) * D);
        saved.push({
          ...s,
          iL: at(0),
          iR: at(1),
          fL: at(2),
          fR: at(3),
          uL: at(4),
          uR: at(5),
          o: at(6),
          g: at(7),
          c: row64(C, row, D),
          h: row64(H, row, D),
        });
      }
      // Float32 dot products of length up to 4D with |terms| ≲ 1: rounding grows like √D · 2⁻²⁴.
      const tol: Tolerance = { atol: 1e-5 * Math.sqrt(D), rtol: 1e-4 };
      const failed: string[] = [];
      const check = (name: string, actual: Float32Array, expected: Float64Array) => {
        const c = compare(name, actual, expected, tol);
        ctx.log(describe(c, tol));
        if (!c.ok) failed.push(describe(c, tol));
      };
      check('forward H', H, eH);
      check('forward C', C, eC);
      check('forward S', S, eS);

      // Backward from random dH and parent dC on the level; every other row holds garbage (dH's
      // children's rows too: the kernel adds to them).
      const dH0 = uniforms(rng, numNodes * D, 1);
      const dC0 = uniforms(rng, numNodes * D, 1);
      const deltas0 = uniforms(rng, numInternal * SLOTS * D, 1);
      const bbuf = {
        dH: ctx.storage('dH', dH0),
        dC: ctx.storage('dC', dC0),
        deltas: ctx.storage('deltas', deltas0),
        H: buf.H,
        C: buf.C,
        S: buf.S,
        theta: ctx.storage('theta', theta),
        children: buf.children,
        params: buf.params,
      };
      await dispatchLevel(ctx, 'rlstm_backward', rlstmBackwardLaunch(D, wide), bbuf, start, n, maxPerDim);
      const [dH, dC, deltas] = [
        await ctx.readF32(bbuf.dH),
        await ctx.readF32(bbuf.dC),
        await ctx.readF32(bbuf.deltas),
      ];

      const edH = Float64Array.from(dH0);
      const edC = Float64Array.from(dC0);
      const eDeltas = Float64Array.from(deltas0);
      const G: Record<string, Float64Array> = Object.fromEntries(
        Object.entries(P).map(([name, t]) => [name, new Float64Array(t.length)]),
      );
      for (let m = 0; m < n; m++) {
        const row = start + m;
        const [l, r] = [children[2 * (lower + m)]!, children[2 * (lower + m) + 1]!];
        const s = saved[m]!;
        const dh = row64(dH0, row, D);
        const g = rlstmBackward(P, G, D, s, dh, row64(dC0, row, D));
        // The children's dH rows gain the parent's part on top of what they held (their own
        // classifier's gradient in a step with a loss at every labelled node).
        edH.set(
          row64(dH0, l, D).map((x, k) => x + g.dhL[k]!),
          l * D,
        );
        edH.set(
          row64(dH0, r, D).map((x, k) => x + g.dhR[k]!),
          r * D,
        );
        edC.set(g.dcL, l * D);
        edC.set(g.dcR, r * D);
        edC.set(g.dc, row * D);
        const sig = (v: Float64Array, k: number) => v[k]! * (1 - v[k]!);
        const dg = g.dc.map((x, k) => x * (1 - s.g[k]! ** 2));
        const slots = [
          dg.map((x, k) => x * s.uL[k]! * sig(s.iL, k)),
          dg.map((x, k) => x * s.uR[k]! * sig(s.iR, k)),
          g.dc.map((x, k) => x * s.cL[k]! * sig(s.fL, k)),
          g.dc.map((x, k) => x * s.cR[k]! * sig(s.fR, k)),
          dg.map((x, k) => x * s.iL[k]!),
          dg.map((x, k) => x * s.iR[k]!),
          dh.map((x, k) => x * Math.tanh(s.c[k]!) * sig(s.o, k)),
          dg,
        ];
        for (const [q, v] of slots.entries()) eDeltas.set(v, (lower + m) * SLOTS * D + q * D);
      }
      check('backward dH', dH, edH);
      check('backward dC', dC, edC);
      check('backward deltas', deltas, eDeltas);
      if (failed.length > 0) throw new Error(failed.join('\n'));
    },
  };
}

/** The RLSTM level cases, in the order the runners run them. */
export const rlstmCases: GpuCase[] = [
  rlstmLevelCase({ D: 4, n: 3, lower: 2 }),
  rlstmLevelCase({ D: 8, n: 5, lower: 1 }),
  rlstmLevelCase({ D: 32, n: 6, lower: 3 }),
  rlstmLevelCase({ D: 64, n: 5, lower: 0 }),
  rlstmLevelCase({ D: 128, n: 5, lower: 2 }),
  // D past one pass of the forward's 64 threads × 4 outputs: a thread loops over two quads.
  rlstmLevelCase({ D: 300, n: 3, lower: 1 }),
  // More nodes than one workgroup holds, folded into x·y = 3·4 workgroups (two past the level).
  rlstmLevelCase({ D: 32, n: 37, lower: 4, maxWorkgroupsPerDim: 3 }),
  // The wide shape: whole and short workgroups, several groups per workgroup at D = 8, folding.
  rlstmLevelCase({ D: 8, n: 37, lower: 5, wide: true }),
  rlstmLevelCase({ D: 52, n: 19, lower: 4, wide: true }),
  rlstmLevelCase({ D: 52, n: 33, lower: 3, maxWorkgroupsPerDim: 2, wide: true }),
];
