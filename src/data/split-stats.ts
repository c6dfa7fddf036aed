// Per-split statistics of a generated dataset: what `treegrad data` prints.
import type { Sentence } from './keyword.ts';

/** Summary of one split: size, length range and mean, class counts, keyword-depth histogram. */
export interface SplitStats {
  sentences: number;
  minLength: number;
  maxLength: number;
  meanLength: number;
  /** Sentences per class, index = class. */
  classCounts: number[];
  /** Sentences per keyword depth, index = depth (0 only for one-word sentences). */
  keywordDepths: number[];
}

/** Statistics of one split for `classes` classes. */
export function splitStats(sentences: readonly Sentence[], classes: number): SplitStats {
  const classCounts = new Array<number>(classes).fill(0);
  const keywordDepths: number[] = [];
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const s of sentences) {
    const n = s.words.length;
    min = Math.min(min, n);
    max = Math.max(max, n);
    sum += n;
    classCounts[s.label] = (classCounts[s.label] ?? 0) + 1;
    while (keywordDepths.length <= s.keywordDepth) keywordDepths.push(0);
    keywordDepths[s.keywordDepth] = (keywordDepths[s.keywordDepth] as number) + 1;
  }
  const count = sentences.length;
  return {
    sentences: count,
    minLength: count ? min : 0,
    maxLength: count ? max : 0,
    meanLength: count ? sum / count : 0,
    classCounts,
    keywordDepths,
  };
}

/** Statistics as readable lines: `train: 10000 sentences, length 21–30 (mean 25.5), …` then the depth histogram. */
export function formatStats(name: string, s: SplitStats): string {
  const depths = s.keywordDepths.flatMap((n, depth) => (n > 0 ? [`${depth}:${n}`] : [])).join(' ');
  if (s.sentences === 0) return `${name}: 0 sentences`;
  return [
    `${name}: ${s.sentences} sentences, length ${s.minLength}–${s.maxLength} (mean ${s.meanLength.toFixed(2)}), ` +
      `per class [${s.classCounts.join(' ')}]`,
    `  keyword depth (depth:sentences) ${depths || '-'}`,
  ].join('\n');
}
