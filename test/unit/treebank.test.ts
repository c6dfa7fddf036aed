// Treebanks from files: labels (given or collected), the vocabulary with <unk>, unknown-word
// counts, pretrained vectors streamed from a file, the data's identity, and every bad input named
// at file:line:column with nothing written.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { collectLabels, parseLabelList, parseTreebank } from '../../src/data/treebank.ts';
import { readVectors } from '../../src/data/vectors.ts';
import { buildVocabulary, toVocabulary, UNK } from '../../src/data/vocab.ts';
import { readLabelsFlag, readTreebank } from '../../src/train/data-dir.ts';
import { sha256 } from '../../src/train/files.ts';
import { settingsDiff, settingsProblems } from '../../src/train/settings.ts';
import { leaves, parseTrees, TreeParseError } from '../../src/trees/index.ts';
import { SST } from './treebank-sample.ts';

let dir: string;
let said: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'treegrad-treebank-'));
  said = [];
  const keep = (...args: unknown[]) => void said.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => vi.restoreAllMocks());

/** Writes the sample (with overrides) into the test's folder; returns the three paths. */
function writeSample(
  over: Partial<Record<keyof typeof SST, string[]>> = {},
): Record<keyof typeof SST, string> {
  const paths = {} as Record<keyof typeof SST, string>;
  for (const role of ['train', 'dev', 'test'] as const) {
    paths[role] = join(dir, `${role}.txt`);
    writeFileSync(paths[role], `${(over[role] ?? SST[role]).join('\n')}\n`);
  }
  return paths;
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('vocabulary', () => {
  const trees = parseTrees('(1 (0 b a) (0 c b))\n(2 b (1 a d))\n');

  it('puts <unk> first, then the words kept by --min-count in code-unit order', () => {
    expect(buildVocabulary(trees).words).toEqual([UNK, 'a', 'b', 'c', 'd']);
    expect(buildVocabulary(trees, { minCount: 2 }).words).toEqual([UNK, 'a', 'b']);
    expect(buildVocabulary([...trees].reverse()).words).toEqual(buildVocabulary(trees).words);
    expect(() => buildVocabulary(trees, { minCount: 0 })).toThrow(RangeError);
  });

  it('maps unknown words to <unk> and counts tokens and types, keeping every label', () => {
    const vocab = buildVocabulary(trees, { minCount: 2 });
    const { trees: mapped, count } = toVocabulary(trees, vocab);
    expect(count).toEqual({ tokens: 7, unknownTokens: 2, types: 4, unknownTypes: 2 });
    expect(leaves(mapped[0]!)).toEqual(['b', 'a', UNK, 'b']);
    expect(mapped[1]).toEqual({
      ...trees[1],
      right: { ...(trees[1] as { right: object }).right, right: { kind: 'leaf', word: UNK } },
    });
  });
});

describe('labels', () => {
  it('collects integer labels as classes 0 … the largest, and string labels sorted', () => {
    expect(collectLabels(SST.train.join('\n'), 'train.txt')).toEqual({
      labels: ['0', '1', '2', '3', '4'],
      origin: 'integers',
    });
    expect(collectLabels('(2 a b)\n(0 c)\n', 't')).toEqual({ labels: ['0', '1', '2'], origin: 'integers' });
    expect(collectLabels('(pos (neu a) (pos b))\n(neg c)\n', 't')).toEqual({
      labels: ['neg', 'neu', 'pos'],
      origin: 'sorted',
    });
    // 03 is not the integer 3: the labels are read as strings.
    expect(collectLabels('(03 a b)\n(1 c)\n', 't').origin).toBe('sorted');
  });

  it('reads label lists, comma-separated or one per line', () => {
    expect(parseLabelList('neg,neu,pos')).toEqual(['neg', 'neu', 'pos']);
    expect(parseLabelList('# classes\nneg\n\npos\n')).toEqual(['neg', 'pos']);
    expect(() => parseLabelList('neg,neg')).toThrow('the label "neg" is listed twice');
    expect(() => parseLabelList('neg')).toThrow('a label list needs at least two labels, got 1');
    expect(() => parseLabelList('a,b c')).toThrow('"b c" is not a label');
    const file = join(dir, 'labels.txt');
    writeFileSync(file, 'neg\npos\nneg\n');
    expect(thrown(() => readLabelsFlag(file)).message).toBe(`${file}:3:1: the label "neg" is listed twice`);
    expect(thrown(() => readLabelsFlag('nolabels.txt')).message).toMatch(
      /^--labels nolabels.txt: no such file/,
    );
  });

  it('maps labels on every node and locates every problem', () => {
    const labels = { labels: ['neg', 'pos'], origin: 'given' as const };
    const [first] = parseTreebank('# c\n(pos (neg a) (pos b))\n', 'f.txt', labels);
    expect(first!.line).toBe(2);
    expect(first!.tree).toEqual({
      kind: 'node',
      left: { kind: 'leaf', word: 'a', label: 0 },
      right: { kind: 'leaf', word: 'b', label: 1 },
      label: 1,
    });
    const cases: [string, string][] = [
      ['(pos a b)\n(pos (meh a) b)\n', 'f.txt:2:7: label "meh" is not in the label list (2 labels: neg pos)'],
      ['(pos a b)\n\n((neg a) b)\n', "f.txt:3:1: the root has no label (the sentence's class)"],
      [
        '(pos a (neg b c d))\n',
        'f.txt:1:8: node has 3 children, expected 2: binarize the file first: treegrad binarize --factor left|right IN OUT',
      ],
      ['# nothing\n\n', 'f.txt:1:1: no trees: expected one tree per line'],
    ];
    for (const [text, message] of cases) {
      const e = thrown(() => parseTreebank(text, 'f.txt', labels));
      expect(e).toBeInstanceOf(TreeParseError);
      expect(e.message).toBe(message);
    }
    expect(
      thrown(() => parseTreebank('(1 a b)\n', 'd.txt', { labels: ['0'], origin: 'integers' })).message,
    ).toBe('d.txt:1:2: label "1" is not in the training file (1 labels: 0)');
  });
});

describe('readTreebank', () => {
  it('builds the data set: classes, vocabulary, unknown words per split, identity by SHA-256', async () => {
    const paths = writeSample();
    const { data, summary } = await readTreebank(paths);
    expect(data.classes).toBe(5);
    expect(data.vocab[0]).toBe(UNK);
    expect(data.vocab).toContain('’s');
    expect([data.train.length, data.dev.length, data.test.length]).toEqual([6, 2, 2]);
    expect(data.train[0]!.label).toBe(3);
    expect(data.train[0]!.tree.kind === 'node' && data.train[0]!.tree.left.label).toBe(2);
    expect(summary.unknown.dev).toEqual({ tokens: 5, unknownTokens: 2, types: 5, unknownTypes: 2 });
    expect(summary.unknown.test).toEqual({ tokens: 6, unknownTokens: 1, types: 6, unknownTypes: 1 });
    expect(leaves(data.dev[1]!.tree)).toEqual([UNK, 'film']);
    expect(data.identity).toMatchObject({
      kind: 'treebank',
      files: { train: sha256(`${SST.train.join('\n')}\n`) },
      minCount: 1,
      labels: ['0', '1', '2', '3', '4'],
      train: 6,
      vocab: data.vocab.length,
      classes: 5,
    });
    expect(settingsProblems({ ...validSettings, data: data.identity })).toEqual([]);
    const strict = await readTreebank({ ...paths, minCount: 2 });
    expect(strict.data.vocab).toEqual([UNK, 'It', 'film', 'good', '’s']);
    expect(strict.summary.unknown.train).toEqual({
      tokens: 17,
      unknownTokens: 8,
      types: 12,
      unknownTypes: 8,
    });
  });

  it('names the file, line and column of a problem in any split', async () => {
    const bad = async (over: Partial<Record<keyof typeof SST, string[]>>, labels?: string[]) => {
      const paths = writeSample(over);
      try {
        await readTreebank({ ...paths, ...(labels ? { labels } : {}) });
      } catch (e) {
        return (e as Error).message.replace(`${dir}/`, '');
      }
      throw new Error('expected an error');
    };
    expect(await bad({ dev: ['(3 a b)', '(7 (2 a) b)'] })).toBe(
      'dev.txt:2:2: label "7" is not in the training file (5 labels: 0 1 2 3 4)',
    );
    expect(await bad({ test: ['(1 a b', '(1 a b)'] })).toBe(
      "test.txt:1:1: unbalanced brackets: this '(' is never closed",
    );
    expect(await bad({ train: ['(pos a b)'] }, ['neg', 'neu'])).toBe(
      'train.txt:1:2: label "pos" is not in the label list (2 labels: neg neu)',
    );
    expect(await bad({ train: ['(1 a (2 b c d))'] })).toMatch(
      /^train.txt:1:6: node has 3 children, expected 2: binarize/,
    );
  });

  it('streams files of several chunks: the same trees and hashes, invalid UTF-8 located, a missing file named first', async () => {
    // 40,000 sentences (about 1.3 MiB): more than one read chunk of the streamed reader.
    const many = Array.from(
      { length: 40_000 },
      (_, i) => `(${i % 5} (2 w${i % 97}) (${(i + 1) % 5} (2 It) (3 good)))`,
    );
    const paths = writeSample({ train: many });
    const text = `${many.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(1 << 20);
    const { data } = await readTreebank(paths);
    expect(data.train).toHaveLength(40_000);
    expect(data.train[39_999]!.label).toBe(39_999 % 5);
    expect((data.identity as { files: Record<string, string> }).files.train).toBe(sha256(text));
    // A Latin-1 byte on line 39,001, past the first chunk.
    const cut = Buffer.from(`${many.slice(0, 39_000).join('\n')}\n`);
    writeFileSync(
      paths.train,
      Buffer.concat([cut, Buffer.from('(1 caf'), Buffer.from([0xe9]), Buffer.from(' x)\n')]),
    );
    await expect(readTreebank(paths)).rejects.toThrow(/train\.txt:39001:7: invalid UTF-8/);
    writeSample();
    await expect(readTreebank({ ...paths, test: join(dir, 'missing.txt') })).rejects.toThrow(/missing\.txt/);
  });
});

describe('vectors', () => {
  const vocab = [UNK, 'It', 'good', 'film', 'rare'];

  it('streams the rows of vocabulary words: as written, else lowercased', async () => {
    const file = join(dir, 'vectors.txt');
    writeFileSync(
      file,
      '\uFEFFgood 1 2 3\r\nit 4 5 6\nIt 7 8 9\nother 0 0 0\nat name@x.org 1 1 1\nfilm -1e-3 .5 2E1\n',
    );
    const v = await readVectors(file, vocab, 3);
    expect(v.rows).toEqual([1, 2, 3]);
    expect(Array.from(v.values)).toEqual([7, 8, 9, 1, 2, 3, Math.fround(-1e-3), 0.5, 20]);
    expect([v.exact, v.lowercased, v.lines, v.spaced]).toEqual([3, 0, 6, 1]);
    writeFileSync(file, '5 3\nIT 4 5 6\nit 1 1 1\n');
    const w = await readVectors(file, vocab, 3);
    expect([w.rows, Array.from(w.values), w.lowercased]).toEqual([[1], [1, 1, 1], 1]);
  });

  it('counts and locates words that are not valid UTF-8 instead of letting them silently not match', async () => {
    const file = join(dir, 'vectors-latin1.txt');
    // "café" in Latin-1 (0xE9 alone is not UTF-8) on line 2, then a word that matches.
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('good 1 2 3\ncaf'),
        Buffer.from([0xe9]),
        Buffer.from(' 4 5 6\nfilm 7 8 9\n'),
      ]),
    );
    const v = await readVectors(file, vocab, 3);
    expect(v.rows).toEqual([2, 3]);
    expect([v.undecodable, v.firstUndecodable]).toEqual([1, 2]);
  });

  it('refuses a file of another dimension, a cut-short line, a bad number, at file:line:column', async () => {
    const file = join(dir, 'vectors.txt');
    const bad = async (text: string) => {
      writeFileSync(file, text);
      return readVectors(file, vocab, 3).then(
        () => 'no error',
        (e: Error) => e.message.replace(`${file}`, 'V'),
      );
    };
    expect(await bad('good 1 2 3 4\n')).toBe(
      'V:1:1: the vectors have 4 dimensions, --dim is 3: give --dim 4',
    );
    expect(await bad('100 50\ngood 1 2 3\n')).toBe(
      'V:1:1: the vectors have 50 dimensions (word2vec header), --dim is 3: give --dim 50',
    );
    expect(await bad('good 1 2 3\nfilm 1 2\n')).toBe(
      'V:2:9: expected 3 numbers after the word, found 2 (a cut-short line?)',
    );
    expect(await bad('good 1 2 3\nfilm 1 x 3\n')).toBe('V:2:8: "x" is not a finite number');
    expect(await bad('good 1 2 1e39\n')).toBe('V:1:10: "1e39" is not a finite number');
    expect(await bad('\n\n')).toBe('V: no vectors (an empty file)');
    expect(await readVectors(join(dir, 'none.txt'), vocab, 3).catch((e: Error) => e.message)).toBe(
      `${join(dir, 'none.txt')}: cannot read: no such file`,
    );
  });
});

const validSettings = {
  cell: 'rnn',
  dim: 4,
  batch: 5,
  epochs: 1,
  patience: 0,
  seed: 1,
  lr: 0.1,
  l2: 0,
  eps: 1e-4,
  ratios: true,
  loss: 'all',
  adapter: 'a',
  version: 'v',
};

describe('settings', () => {
  it('checks the loss, the frozen embeddings and a treebank identity', () => {
    const data = {
      kind: 'treebank',
      paths: {},
      files: {},
      labels: ['a'],
      minCount: 0,
      train: 1,
      dev: 1,
      test: 1,
      vocab: 2,
      classes: 1,
    };
    expect(settingsProblems({ ...validSettings, loss: 'some', freezeEmbeddings: 1, data })).toEqual([
      'settings.loss: must be root or all, got "some"',
      'settings.freezeEmbeddings: must be true or false, got 1',
      'settings.data.minCount: must be an integer ≥ 1, got 0',
    ]);
  });

  it('reads a record without the settings added later as their defaults', () => {
    const { loss: _loss, ...older } = validSettings;
    expect(settingsDiff(older, { ...older, loss: 'root', freezeEmbeddings: false }, 'f')).toEqual([]);
    expect(settingsDiff(older, { ...older, loss: 'all' }, 'f')).toEqual(['loss: "root" in f, "all" now']);
    expect(settingsDiff(older, { ...older, freezeEmbeddings: true }, 'f')).toEqual([
      'freezeEmbeddings: false in f, true now',
    ]);
  });
});

describe('treegrad train on files: bad input is refused before any work, nothing written', () => {
  const run = async (...args: string[]) => {
    const code = await main(['train', '--cell', 'rnn', '--dim', '3', ...args]);
    return { code, said: said.join('\n').replaceAll(`${dir}/`, '') };
  };

  it('names the file, line and column, and writes no output', async () => {
    const p = writeSample({ test: ['(1 (2 a) b)', '(9 (2 a) b)'] });
    const out = join(dir, 'r.json');
    const ckpt = join(dir, 'run.ckpt');
    const r = await run(
      '--train',
      p.train,
      '--dev',
      p.dev,
      '--test',
      p.test,
      '--out',
      out,
      '--checkpoint',
      ckpt,
    );
    expect(r).toEqual({
      code: 2,
      said: 'treegrad train: test.txt:2:2: label "9" is not in the training file (5 labels: 0 1 2 3 4)',
    });
    expect(existsSync(out) || existsSync(ckpt)).toBe(false);
  });

  it('refuses vectors of another dimension, bad flags and mixed data sources', async () => {
    const p = writeSample();
    const files = ['--train', p.train, '--dev', p.dev, '--test', p.test];
    writeFileSync(join(dir, 'v.txt'), 'good 1 2\n');
    expect(await run(...files, '--vectors', join(dir, 'v.txt'))).toMatchObject({
      code: 2,
      said: expect.stringContaining('v.txt:1:1: the vectors have 2 dimensions, --dim is 3: give --dim 2'),
    });
    expect((await run(...files, '--loss', 'most')).said).toContain('--loss must be root or all, got "most"');
    expect((await run('--train', p.train, '--dev', p.dev)).said).toContain(
      'a treebank needs --train, --dev and --test; --test missing',
    );
    expect((await run(...files, '--dataset', '1')).said).toContain(
      'give one of --data DIR, --dataset I or --train',
    );
    expect((await run('--dataset', '1', '--min-count', '2')).said).toContain('--min-count is for a treebank');
    expect((await run(...files, '--min-count', '0')).said).toContain('--min-count must be an integer');
    expect((await run(...files, '--labels', 'pos')).said).toContain('--labels pos: no such file');
    expect((await run(...files, '--train-size', '3')).said).toContain(
      'are for --dataset; files have their own',
    );
    expect((await run(...files, '--out', p.dev)).said).toContain(
      `--out dev.txt would overwrite the input --dev`,
    );
  });

  it('experiment takes the same files and refuses keyword-task flags with them', async () => {
    const p = writeSample();
    const files = ['--train', p.train, '--dev', p.dev, '--test', p.test];
    const experiment = async (...args: string[]) => {
      const code = await main(['experiment', '--out', join(dir, 'exp'), ...args]);
      return { code, said: said.join('\n') };
    };
    expect(await experiment(...files, '--datasets', '2')).toMatchObject({
      code: 2,
      said: expect.stringContaining(
        '--datasets is for the keyword task; a treebank given as files has its own',
      ),
    });
    expect((await experiment('--min-count', '2')).said).toContain('--min-count is for a treebank');
    expect((await experiment(...files, '--loss', 'x')).said).toContain('--loss must be root or all, got "x"');
    writeFileSync(p.dev, '(3 a b)\n(3 (x a) b)\n');
    expect((await experiment(...files)).said).toContain(
      `${p.dev}:2:5: label "x" is not in the training file`,
    );
    expect(existsSync(join(dir, 'exp'))).toBe(false);
  });
});
