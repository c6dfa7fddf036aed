// The TF.js peer (bench/peers) computes what the Float64 reference computes: loss and every
// parameter gradient, on the CPU backend (float32), for both cells. Its WebGPU backend runs in the
// browser only; the benchmark page checks it there.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type TfjsModel, initTfjs, tfjsModel } from '../../bench/peers/index.ts';
import { type Cell, initParams, tensorNames } from '../../src/params/index.ts';
import { referenceGrad } from '../../src/reference/index.ts';
import { Rng } from '../../src/rng/index.ts';
import { type Tree, leaf, leftChain, randomTree, rightChain } from '../../src/trees/index.ts';

/** Norm-wise relative error bound per tensor: TF.js computes in float32. */
const TOL = 1e-4;
const DIM = 5;
const CLASSES = 3;
const VOCAB = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'k1'];

function words(n: number, rng: Rng): string[] {
  return Array.from({ length: n }, () => VOCAB[rng.uniformInt(0, VOCAB.length - 1)]!);
}

const rng = Rng.fromSeed(7);
const CASES: { name: string; trees: Tree[] }[] = [
  { name: 'single leaf', trees: [leaf('b')] },
  { name: 'chain of 6', trees: [leftChain(words(7, rng))] },
  {
    name: 'random forest with a lone leaf and a chain',
    trees: [
      ...[9, 4, 13, 2].map((n) => randomTree(words(n, rng), rng)),
      leaf('k1'),
      rightChain(words(6, rng)),
    ],
  },
];

/** ‖a − e‖ / ‖e‖ (‖a − e‖ when e is zero). */
function relError(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < e.length; i++) {
    diff += ((a[i] as number) - (e[i] as number)) ** 2;
    ref += (e[i] as number) ** 2;
  }
  return Math.sqrt(diff) / (ref > 0 ? Math.sqrt(ref) : 1);
}

const worst: Record<string, number> = {};
afterAll(() => {
  console.log(`TF.js cpu vs reference, largest norm-wise relative error: ${JSON.stringify(worst)}`);
});

describe.each<Cell>(['rnn', 'rlstm'])('TF.js peer, %s, cpu backend', (cell) => {
  it.each(CASES)('loss and gradients match the reference: $name', async ({ trees }) => {
    const params = initParams(cell, DIM, VOCAB, CLASSES, 11);
    const labels = trees.map((_, t) => t % CLASSES);
    const ref = referenceGrad(params, trees, labels);
    const model = await tfjsModel('cpu', params, trees, labels);
    try {
      const loss = await model.step();
      expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(TOL);
      expect(Math.abs((await model.forward()) - loss) / loss).toBeLessThan(1e-6);
      const grads = await model.grads();
      expect(Object.keys(grads)).toEqual(tensorNames(cell));
      for (const name of tensorNames(cell)) {
        const err = relError(grads[name]!, ref.paramGrads[name]!);
        worst[cell] = Math.max(worst[cell] ?? 0, err);
        expect(err, name).toBeLessThan(TOL);
      }
    } finally {
      model.dispose();
    }
  });

  it('keeps no tensors across steps and frees them all on dispose', async () => {
    const { trees } = CASES[2]!;
    const params = initParams(cell, DIM, VOCAB, CLASSES, 3);
    const before = tf.memory().numTensors;
    const model: TfjsModel = await tfjsModel('cpu', params, trees, [0, 1, 2, 0, 1, 2]);
    await model.step();
    const after = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      await model.step();
      await model.forward();
      expect(tf.memory().numTensors).toBe(after);
    }
    expect(await model.kernelsPerStep()).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(after);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('TF.js peer, webgpu backend in Node', () => {
  it('loads the backend module; without navigator.gpu, initTfjs says why', async () => {
    expect(Object.keys(await import('@tensorflow/tfjs-backend-webgpu'))).toContain('WebGPUBackend');
    const gpu = typeof navigator === 'undefined' ? undefined : (navigator as { gpu?: unknown }).gpu;
    if (gpu === undefined) await expect(initTfjs('webgpu')).rejects.toThrow(/navigator\.gpu/);
    await initTfjs('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
