// Waiting for a readback without taking a core from the GPU. Dawn in Node completes mapAsync by
// polling on the main thread until the GPU is done; on a CPU adapter (lavapipe, SwiftShader) that
// spinning competes with the driver's own threads for the cores. A PacedMap first sleeps for most
// of what the previous wait of the same kind took, then maps: measured on a 2-core machine with
// lavapipe, an RLSTM training epoch (d = 50, batch 5) took 7.0–7.7 s instead of 10.7–11.1 s.
// Pages map as before: the browser does not poll on the page's thread.

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Of the previous wait, the share slept before mapping (the rest is left to the poll). */
const SLEEP_SHARE = 0.8;

/** Maps MAP_READ buffers for one kind of recurring readback, learning how long it waits. */
export class PacedMap {
  private lastMs = 0;

  /** `buffer.mapAsync(READ, offset, size)`, after sleeping for most of the previous wait (Node only). */
  async map(buffer: GPUBuffer, offset: number, size: number): Promise<void> {
    if (!isNode) return buffer.mapAsync(GPUMapMode.READ, offset, size);
    const start = performance.now();
    const sleep = SLEEP_SHARE * this.lastMs;
    if (sleep >= 1) await new Promise((resolve) => setTimeout(resolve, sleep));
    await buffer.mapAsync(GPUMapMode.READ, offset, size);
    this.lastMs = performance.now() - start;
  }
}
