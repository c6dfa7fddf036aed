import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command.ts';
import { dataCommand } from '../../src/cli/data.ts';
import { gradCommand } from '../../src/cli/grad.ts';
import { generateKeywordData } from '../../src/data/index.ts';
import { CELLS, cellList, REGISTRY } from '../../src/cells/index.ts';
import { initParams, loadParams, tensorNames } from '../../src/params/index.ts';
import { referenceGrad } from '../../src/reference/index.ts';
import { formatTrees, leaves, parseTrees } from '../../src/trees/index.ts';

let dir: string;
let printed: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'treegrad-cli-'));
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const small = ['--dataset', '2', '--seed', '4', '--train', '30', '--dev', '5', '--test', '5'];

describe('treegrad data', () => {
  it('writes the three splits and vocab.json, and prints per-split statistics', async () => {
    expect(await dataCommand.run([...small, '--out', dir])).toBe(0);
    const want = generateKeywordData({ dataset: 2, seed: 4, train: 30, dev: 5, test: 5 });
    expect(readFileSync(join(dir, 'train.txt'), 'utf8')).toBe(formatTrees(want.train.map((s) => s.tree)));
    expect(parseTrees(readFileSync(join(dir, 'test.txt'), 'utf8'))).toHaveLength(5);
    const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'));
    expect(vocab.words).toHaveLength(110);
    expect(vocab.keywords).toEqual(Array.from({ length: 10 }, (_, j) => `k${j}`));
    expect(vocab.keywordClasses).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    const text = printed.join('\n');
    expect(text).toMatch(/^train: 30 sentences, length 1\d–[12]\d/m);
    expect(text).toMatch(/^ {2}keyword depth \(depth:sentences\) \d+:\d+/m);
  });

  it('rejects bad flags with a usage error', async () => {
    await expect(dataCommand.run(small)).rejects.toThrow(new UsageError('--out is required'));
    await expect(dataCommand.run(['--dataset', '0', '--seed', '1', '--out', dir])).rejects.toThrow(
      '--dataset must be an integer in 1 … 10, got "0"',
    );
    await expect(dataCommand.run(['--dataset', '1', '--seed', 'x', '--out', dir])).rejects.toThrow(
      UsageError,
    );
    await expect(dataCommand.run(['--dataset', '1', '--out', dir])).rejects.toThrow('--seed is required');
    await expect(dataCommand.run([...small, '--out', dir, '--bogus'])).rejects.toMatchObject({
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
  });
});

describe('treegrad grad', () => {
  async function withData(): Promise<string> {
    await dataCommand.run([...small, '--out', dir]);
    return join(dir, 'train.txt');
  }

  it.each(CELLS)('%s: writes loss, gradients, per-node norms and focal ratios', async (cell) => {
    const trees = await withData();
    const out = join(dir, 'grad.json');
    const saved = join(dir, 'params.json');
    expect(
      await gradCommand.run([
        '--cell',
        cell,
        '--trees',
        trees,
        '--dim',
        '3',
        '--seed',
        '2',
        '--save-params',
        saved,
        '--out',
        out,
      ]),
    ).toBe(0);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    const parsed = parseTrees(readFileSync(trees, 'utf8'));
    const vocab = [...new Set(parsed.flatMap(leaves))].sort();
    const classes = Math.max(...parsed.map((t) => t.label ?? 0)) + 1;
    const params = initParams(cell, 3, vocab, classes, 2);
    expect(loadParams(saved)).toEqual(params);
    const want = referenceGrad(params, parsed);
    expect(got.loss).toBe(want.loss);
    expect(Object.keys(got.paramGrads)).toEqual(tensorNames(cell));
    expect(got.paramGrads.Wc).toEqual(Array.from(want.paramGrads.Wc ?? []));
    expect(got.nodes).toEqual(want.nodes);
    expect(got.nodes[0][0]).toEqual(
      REGISTRY[cell].hasC
        ? { depth: 0, gh: expect.any(Number), gc: expect.any(Number) }
        : { depth: 0, gh: expect.any(Number) },
    );
    expect(got.ratios).toHaveLength(30);
    expect(got.ratios.every((r: number | null) => typeof r === 'number' && r > 0)).toBe(true);
    // The gradient reach: mean log10 gh(n)/gh(root) of the nodes one below the roots, and of the
    // deepest leaves, written out here from the per-node records.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const below = want.nodes.flatMap((t) =>
      t.filter((n) => n.depth === 1).map((n) => Math.log10(n.gh / t[0]!.gh)),
    );
    expect(got.reach.nodes['1'].n).toBe(below.length);
    expect(got.reach.nodes['1'].mean).toBeCloseTo(mean(below), 12);
    const deepest = Math.max(...want.nodes.flat().map((n) => n.depth));
    const leavesThere = want.nodes.flatMap((t) =>
      t.filter((n) => n.depth === deepest && n.word !== undefined).map((n) => Math.log10(n.gh / t[0]!.gh)),
    );
    expect(leavesThere.length).toBeGreaterThan(0);
    expect(got.reach.leaves[String(deepest)].mean).toBeCloseTo(mean(leavesThere), 12);
    expect(got.reach.nodes['0']).toBeUndefined();
    expect(printed.join('\n')).toMatch(
      new RegExp(`^${cell} d=3 C=${classes} V=${vocab.length}: 30 trees, loss \\d`, 'm'),
    );

    // The saved parameters reproduce the same output; --focal 0 makes every ratio 1.
    const again = join(dir, 'again.json');
    expect(await gradCommand.run(['--trees', trees, '--params', saved, '--out', again])).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
    await gradCommand.run(['--trees', trees, '--params', saved, '--focal', '0', '--out', again]);
    expect(JSON.parse(readFileSync(again, 'utf8')).ratios.every((r: number) => r === 1)).toBe(true);
  });

  it('takes the class count from --classes', async () => {
    const trees = join(dir, 't.txt');
    writeFileSync(trees, '(1 a b)\n');
    const out = join(dir, 'g.json');
    await gradCommand.run([
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '2',
      '--seed',
      '1',
      '--classes',
      '4',
      '--out',
      out,
    ]);
    expect(JSON.parse(readFileSync(out, 'utf8')).paramGrads.bc).toHaveLength(4);
    expect(JSON.parse(readFileSync(out, 'utf8')).ratios).toEqual([null]);
  });

  it('says what is wrong with flags, trees and parameters', async () => {
    const trees = await withData();
    const out = join(dir, 'g.json');
    const saved = join(dir, 'p.json');
    await gradCommand.run([
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '2',
      '--seed',
      '1',
      '--save-params',
      saved,
      '--out',
      out,
    ]);
    const run = (...args: string[]) => gradCommand.run([...args, '--out', join(dir, 'x.json')]);
    await expect(
      run('--cell', 'rnn', '--trees', trees, '--dim', '2', '--seed', '1', '--device', 'tpu'),
    ).rejects.toThrow('--device must be cpu or gpu, got "tpu"');
    await expect(run('--trees', trees, '--dim', '2', '--seed', '1')).rejects.toThrow('--cell is required');
    await expect(run('--cell', 'gru', '--trees', trees, '--dim', '2', '--seed', '1')).rejects.toThrow(
      `--cell must be ${cellList()}, got "gru"`,
    );
    await expect(run('--cell', 'rnn', '--trees', trees, '--dim', '2')).rejects.toThrow(
      'give --params FILE, or --dim D and --seed S',
    );
    await expect(run('--trees', trees, '--params', saved, '--dim', '2')).rejects.toThrow(/not both/);
    await expect(run('--cell', 'rlstm', '--trees', trees, '--params', saved)).rejects.toThrow(
      `--cell rlstm but ${saved} holds rnn parameters`,
    );
    await expect(run('--trees', trees, '--params', saved, '--classes', '9')).rejects.toThrow(
      /--classes 9 but .* has \d classes/,
    );
    await expect(
      run('--cell', 'rnn', '--trees', join(dir, 'none.txt'), '--dim', '2', '--seed', '1'),
    ).rejects.toThrow(/cannot read the trees file/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '(1 w1 w2)\n(2 w1 w2 w3)\n');
    await expect(run('--cell', 'rnn', '--trees', bad, '--dim', '2', '--seed', '1')).rejects.toThrow(
      `${bad}:2:1: node has 3 children, expected 2`,
    );
    writeFileSync(bad, '(1 w1 w2)\n(2 w1 nope)\n');
    await expect(run('--trees', bad, '--params', saved)).rejects.toThrow(
      'tree 2 (line 2): unknown word "nope" (not in the vocabulary)',
    );
    writeFileSync(saved, '{}');
    await expect(run('--trees', trees, '--params', saved)).rejects.toThrow(/p\.json: 5 problems/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });
});
