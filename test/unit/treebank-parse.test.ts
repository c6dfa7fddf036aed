// The treebank forms of the bracketed format: string labels through a label map, unlabelled
// nodes, blank and comment lines, and binarizing n-ary trees (the function and the command).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { binarize, formatNaryTree, parseNaryTree } from '../../src/trees/binarize.ts';
import {
  formatTree,
  leaf,
  leftChain,
  node,
  parseTree,
  parseTrees,
  TreeParseError,
} from '../../src/trees/index.ts';

/** The TreeParseError that `f` throws. */
function thrown(f: () => unknown): TreeParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof TreeParseError) return e;
    throw e;
  }
  throw new Error('expected a TreeParseError');
}

const LABELS = new Map([
  ['neg', 0],
  ['pos', 1],
]);
const byList = (token: string, column: number): number => {
  const k = LABELS.get(token);
  if (k === undefined) throw new TreeParseError('f', 1, column, `label "${token}" is not in the list`);
  return k;
};

describe('treebank forms of the format', () => {
  it('maps string labels through the label list, on every node', () => {
    expect(parseTree('(pos (neg It) (pos good))', { label: byList })).toEqual(
      node(leaf('It', 0), leaf('good', 1), 1),
    );
    expect(thrown(() => parseTree('(pos (meh It) good)', { label: byList })).column).toBe(7);
    expect(thrown(() => parseTree('((pos It) good)', { label: byList })).reason).toBe(
      "missing label: expected a label after '('",
    );
  });

  it('reads unlabelled nodes: a bracket that opens with a bracket, or the label _', () => {
    const opts = { unlabelled: true };
    expect(parseTree('((2 It) (3 good))', opts)).toEqual(node(leaf('It', 2), leaf('good', 3)));
    expect(parseTree('(3 (_ It good) fine)', opts)).toEqual(
      node(node(leaf('It'), leaf('good')), leaf('fine'), 3),
    );
    expect(parseTree('(_ w)', opts)).toEqual(leaf('w'));
    expect(thrown(() => parseTree('()', opts)).reason).toBe(
      'node has no children, expected 2 (or one word for a leaf)',
    );
    // Without the option, both are refused as before.
    expect(thrown(() => parseTree('(_ a b)')).reason).toBe('label "_" is not an integer');
  });

  it('skips blank and # lines with comments, keeping line numbers', () => {
    const text = '# SST sample\n\n(1 a b)\n  # more\n(2 c d e)\n';
    const e = thrown(() => parseTrees(text, { source: 't.txt', comments: true }));
    expect(e.message).toBe('t.txt:5:1: node has 3 children, expected 2');
    expect(parseTrees('#x\n(1 a b)\n\n', { comments: true })).toEqual([node(leaf('a'), leaf('b'), 1)]);
    expect(thrown(() => parseTrees('# only\n\n', { comments: true })).reason).toBe(
      'empty file: expected one tree per line',
    );
  });

  it('says how to binarize a node that is not binary', () => {
    const e = thrown(() => parseTree('(1 (2 a) (3 b c d))', { binaryHint: 'run treegrad binarize' }));
    expect({ column: e.column, reason: e.reason }).toEqual({
      column: 10,
      reason: 'node has 3 children, expected 2: run treegrad binarize',
    });
    expect(thrown(() => parseTree('(1 (2 (3 a)))', { binaryHint: 'h' })).reason).toBe(
      'node has 1 child, expected 2: h',
    );
  });
});

describe('binarize', () => {
  const bin = (text: string, factor: 'left' | 'right') =>
    formatNaryTree(binarize(parseNaryTree(text), factor).tree);

  it('factors n-ary nodes left or right; the new nodes have no label', () => {
    expect(bin('(S (A a) (B b) (C c) (D d))', 'right')).toBe('(S (A a) ((B b) ((C c) (D d))))');
    expect(bin('(S (A a) (B b) (C c) (D d))', 'left')).toBe('(S (((A a) (B b)) (C c)) (D d))');
    expect(bin('(S a b c)', 'right')).toBe('(S a (_ b c))');
    expect(bin('(S a b c)', 'left')).toBe('(S (_ a b) c)');
    expect(bin('(3 (2 It) (4 (2 ’s) (3 good)))', 'left')).toBe('(3 (2 It) (4 (2 ’s) (3 good)))');
  });

  it('collapses one-child chains, keeping the topmost label', () => {
    expect(bin('( (S (NP (NN cat)) (VP (VBZ sleeps))))', 'right')).toBe('(S (NP cat) (VP sleeps))');
    expect(bin('(NP (_ (JJ big) (NN cat)))', 'right')).toBe('(NP (JJ big) (NN cat))');
    const { counts } = binarize(
      parseNaryTree('( (S (NP (DT the) (JJ big) (NN cat)) (VP (VBZ sleeps))))'),
      'right',
    );
    expect(counts).toEqual({ factored: 1, added: 1, collapsed: 2 });
  });

  it('gives trees the binary parser reads, with the same labels and words', () => {
    const labels = new Map<string, number>();
    const label = (t: string) => {
      if (!labels.has(t)) labels.set(t, labels.size);
      return labels.get(t)!;
    };
    const text = bin(
      '(S (NP (DT the) (JJ big) (NN cat)) (VP (VBZ sleeps) (ADVP (RB very) (RB soundly)) (. .)))',
      'left',
    );
    const tree = parseTree(text, { label, unlabelled: true });
    expect(tree.label).toBe(labels.get('S'));
    expect(text).toBe(
      '(S (NP ((DT the) (JJ big)) (NN cat)) (VP ((VBZ sleeps) (ADVP (RB very) (RB soundly))) (. .)))',
    );
  });

  it('handles very deep trees without recursion limits', () => {
    const chain = `${'(X '.repeat(30_000)}w${')'.repeat(30_000)}`;
    expect(bin(chain, 'right')).toBe('(X w)');
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i}`);
    const flat = `(S ${words.join(' ')})`;
    const t = parseTree(bin(flat, 'left'), { unlabelled: true, label: () => 0 });
    expect(formatTree(t)).toBe(formatTree(leftChain(words)));
  });
});

describe('treegrad binarize', () => {
  let dir: string;
  let said: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'treegrad-binarize-'));
    said = [];
    const keep = (...args: unknown[]) => void said.push(args.join(' '));
    vi.spyOn(console, 'log').mockImplementation(keep);
    vi.spyOn(console, 'error').mockImplementation(keep);
  });
  afterEach(() => vi.restoreAllMocks());

  it('writes OUT line for line, copying blank and # lines', async () => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    writeFileSync(
      input,
      '# from the PTB\n( (S (NP (DT the) (NN cat)) (VP (VBZ sleeps)) (. .)))\n\n(X a b c)\n',
    );
    expect(await main(['binarize', '--factor', 'right', input, output])).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(
      '# from the PTB\n(S (NP (DT the) (NN cat)) ((VP sleeps) (. .)))\n\n(X a (_ b c))\n',
    );
    expect(said.join('\n')).toMatch(
      /2 trees; 2 nodes of more than two children factored right \(2 binary nodes added, unlabelled\), 2 one-child nodes collapsed/,
    );
  });

  it('refuses bad input at file:line:column and writes nothing', async () => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    writeFileSync(input, '(X a b c)\n# ok\n(X (Y a) (Z b)\n');
    expect(await main(['binarize', '--factor', 'left', input, output])).toBe(2);
    expect(said.join('\n')).toContain(
      `treegrad binarize: ${input}:3:1: unbalanced brackets: this '(' is never closed`,
    );
    expect(existsSync(output)).toBe(false);
    writeFileSync(input, '(X a b)\n(X ())\n');
    expect(await main(['binarize', '--factor', 'left', input, output])).toBe(2);
    expect(said.join('\n')).toContain(`${input}:2:4: node has no children`);
    expect(await main(['binarize', '--factor', 'up', input, output])).toBe(2);
    expect(said.join('\n')).toContain('--factor must be left or right, got "up"');
    expect(await main(['binarize', '--factor', 'left', input, input])).toBe(2);
    expect(said.join('\n')).toContain('would overwrite the input');
    expect(await main(['binarize', '--factor', 'left', join(dir, 'none.txt'), output])).toBe(2);
    expect(said.join('\n')).toContain('none.txt: cannot read: no such file');
    writeFileSync(input, Buffer.from([0x28, 0x58, 0x20, 0xff, 0x29, 0x0a]));
    expect(await main(['binarize', '--factor', 'left', input, output])).toBe(2);
    expect(said.join('\n')).toContain(`${input}:1:4: invalid UTF-8`);
    expect(existsSync(output)).toBe(false);
  });
});
