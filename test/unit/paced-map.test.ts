// PacedMap (src/gpu/paced-map.ts) on a simulated clock: how long it sleeps before each map.
import { describe, expect, it } from 'vitest';
import { type PaceClock, PacedMap } from '../../src/gpu/paced-map.ts';

// The unit lane has no WebGPU globals; mapAsync's mode is all PacedMap reads of them.
(globalThis as { GPUMapMode?: unknown }).GPUMapMode ??= { READ: 1 };

/** A clock and a buffer whose map completes `gpuMs` after the readback starts, plus 0.05 ms. */
function simulated() {
  let t = 0;
  let doneAt = 0;
  const clock: PaceClock = {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
  };
  const buffer = {
    mapAsync: async () => {
      t = Math.max(t, doneAt) + 0.05;
    },
  } as unknown as GPUBuffer;
  const paced = new PacedMap(clock, true);
  /** One readback of a GPU job of `gpuMs`: the sleep taken before it, and its whole wait. */
  const readback = async (gpuMs: number) => {
    const sleep = paced.nextSleepMs;
    const start = t;
    doneAt = t + gpuMs;
    await paced.map(buffer, 0, 4);
    return { sleep, waitMs: t - start };
  };
  return { readback };
}

describe('PacedMap', () => {
  it('sleeps most of a long wait once it has seen one, and polls short waits from the start', async () => {
    const { readback } = simulated();
    expect((await readback(50)).sleep).toBe(0);
    const second = await readback(50);
    expect(second.sleep).toBeCloseTo(40.04, 6);
    expect(second.waitMs).toBeCloseTo(50.05, 6);
    const short = simulated();
    for (let i = 0; i < 5; i++) expect((await short.readback(1.5)).sleep).toBe(0);
  });

  it('after one long wait, short ones stop sleeping within a few readbacks (the overshoot halves)', async () => {
    const { readback } = simulated();
    await readback(500);
    const sleeps: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await readback(1);
      sleeps.push(r.sleep);
      waits.push(r.waitMs);
    }
    // Each overshoot halves the estimate (sleeps 400, 160, 64, 25.6, 10.2, 4.1, 1.6 ms); then the
    // estimate is under 2 ms and the rest poll from the start, waiting only the GPU's 1 ms.
    expect(sleeps.indexOf(0)).toBe(7);
    expect(sleeps.slice(7).every((s) => s === 0)).toBe(true);
    expect(waits.slice(7).every((w) => Math.abs(w - 1.05) < 1e-9)).toBe(true);
    for (let i = 1; i < 7; i++) expect(sleeps[i]).toBeCloseTo(0.4 * sleeps[i - 1]!, 9);
  });

  it('a sleep shorter than the GPU time measures it: the estimate follows the job', async () => {
    const { readback } = simulated();
    await readback(10);
    for (let i = 0; i < 3; i++) await readback(20);
    const r = await readback(20);
    expect(r.sleep).toBeCloseTo(0.8 * 20.05, 6);
    expect(r.waitMs).toBeCloseTo(20.05, 6);
  });
});
