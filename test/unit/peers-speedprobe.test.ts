import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { tfjsModel } from '../../bench/peers/index.ts';
import { initParams } from '../../src/params/index.ts';
import { Rng } from '../../src/rng/index.ts';
import { randomTree } from '../../src/trees/index.ts';
it('speed', async () => {
  const vocab = Array.from({ length: 100 }, (_, i) => `w${i}`);
  const rng = Rng.fromSeed(1);
  const trees = Array.from({ length: 5 }, () =>
    randomTree(
      Array.from({ length: rng.uniformInt(41, 50) }, () => vocab[rng.uniformInt(0, 99)]!),
      rng,
    ),
  );
  for (const cell of ['rnn', 'rlstm'] as const) {
    const m = await tfjsModel('cpu', initParams(cell, 50, vocab, 5, 1), trees, [0, 1, 2, 3, 4]);
    await m.step();
    let t0 = performance.now();
    for (let i = 0; i < 5; i++) await m.step();
    const ms = (performance.now() - t0) / 5;
    t0 = performance.now();
    for (let i = 0; i < 5; i++) await m.forward();
    const fms = (performance.now() - t0) / 5;
    console.log(cell, 'ms/step', ms.toFixed(1), 'fwd', fms.toFixed(1), 'kernels', await m.kernelsPerStep());
    const info = await tf.profile(() => m.step());
    const by: Record<string, [number, number]> = {};
    for (const k of info.kernels) {
      const e = (by[k.name] ??= [0, 0]);
      e[0]++;
      e[1] += k.kernelTimeMs as number;
    }
    console.log(
      Object.entries(by)
        .sort((a, b) => b[1][1] - a[1][1])
        .map(([n, [c, t]]) => `${n} ${c} ${t.toFixed(1)}`)
        .join('; '),
    );
    m.dispose();
  }
}, 300000);
