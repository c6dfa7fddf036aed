// Trees files are streamed line by line (src/train/files.ts readLines): chunks of 1 MiB cut through
// lines and multi-byte characters, and the lines, the SHA-256, a dropped BOM and the location of an
// invalid byte are exactly what reading the whole file gives.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataDir } from '../../src/train/data-dir.ts';
import { readLines, readText, sha256 } from '../../src/train/files.ts';
import { parseTreeLines, parseTrees } from '../../src/trees/parse.ts';

const dir = mkdtempSync(join(tmpdir(), 'treegrad-stream-'));
const file = (name: string, data: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

/** About 2.3 MiB of lines of 1-, 2-, 3- and 4-byte characters: chunk ends fall inside characters. */
function bigText(): string {
  const words = ['a', 'é', '中文', '😀x', 'bb'];
  const lines: string[] = [];
  for (let i = 0; lines.length < 100_000; i++)
    lines.push(`(${i % 5} ${words[i % 5]}${i} (1 ${words[(i + 2) % 5]} w))`);
  return `${lines.join('\n')}\n`;
}

describe('readLines', () => {
  it('gives the lines and SHA-256 of reading the whole file, across chunk boundaries', () => {
    const text = bigText();
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 2 ** 20);
    for (const [name, t] of [
      ['big.txt', text],
      ['bom.txt', `\uFEFF${text}`],
      ['open.txt', text.slice(0, -1)],
    ] as const) {
      const path = file(name, t);
      const out: { sha256?: string } = {};
      const lines = [...readLines(path, out)];
      const whole = readText(path);
      const expected = whole.split('\n');
      if (expected[expected.length - 1] === '') expected.pop();
      expect(lines).toEqual(expected);
      expect(out.sha256).toBe(sha256(whole));
    }
    expect([...readLines(file('empty.txt', ''))]).toEqual([]);
    expect([...readLines(file('blank.txt', '\n\n'))]).toEqual(['', '']);
  });

  it('locates an invalid byte past the first chunk as reading the whole file does', () => {
    const text = bigText();
    const cut = Buffer.byteLength(text.slice(0, 1_500_000));
    const bytes = Buffer.from(text);
    for (const bad of [[0xff], [0xe4, 0xb8], [0xed, 0xa0, 0x80]]) {
      const broken = Buffer.concat([bytes.subarray(0, cut), Buffer.from(bad), bytes.subarray(cut)]);
      const path = file('bad.txt', broken);
      const message = errorOf(() => [...readLines(path)]);
      expect(message).toBe(errorOf(() => readText(path)));
      expect(message).toMatch(/^.*bad\.txt:\d+:\d+: invalid UTF-8 \(byte 0x.. at byte offset \d+\)$/);
    }
    // A character cut short by the end of the file.
    const path = file('cut.txt', Buffer.concat([Buffer.from('(1 a)\n(1 b'), Buffer.from([0xf0, 0x9f])]));
    expect(errorOf(() => [...readLines(path)])).toBe(
      `${path}:2:5: invalid UTF-8 (byte 0xf0 at byte offset 10)`,
    );
    expect(errorOf(() => [...readLines(join(dir, 'none.txt'))])).toMatch(
      /none\.txt: cannot read: no such file$/,
    );
    expect(errorOf(() => [...readLines(dir)])).toMatch(/cannot read: is a folder$/);
  });
});

describe('parseTreeLines', () => {
  it('the rules and errors of parseTrees, a line at a time', () => {
    const cases = ['(1 a b)\n(0 c)\n', '\n\n', '', '(1 a b)\n\n(0 c)\n', '  \n(1 a b)\n', '(1 a (b)\n'];
    for (const text of cases) {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const streamed = () => [...parseTreeLines(lines, { source: 'f' })].map((t) => t.tree);
      let expected: unknown;
      try {
        expected = parseTrees(text, { source: 'f' });
      } catch (e) {
        expected = (e as Error).message;
      }
      let got: unknown;
      try {
        got = streamed();
      } catch (e) {
        got = (e as Error).message;
      }
      expect(got).toEqual(expected);
    }
  });
});

describe('a data folder', () => {
  it('is streamed: errors located past the first chunk, the identity hashes those of the files', () => {
    const data = join(dir, 'data');
    const text = bigText();
    const words = new Set<string>();
    for (const line of text.split('\n')) for (const w of line.match(/[^ ()\d]+\d*/g) ?? []) words.add(w);
    const vocab = JSON.stringify({ words: [...words].sort(), classes: 5 });
    mkdirSync(data);
    writeFileSync(join(data, 'vocab.json'), vocab);
    writeFileSync(join(data, 'train.txt'), text);
    writeFileSync(join(data, 'dev.txt'), '(1 a0 (1 bb4 w))\n');
    writeFileSync(join(data, 'test.txt'), '(1 a0 (1 bb4 w))\n');
    const set = readDataDir(data);
    expect(set.train).toHaveLength(100_000);
    const identity = set.identity;
    if (identity?.kind !== 'folder') throw new Error('a folder identity');
    expect(identity.files['train.txt']).toBe(sha256(readText(join(data, 'train.txt'))));
    writeFileSync(join(data, 'train.txt'), `${text}(1 nope w)\n`);
    expect(errorOf(() => readDataDir(data))).toBe(
      `${join(data, 'train.txt')}:100001:4: unknown word "nope" (not in vocab.json)`,
    );
  });
});
