// Waiting for a readback without taking a core from the GPU. Dawn in Node completes mapAsync by
// polling on the main thread until the GPU is done; on a CPU adapter (lavapipe, SwiftShader) that
// spinning competes with the driver's own threads for the cores. A PacedMap first sleeps for most
// of how long the same kind of readback is expected to wait, then maps: measured on a 2-core
// machine with lavapipe, an RLSTM training epoch (d = 50, batch 5) took 7.0–7.7 s instead of
// 10.7–11.1 s. Short waits are polled from the start, and a sleep that overshot (the GPU was done
// before it ended) halves the expectation instead of becoming it: with the previous wait as the
// expectation, one long step kept the short ones after it sleeping (64 random trees, rnn d = 8 on
// lavapipe: 4.5–5.9 ms a step, 1.7–2.6 ms now). Pages map as before: the browser does not poll on
// the page's thread.

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Of the estimated wait, the share slept before mapping (the rest is left to the poll). */
const SLEEP_SHARE = 0.8;
/** Estimated waits shorter than this are polled from the start: short sleeps overshoot. */
const PACE_FROM_MS = 2;
/**
 * A map that completes within this after the sleep found the GPU already done: the sleep was too
 * long, and the wait it measured says nothing about the GPU's time.
 */
const OVERSLEPT_MS = 0.3;

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
  /** How long this kind of readback waits for the GPU, as far as is known. */
  private estimateMs = 0;

  constructor(
    private readonly clock: PaceClock = realClock,
    private readonly paced = isNode,
  ) {}

  /** The sleep before the next map, in ms (0: poll from the start). */
  get nextSleepMs(): number {
    return this.estimateMs >= PACE_FROM_MS ? SLEEP_SHARE * this.estimateMs : 0;
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
    // Overslept: the GPU took at most the sleep; halve the estimate rather than keep it (a long
    // step, such as the first with new pipelines, would otherwise pace the short ones after it).
    this.estimateMs = sleep > 0 && end - woke < OVERSLEPT_MS ? sleep / 2 : end - start;
  }
}
