// The TF.js peer (bench/peers) computes what the Float64 reference computes: loss and every
// parameter gradient, on the CPU backend (float32), for both cells. Its WebGPU backend runs in the
// browser only; the benchmark page checks it there with the same tfjsAgreement.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initTfjs, tfjsAgreement, tfjsModel } from '../../bench/peers/index.ts';
import { compare } from '../../src/check/compare.ts';
import { CELLS, type Cell, initParams, tensorNames } from '../../src/params/index.ts';
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
    name: 'random trees with a lone leaf and a chain',
    trees: [
      ...[9, 4, 13, 2].map((n) => randomTree(words(n, rng), rng)),
      leaf('k1'),
      rightChain(words(6, rng)),
    ],
  },
];
const labelsOf = (trees: readonly Tree[]) => trees.map((_, t) => t % CLASSES);

const worst: Record<string, number> = {};
afterAll(() => {
  console.log(`TF.js cpu vs reference, largest norm-wise relative error: ${JSON.stringify(worst)}`);
});

describe.each<Cell>(CELLS)('TF.js peer, %s, cpu backend', (cell) => {
  it.each(CASES)('loss and every gradient match the reference: $name', async ({ trees }) => {
    const params = initParams(cell, DIM, VOCAB, CLASSES, 11);
    const agreement = await tfjsAgreement('cpu', params, trees, labelsOf(trees));
    expect(Object.keys(agreement.grads)).toEqual(tensorNames(cell));
    worst[cell] = Math.max(worst[cell] ?? 0, agreement.worst);
    expect(agreement.lossError).toBeLessThan(TOL);
    for (const [name, err] of Object.entries(agreement.grads)) expect(err, name).toBeLessThan(TOL);
  });

  it('forward gives the step loss; no tensors accumulate over steps; dispose frees all', async () => {
    const { trees } = CASES[2]!;
    const params = initParams(cell, DIM, VOCAB, CLASSES, 3);
    const before = tf.memory().numTensors;
    const model = await tfjsModel('cpu', params, trees, labelsOf(trees));
    const loss = await model.step();
    const grads = await model.grads();
    const after = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      expect(await model.step()).toBe(loss);
      expect(Math.abs((await model.forward()) - loss) / loss).toBeLessThan(1e-6);
      expect(tf.memory().numTensors).toBe(after);
    }
    for (const name of tensorNames(cell))
      expect(compare(name, (await model.grads())[name]!, grads[name]!, { atol: 0, rtol: 0 }).normwise).toBe(
        0,
      );
    expect(await model.kernelsPerStep()).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(after);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(model.step()).rejects.toThrow(/disposed/);
  });
});

describe('TF.js peer, inputs and backends', () => {
  it('rejects a label out of range, a label count that differs, and an unknown word', async () => {
    const params = initParams('rnn', DIM, VOCAB, CLASSES, 1);
    const trees = CASES[1]!.trees;
    await expect(tfjsModel('cpu', params, trees, [CLASSES])).rejects.toThrow(/label 3/);
    await expect(tfjsModel('cpu', params, trees, [0, 1])).rejects.toThrow(/2 labels for 1 trees/);
    await expect(tfjsModel('cpu', params, [leaf('zz')], [0])).rejects.toThrow(/unknown word "zz"/);
  });

  it('loads the webgpu backend module; without navigator.gpu, initTfjs says why', async () => {
    expect(Object.keys(await import('@tensorflow/tfjs-backend-webgpu'))).toContain('WebGPUBackend');
    const gpu = typeof navigator === 'undefined' ? undefined : (navigator as { gpu?: unknown }).gpu;
    if (gpu === undefined) await expect(initTfjs('webgpu')).rejects.toThrow(/navigator\.gpu/);
    await initTfjs('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
