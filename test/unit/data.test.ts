import { describe, expect, it } from 'vitest';
import {
  formatStats,
  generateKeywordData,
  keywordVocab,
  lengthRange,
  splitStats,
} from '../../src/data/index.ts';
import { leaves, numberNodes } from '../../src/trees/index.ts';

/** Chi-square statistic of observed counts against equal expected counts. */
function chi2(counts: readonly number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const e = total / counts.length;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

/** A loose upper bound for a chi-square with `df` degrees of freedom (mean + 5 standard deviations). */
const chi2Bound = (df: number) => df + 5 * Math.sqrt(2 * df);

describe('keyword task', () => {
  const data = generateKeywordData({ dataset: 2, seed: 1 });
  const all = [...data.train, ...data.dev, ...data.test];

  it('has the default 10,000 / 1,000 / 1,000 split and the documented vocabulary', () => {
    expect([data.train.length, data.dev.length, data.test.length]).toEqual([10_000, 1_000, 1_000]);
    expect(data.vocab.words.length).toBe(110);
    expect(data.vocab.words.slice(98, 102)).toEqual(['w98', 'w99', 'k0', 'k1']);
    expect(keywordVocab(3, 7, 5).keywordClasses).toEqual([0, 1, 2, 3, 4, 0, 1]);
  });

  it('puts exactly one keyword in every sentence, labels it with its class, and builds the tree over the words', () => {
    for (const s of all) {
      expect(s.words.filter((w) => /^k\d+$/.test(w))).toEqual([s.keyword]);
      expect(s.words[s.position]).toBe(s.keyword);
      expect(s.label).toBe(Number(s.keyword.slice(1)) % 5);
      expect(s.tree.label).toBe(s.label);
      expect(leaves(s.tree)).toEqual(s.words);
      const leafDepths = numberNodes(s.tree).filter((n) => n.node.kind === 'leaf');
      expect(leafDepths[s.position]?.depth).toBe(s.keywordDepth);
    }
  });

  it('draws lengths uniformly in [10i − 9, 10i] for every dataset', () => {
    for (let i = 1; i <= 10; i++) {
      const [lo, hi] = lengthRange(i);
      const d = generateKeywordData({ dataset: i, seed: 3, train: 1000, dev: 0, test: 0 });
      const counts = new Array(10).fill(0);
      for (const s of d.train) counts[s.words.length - lo]++;
      expect(Math.min(...d.train.map((s) => s.words.length))).toBe(lo);
      expect(Math.max(...d.train.map((s) => s.words.length))).toBe(hi);
      expect(chi2(counts)).toBeLessThan(chi2Bound(9));
    }
  });

  it('draws the keyword position uniformly, and keywords and non-keywords uniformly', () => {
    // Per sentence length L, the position is uniform on 0 … L−1: sum the per-length chi-squares.
    let stat = 0;
    let df = 0;
    for (let L = 11; L <= 20; L++) {
      const counts = new Array(L).fill(0);
      for (const s of all) if (s.words.length === L) counts[s.position]++;
      stat += chi2(counts);
      df += L - 1;
    }
    expect(stat).toBeLessThan(chi2Bound(df));
    const kw = new Array(10).fill(0);
    for (const s of all) kw[Number(s.keyword.slice(1))]++;
    expect(chi2(kw)).toBeLessThan(chi2Bound(9));
    const nk = new Array(100).fill(0);
    for (const s of all) for (const w of s.words) if (w.startsWith('w')) nk[Number(w.slice(1))]++;
    expect(chi2(nk)).toBeLessThan(chi2Bound(99));
  });

  it('is reproducible: the same seed gives the same data, another seed or dataset other data', () => {
    const a = generateKeywordData({ dataset: 4, seed: 9, train: 50, dev: 5, test: 5 });
    expect(generateKeywordData({ dataset: 4, seed: 9, train: 50, dev: 5, test: 5 })).toEqual(a);
    expect(generateKeywordData({ dataset: 4, seed: 10, train: 50, dev: 5, test: 5 }).train).not.toEqual(
      a.train,
    );
    // Growing the train split leaves its first sentences unchanged.
    expect(
      generateKeywordData({ dataset: 4, seed: 9, train: 60, dev: 5, test: 5 }).train.slice(0, 50),
    ).toEqual(a.train);
  });

  it('summarises each split', () => {
    const s = splitStats(data.dev, 5);
    expect(s.sentences).toBe(1000);
    expect([s.minLength, s.maxLength]).toEqual([11, 20]);
    expect(s.classCounts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(s.keywordDepths.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(s.keywordDepths[0]).toBe(0); // only a one-word sentence has its keyword at the root
    expect(formatStats('dev', s)).toMatch(
      /^dev: 1000 sentences, length 11–20 \(mean \d+\.\d\d\), per class \[\d+ \d+ \d+ \d+ \d+\]\n {2}keyword depth \(depth:sentences\) 1:\d+/,
    );
    expect(formatStats('x', splitStats([], 5))).toBe('x: 0 sentences');
  });

  it('rejects impossible configurations', () => {
    expect(() => generateKeywordData({ dataset: 11, seed: 1 })).toThrow(
      'dataset must be an integer in 1 … 10, got 11',
    );
    expect(() => generateKeywordData({ dataset: 1, seed: 1, keywords: 0 })).toThrow(RangeError);
  });
});
