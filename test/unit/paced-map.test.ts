// PacedMap (src/gpu/paced-map.ts) on a simulated clock: how long it sleeps before each map.
import { describe, expect, it } from 'vitest';
import { type PaceClock, PacedMap } from '../../src/gpu/paced-map.ts';

// The unit lane has no WebGPU globals; mapAsync's mode is all PacedMap reads of them.
(globalThis as { GPUMapMode?: unknown }).GPUMapMode ??= { READ: 1 };

/**
 * A clock and a buffer whose map completes `gpuMs` after the readback starts, plus `mapMs` (in Node,
 * mapping a buffer whose copy is done takes 0.1–0.4 ms, more while the collector runs).
 */
function simulated(mapMs = 0.05) {
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
      t = Math.max(t, doneAt) + mapMs;
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
  it('sleeps most of a long wait once it has seen two, and polls short waits from the start', async () => {
    const { readback } = simulated();
    expect((await readback(50)).sleep).toBe(0);
    expect((await readback(50)).sleep).toBe(0);
    const third = await readback(50);
    expect(third.sleep).toBeCloseTo(0.8 * 50.05, 6);
    expect(third.waitMs).toBeCloseTo(50.05, 6);
    const short = simulated();
    for (let i = 0; i < 5; i++) expect((await short.readback(1.5)).sleep).toBe(0);
  });

  it('one long wait (pipelines compiled on a cold shader cache) does not pace the waits after it', async () => {
    for (const mapMs of [0.05, 0.5]) {
      const { readback } = simulated(mapMs);
      await readback(30_000);
      const sleeps: number[] = [];
      let waited = 0;
      for (let i = 0; i < 10; i++) {
        const r = await readback(60);
        sleeps.push(r.sleep);
        waited += r.waitMs;
      }
      expect(sleeps[0]).toBe(0);
      for (const s of sleeps.slice(1)) expect(s).toBeCloseTo(0.8 * (60 + mapMs), 6);
      expect(waited).toBeCloseTo(10 * (60 + mapMs), 6);
    }
  });

  it('when the waits shrink, a sleep that overshoots counts as half, and short waits stop sleeping', async () => {
    const { readback } = simulated(0.5);
    for (let i = 0; i < 4; i++) await readback(500);
    const sleeps: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await readback(1);
      sleeps.push(r.sleep);
      waits.push(r.waitMs);
    }
    // Sleeps 400, 160, 64, 25.6, 10.24, 4.1, 1.6 ms (each overshoot halves the shortest wait
    // remembered); then the expectation is under 2 ms and the rest poll from the start.
    expect(sleeps[0]).toBeCloseTo(400.4, 6);
    for (let i = 1; i < 7; i++) expect(sleeps[i]).toBeCloseTo(0.4 * sleeps[i - 1]!, 9);
    expect(sleeps.slice(7).every((s) => s === 0)).toBe(true);
    expect(waits.slice(7).every((w) => Math.abs(w - 1.5) < 1e-9)).toBe(true);
  });

  it('when the waits grow, the expectation follows them once they fill the window', async () => {
    const { readback } = simulated();
    for (let i = 0; i < 4; i++) await readback(10);
    const sleeps: number[] = [];
    for (let i = 0; i < 6; i++) sleeps.push((await readback(20)).sleep);
    // The shortest remembered wait stays 10.05 ms until four 20 ms waits have replaced it.
    for (const s of sleeps.slice(0, 4)) expect(s).toBeCloseTo(0.8 * 10.05, 6);
    for (const s of sleeps.slice(4)) expect(s).toBeCloseTo(0.8 * 20.05, 6);
  });
});
