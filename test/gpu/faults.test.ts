// Faults during long work, in Node: the device lost mid-training (the run stops with a clear
// message, its last checkpoint resumes bit-identically on a new device), and buffers and heap
// that stay flat over many steps of varying shape.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, test } from 'vitest';
import { type Gpu, getGpu } from '../../src/gpu/device.ts';
import { trackBuffers } from '../../src/gpu/track.ts';
import { keywordDataset } from '../../src/train/dataset.ts';
import { type TrainConfig, type TrainState, TRAIN_DEFAULTS, train } from '../../src/train/loop.ts';

const gpus: Gpu[] = [];
afterAll(() => {
  for (const g of gpus) g.destroy();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('faults', () => {
  test('device lost mid-training: a clear error, and the checkpoint resumes bit-identically', async () => {
    const data = keywordDataset({ dataset: 1, seed: 6, train: 60, dev: 10, test: 10 });
    const config: TrainConfig = { ...TRAIN_DEFAULTS, cell: 'rnn', dim: 5, epochs: 3, seed: 4, ratios: false };
    const reference = await getGpu({ onError: () => {} });
    gpus.push(reference);
    const whole = await train(reference.device, data, config, { stepsPerReadback: 4 });

    const doomed = await getGpu({ onError: () => {} });
    const states: TrainState[] = [];
    let error: unknown;
    try {
      await train(doomed.device, data, config, {
        stepsPerReadback: 4,
        onState: (s) => void states.push(s),
        onStep: ({ epoch, step }) => {
          if (epoch === 2 && step === 5) doomed.device.destroy();
        },
      });
    } catch (e) {
      error = e;
    }
    console.log(`device lost: ${String(error)}`);
    expect(String(error)).toMatch(/device was lost.*epoch 2/);
    expect(states.map((s) => s.epoch)).toEqual([1]);

    const fresh = await getGpu({ onError: () => {} });
    gpus.push(fresh);
    const resumed = await train(fresh.device, data, config, { stepsPerReadback: 4 }, states[0]);
    expect(Buffer.from(resumed.bestTheta.buffer).equals(Buffer.from(whole.bestTheta.buffer))).toBe(true);
    expect(resumed.history).toEqual(whole.history);
  });

  test('1,000 steps of varying shape keep GPU buffers and the JS heap flat', async () => {
    // Dataset 3: sentences of 21–30 words, so every minibatch has another shape.
    const data = keywordDataset({ dataset: 3, seed: 2, train: 1000, dev: 20, test: 20 });
    const config: TrainConfig = { ...TRAIN_DEFAULTS, cell: 'rnn', dim: 4, epochs: 5, ratios: false };
    const gpu = await getGpu({ onError: () => {} });
    gpus.push(gpu);
    const buffers = trackBuffers(gpu.device);
    const seen: { epoch: number; count: number; bytes: number; heap: number }[] = [];
    await train(gpu.device, data, config, {
      onEpoch: ({ epoch }) => {
        gc();
        seen.push({
          epoch,
          count: buffers.count(),
          bytes: buffers.bytes(),
          heap: process.memoryUsage().heapUsed,
        });
      },
    });
    console.log(
      seen
        .map(
          (s) =>
            `epoch ${s.epoch}: ${s.count} buffers, ${s.bytes} B, heap ${(s.heap / 2 ** 20).toFixed(1)} MiB`,
        )
        .join('\n'),
    );
    const [first, last] = [seen[0]!, seen.at(-1)!];
    expect(seen.length).toBe(5);
    // The pool replaces a buffer when a bigger batch arrives (×1.5), never adds one per step.
    expect(last.count).toBe(first.count);
    expect(last.bytes).toBeLessThanOrEqual(first.bytes * 1.5);
    // 800 more steps after epoch 1: the heap may not grow with them (allow 16 MiB of noise).
    expect(last.heap - first.heap).toBeLessThan(16 * 2 ** 20);
    expect(buffers.count()).toBe(0);
  });
});
