import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng/index.ts';
import {
  type Tree,
  TreeParseError,
  balancedTree,
  depths,
  formatTree,
  formatTrees,
  height,
  leaf,
  leaves,
  leftChain,
  node,
  numberNodes,
  parseTree,
  parseTrees,
  preorder,
  randomTree,
  rightChain,
  size,
  treeWithLeafAtDepth,
} from '../../src/trees/index.ts';

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`);

/** The TreeParseError that parsing `text` throws (fails the test if it parses or throws something else). */
function parseError(text: string): TreeParseError {
  try {
    parseTrees(text, { source: 'f.txt' });
  } catch (e) {
    if (e instanceof TreeParseError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
}

describe('parse and format', () => {
  it('reads both leaf styles and integer labels', () => {
    expect(parseTree('(2 (0 w17 k3) (1 (4 w4) w90))')).toEqual(
      node(node(leaf('w17'), leaf('k3'), 0), node(leaf('w4', 4), leaf('w90'), 1), 2),
    );
    expect(parseTree('  ( -3\tw1   w2 ) ')).toEqual(node(leaf('w1'), leaf('w2'), -3));
    expect(parseTree('(7 w)')).toEqual(leaf('w', 7));
    expect(parseTree('w')).toEqual(leaf('w'));
    expect(parseTree('(1 12 3)')).toEqual(node(leaf('12'), leaf('3'), 1));
  });

  it('reads one tree per line, with or without a final newline, LF or CRLF', () => {
    const trees = [node(leaf('a'), leaf('b'), 1), leaf('c', 2)];
    expect(parseTrees('(1 a b)\n(2 c)')).toEqual(trees);
    expect(parseTrees('(1 a b)\n(2 c)\n')).toEqual(trees);
    expect(parseTrees('(1 a b)\r\n(2 c)\r\n')).toEqual(trees);
  });

  it('writes what it reads', () => {
    const text = '(2 (0 w17 k3) (1 (4 w4) w90))\n(3 k1)\nw5\n';
    expect(formatTrees(parseTrees(text))).toBe(text);
    expect(formatTree(node(leaf('a'), leaf('b')))).toBe('(0 a b)');
    expect(formatTree(node(leaf('a'), leaf('b')), { defaultLabel: 9 })).toBe('(9 a b)');
    expect(() => formatTree(leaf('a b'))).toThrow(/cannot write the word/);
  });

  it.each([
    ['(1 a b c)', 1, 1, 'node has 3 children, expected 2'],
    ['(1 (2 a b))', 1, 1, 'node has 1 child, expected 2'],
    ['(1 a (2 b c d e))', 1, 6, 'node has 4 children, expected 2'],
    ['(1)', 1, 1, 'node has no children, expected 2 (or one word for a leaf)'],
    ['(1 a b', 1, 1, "unbalanced brackets: this '(' is never closed"],
    [
      '(1 (2 a b',
      1,
      4,
      "unbalanced brackets: this '(' is never closed (2 brackets open at the end of the line)",
    ],
    ['(1 a b))', 1, 8, "unbalanced brackets: this ')' has no matching '('"],
    [')', 1, 1, "unbalanced brackets: this ')' has no matching '('"],
    ['(a b c)', 1, 2, 'label "a" is not an integer'],
    ['(1.5 a b)', 1, 2, 'label "1.5" is not an integer'],
    ['(1 (x a) b)', 1, 5, 'label "x" is not an integer'],
    ['((1 a b) c)', 1, 2, "missing label: expected an integer after '('"],
    ['()', 1, 2, "missing label: expected an integer after '('"],
    ['(99999999999999999999 a b)', 1, 2, 'label 99999999999999999999 is too large'],
    ['(1 a b) (2 c d)', 1, 9, 'unexpected text after the tree (one tree per line)'],
    ['(1 a b) c', 1, 9, 'unexpected text after the tree (one tree per line)'],
    ['(1 a b)\n\n(1 a b)', 2, 1, 'empty line: expected a tree'],
    ['(1 a b)\n   \n', 2, 1, 'empty line: expected a tree'],
    ['(1 a b)\n(2 c d)\n(3 e f g)\n', 3, 1, 'node has 3 children, expected 2'],
    ['', 1, 1, 'empty file: expected one tree per line'],
    ['\n\n', 1, 1, 'empty file: expected one tree per line'],
  ])('locates the error in %j', (text, line, column, reason) => {
    const e = parseError(text);
    expect({ line: e.line, column: e.column, reason: e.reason }).toEqual({ line, column, reason });
    expect(e.message).toBe(`f.txt:${line}:${column}: ${reason}`);
  });
});

const wordArb = fc.stringMatching(/^[a-z0-9_]{1,4}$/);
const { tree: treeArb } = fc.letrec<{ tree: Tree; leaf: Tree; node: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('node')),
  leaf: fc
    .tuple(wordArb, fc.option(fc.integer({ min: -9, max: 99 }), { nil: undefined }))
    .map(([w, l]) => leaf(w, l)),
  node: fc
    .tuple(tie('tree'), tie('tree'), fc.integer({ min: -9, max: 99 }))
    .map(([l, r, lab]) => node(l, r, lab)),
}));

/** Every outcome of parsing: trees, or a TreeParseError located inside the text. Anything else fails. */
function checkParseOutcome(text: string): void {
  let trees: Tree[];
  try {
    trees = parseTrees(text, { source: 'fuzz' });
  } catch (e) {
    expect(e).toBeInstanceOf(TreeParseError);
    const err = e as TreeParseError;
    const lines = text.split('\n');
    expect(err.line).toBeGreaterThanOrEqual(1);
    expect(err.line).toBeLessThanOrEqual(Math.max(1, lines.length));
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.column).toBeLessThanOrEqual((lines[err.line - 1] ?? '').length + 1);
    expect(err.message.startsWith(`fuzz:${err.line}:${err.column}: `)).toBe(true);
    return;
  }
  expect(trees.length).toBeGreaterThan(0);
  expect(parseTrees(formatTrees(trees))).toEqual(trees);
}

describe('parser properties (fast-check)', () => {
  it('round-trips any tree through format and parse', () => {
    fc.assert(
      fc.property(fc.array(treeArb, { minLength: 1, maxLength: 4 }), (trees) => {
        expect(parseTrees(formatTrees(trees))).toEqual(trees);
      }),
      { numRuns: 300 },
    );
  });

  it('answers random text with trees or a located TreeParseError, never another exception', () => {
    const unit = fc.constantFrom(
      '(',
      ')',
      '(',
      ')',
      ' ',
      '\n',
      '\t',
      '\r',
      'a',
      'k3',
      '1',
      '2',
      '-',
      '.',
      'x',
    );
    fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), checkParseOutcome), { numRuns: 2000 });
  });

  it('answers every one-character edit of valid text the same way', () => {
    const edit = fc.tuple(
      fc.array(treeArb, { minLength: 1, maxLength: 3 }),
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'replace'),
      fc.constantFrom('(', ')', ' ', '\n', 'a', '7', '.', '-'),
    );
    fc.assert(
      fc.property(edit, ([trees, at, op, ch]) => {
        const text = formatTrees(trees);
        const i = at % text.length;
        const mutated =
          op === 'delete'
            ? text.slice(0, i) + text.slice(i + 1)
            : op === 'insert'
              ? text.slice(0, i) + ch + text.slice(i)
              : text.slice(0, i) + ch + text.slice(i + 1);
        checkParseOutcome(mutated);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('shape', () => {
  const t = parseTree('(0 (0 a (0 b c)) d)');

  it('numbers nodes in pre-order with depth, height, parent and children', () => {
    expect(preorder(t).map((n) => (n.kind === 'leaf' ? n.word : '*'))).toEqual([
      '*',
      '*',
      'a',
      '*',
      'b',
      'c',
      'd',
    ]);
    const info = numberNodes(t);
    expect(info.map((n) => n.depth)).toEqual([0, 1, 2, 2, 3, 3, 1]);
    expect(info.map((n) => n.height)).toEqual([3, 2, 0, 1, 0, 0, 0]);
    expect(info.map((n) => n.parent)).toEqual([-1, 0, 1, 1, 3, 3, 0]);
    expect(info.map((n) => [n.left, n.right])).toEqual([
      [1, 6],
      [2, 3],
      [-1, -1],
      [4, 5],
      [-1, -1],
      [-1, -1],
      [-1, -1],
    ]);
    expect(depths(t)).toEqual([0, 1, 2, 2, 3, 3, 1]);
    expect(height(t)).toBe(3);
    expect(height(leaf('x'))).toBe(0);
    expect(leaves(t)).toEqual(['a', 'b', 'c', 'd']);
    expect(size(t)).toBe(7);
  });

  it('handles very deep chains without recursion limits', () => {
    const deep = leftChain(words(20_000));
    expect(height(deep)).toBe(19_999);
    expect(numberNodes(deep)[1]?.depth).toBe(1);
  });
});

describe('generators', () => {
  it('build chains and balanced trees over the words in order', () => {
    expect(formatTree(leftChain(words(4)))).toBe('(0 (0 (0 w0 w1) w2) w3)');
    expect(formatTree(rightChain(words(4)))).toBe('(0 w0 (0 w1 (0 w2 w3)))');
    expect(formatTree(balancedTree(words(5)))).toBe('(0 (0 (0 w0 w1) w2) (0 w3 w4))');
    expect(height(leftChain(words(31)))).toBe(30);
    expect(height(balancedTree(words(64)))).toBe(6);
    expect(balancedTree(['x'])).toEqual(leaf('x'));
    expect(() => randomTree([], Rng.fromSeed(1))).toThrow(RangeError);
  });

  it('random trees keep the leaf order and split uniformly', () => {
    const rng = Rng.fromSeed(5);
    const counts = new Array(9).fill(0);
    for (let i = 0; i < 9000; i++) {
      const t = randomTree(words(10), rng);
      expect(leaves(t)).toEqual(words(10));
      if (t.kind === 'node') counts[leaves(t.left).length - 1]++;
    }
    const chi2 = counts.reduce((s, c) => s + (c - 1000) ** 2 / 1000, 0);
    expect(chi2).toBeLessThan(35); // df 8
  });

  it('places the focal leaf at exactly depth D whenever that is possible', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(), fc.nat(), fc.nat(), (n, f, dd, seed) => {
        const focal = f % n;
        const least = (focal > 0 ? 1 : 0) + (focal < n - 1 ? 1 : 0);
        const depth = n === 1 ? 0 : least + (dd % (n - least));
        const t = treeWithLeafAtDepth(words(n), focal, depth, Rng.fromSeed(seed));
        expect(leaves(t)).toEqual(words(n));
        const leafInfo = numberNodes(t).filter((x) => x.node.kind === 'leaf');
        expect(leafInfo[focal]?.depth).toBe(depth);
      }),
      { numRuns: 500 },
    );
    expect(() => treeWithLeafAtDepth(words(5), 2, 1, Rng.fromSeed(1))).toThrow(/depth 2 … 4, not 1/);
    expect(() => treeWithLeafAtDepth(words(5), 0, 5, Rng.fromSeed(1))).toThrow(RangeError);
  });
});
