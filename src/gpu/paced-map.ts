// Waiting for a readback without taking a core from the GPU. Dawn in Node completes mapAsync by
// polling on the main thread until the GPU is done; on a CPU adapter (lavapipe, SwiftShader) that
// spinning competes with the driver's own threads for the cores. A PacedMap first sleeps for most
// of how long the same kind of readback is expected to wait, then maps: measured on a 2-core
// machine with lavapipe, an RLSTM training epoch (d = 50, batch 5) took 7.0–7.7 s instead of
// 10.7–11.1 s. Pages map as before: the browser does not poll on the page's thread.
//
// The expectation is the shortest of the last few waits, and needs two of them: a sleep too short
// costs some polling, one too long costs its whole overshoot, so a single long wait (the first
// step after a cold shader cache compiles its pipelines for 30 s on lavapipe; a busy machine) must
// not set it. A sleep the GPU outlasted measures the wait; one that overshot (the map completed
// soon after waking) says only that the wait was shorter, and counts as half the sleep. Short
// waits are polled from the start: short sleeps overshoot.

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Of the estimated wait, the share slept before mapping (the rest is left to the poll). */
const SLEEP_SHARE = 0.8;
/** Estimated waits shorter than this are polled from the start: short sleeps overshoot. */
const PACE_FROM_MS = 2;
/**
 * A map that completes within this after the sleep found the GPU already done: the sleep was too
 * long. Mapping a buffer whose copy is done takes 0.1–0.4 ms in Node (Dawn, lavapipe and
 * SwiftShader), more while the collector runs.
 */
const OVERSLEPT_MS = 1;
/** Waits remembered: the expectation is the shortest of them. */
const WINDOW = 4;
/** Waits seen before the first sleep. */
const PACE_AFTER = 2;

/** Time and sleep, replaceable in tests. */
export interface PaceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PaceClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Maps MAP_READ buffers for one kind of recurring readback, learning how long it waits. */
export class PacedMap {
  /** The last WINDOW waits, oldest first (a sleep that overshot counts as half of it). */
  private readonly waits: number[] = [];

  constructor(
    private readonly clock: PaceClock = realClock,
    private readonly paced = isNode,
  ) {}

  /** The sleep before the next map, in ms (0: poll from the start). */
  get nextSleepMs(): number {
    if (this.waits.length < PACE_AFTER) return 0;
    const expected = Math.min(...this.waits);
    return expected >= PACE_FROM_MS ? SLEEP_SHARE * expected : 0;
  }

  /** `buffer.mapAsync(READ, offset, size)`, after sleeping for most of the expected wait (Node only). */
  async map(buffer: GPUBuffer, offset: number, size: number): Promise<void> {
    if (!this.paced) return buffer.mapAsync(GPUMapMode.READ, offset, size);
    const start = this.clock.now();
    const sleep = this.nextSleepMs;
    if (sleep > 0) await this.clock.sleep(sleep);
    const woke = this.clock.now();
    await buffer.mapAsync(GPUMapMode.READ, offset, size);
    const end = this.clock.now();
    this.waits.push(sleep > 0 && end - woke < OVERSLEPT_MS ? sleep / 2 : end - start);
    if (this.waits.length > WINDOW) this.waits.shift();
  }
}
