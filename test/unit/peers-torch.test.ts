// The PyTorch peer (bench/peers/torch.ts): where no Python imports torch it says "unavailable" and
// why, and never runs; where one does, its level plan is treegrad's, its loss and gradients match the
// Float64 reference at the benchmark's tolerances (both cells), and its AdaGrad steps match a
// Float64 AdaGrad. CI has no torch: those tests are skipped with the reason printed, unless
// TREEGRAD_REQUIRE_TORCH=1 demands torch, which turns a missing torch into a failure.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAIN_RTOL, trainingAgreement } from '../../bench/peers/torch-check.ts';
import {
  compactTree,
  compactTrees,
  findTorchPython,
  pythonCandidates,
  type TorchPeer,
  TorchPeer as Peer,
  torchRunner,
} from '../../bench/peers/torch.ts';
import { checkAgainst } from '../../bench/validate.ts';
import { CELLS, type Cell, initParams } from '../../src/params/index.ts';
import { planLevels } from '../../src/plan/levels.ts';
import { referenceGrad } from '../../src/reference/index.ts';
import { Rng } from '../../src/rng/index.ts';
import { leaf, leftChain, node, randomTree, type Tree } from '../../src/trees/index.ts';

const DIM = 5;
const CLASSES = 3;
const VOCAB = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'k1'];
const rng = Rng.fromSeed(5);
const words = (n: number) => Array.from({ length: n }, () => VOCAB[rng.uniformInt(0, VOCAB.length - 1)]!);
/** Three small trees: random, a chain, and a lone leaf. */
const TREES: Tree[] = [randomTree(words(7), rng), leftChain(words(4)), leaf('k1')];
const LABELS = [2, 0, 1];

const found = findTorchPython(pythonCandidates());
const hasTorch = 'python' in found;
const required = process.env.TREEGRAD_REQUIRE_TORCH === '1';
const why = 'unavailable' in found ? found.unavailable : '';

function fakePython(): string {
  const dir = mkdtempSync(join(tmpdir(), 'treegrad-nopy-'));
  const path = join(dir, 'python3');
  writeFileSync(path, `#!/bin/sh\necho "ModuleNotFoundError: No module named 'torch'" >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('PyTorch peer without torch', () => {
  it('says unavailable, with each candidate and its error, and starts nothing', async () => {
    const fake = fakePython();
    const start = await Peer.start([fake, '/nonexistent/python3']);
    expect('unavailable' in start).toBe(true);
    if (!('unavailable' in start)) return;
    expect(start.unavailable).toMatch(/PyTorch cannot be imported/);
    expect(start.unavailable).toContain(`${fake}: ModuleNotFoundError: No module named 'torch'`);
    expect(start.unavailable).toMatch(/\/nonexistent\/python3: .*ENOENT/);
  });

  it('takes $TREEGRAD_PYTHON alone when set, else python3 then /usr/bin/python3', () => {
    expect(pythonCandidates({ TREEGRAD_PYTHON: '/opt/py' })).toEqual(['/opt/py']);
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
  });

  it('encodes trees compactly in pre-order: words as indices, internal nodes as −1', () => {
    const tree = node(node(leaf('a'), leaf('b')), leaf('c'));
    expect(compactTree(tree, (w) => VOCAB.indexOf(w))).toEqual([-1, -1, 0, 1, 2]);
    expect(() => compactTrees({ vocab: VOCAB }, [leaf('zz')])).toThrow(/unknown word "zz"/);
  });
});

describe('PyTorch is required here (TREEGRAD_REQUIRE_TORCH=1)', () => {
  it.runIf(required && !hasTorch)('finds a Python that imports torch', () => {
    throw new Error(`TREEGRAD_REQUIRE_TORCH=1 but ${why}`);
  });
});

describe.skipIf(!hasTorch)('PyTorch peer against the Float64 reference', () => {
  let peer: TorchPeer;
  beforeAll(async () => {
    const start = await Peer.start();
    if ('unavailable' in start) throw new Error(start.unavailable);
    peer = start.peer;
    console.log(`PyTorch ${start.info.torch} on ${start.info.device}, ${start.info.threads} threads`);
  });
  afterAll(() => peer?.close());

  it("plans the levels as treegrad's planLevels does", async () => {
    const ids = new Map(VOCAB.map((w, i) => [w, i]));
    const plan = planLevels(TREES, (w) => ids.get(w)!, VOCAB.length);
    const got = await peer.request('plan', { trees: compactTrees({ vocab: VOCAB }, TREES) });
    expect(got.levelStart).toEqual([...plan.levelStart]);
    expect(got.children).toEqual([...plan.children]);
    expect(got.leafWords).toEqual([...plan.leafWords]);
    expect(got.roots).toEqual([...plan.roots]);
  });

  it.each<Cell>(CELLS)('%s: loss and every gradient within the benchmark tolerance', async (cell) => {
    const params = initParams(cell, DIM, VOCAB, CLASSES, 11);
    const runner = await torchRunner(peer, params, TREES, LABELS);
    try {
      const loss = await runner.step();
      const verdict = checkAgainst(loss, await runner.grads(), referenceGrad(params, TREES, LABELS));
      console.log(
        `PyTorch ${cell} vs reference: worst norm-wise ${verdict.worst.toExponential(2)} (${verdict.worstName})`,
      );
      expect(verdict.error).toBeUndefined();
      expect(verdict.ok).toBe(true);
      const t = await runner.time!(5);
      expect(t.stepMs).toBeGreaterThan(0);
      expect(t.forwardMs).toBeGreaterThan(0);
      expect(Math.abs(t.loss - loss)).toBeLessThan(1e-6);
    } finally {
      runner.dispose();
    }
  });

  it.each<Cell>(CELLS)('%s: three AdaGrad steps match a Float64 AdaGrad', async (cell) => {
    const params = initParams(cell, DIM, VOCAB, CLASSES, 4);
    const agree = await trainingAgreement(peer, params, TREES, LABELS, 2, 3, {
      lr: 0.01,
      l2: 1e-3,
      eps: 1e-4,
    });
    console.log(
      `PyTorch ${cell} AdaGrad vs Float64: worst ${agree.worst.toExponential(2)} (${agree.worstName})`,
    );
    expect(agree.worst).toBeLessThan(TRAIN_RTOL);
  });

  it('reports a bad request as an error naming the operation', async () => {
    await expect(peer.request('grads', { id: 12345 })).rejects.toThrow(/PyTorch peer, grads: KeyError/);
  });
});

if (!hasTorch && !required) console.log(`PyTorch peer tests against the reference skipped: ${why}`);
