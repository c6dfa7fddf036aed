// A dataset on disk: train.txt, dev.txt, test.txt (one bracketed tree per line, root label = class;
// other internal nodes are written with label 0, unused) and vocab.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTrees } from '../trees/parse.ts';
import type { KeywordConfig, KeywordData, KeywordVocab } from './keyword.ts';

/** The three split names, in the order they are drawn and written. */
export const SPLITS = ['train', 'dev', 'test'] as const;

/** vocab.json: the vocabulary and the config that generated the data. */
export interface VocabFile extends KeywordVocab {
  config: KeywordConfig;
}

/** Writes train.txt, dev.txt, test.txt and vocab.json into `dir` (created if needed); returns the paths. */
export function writeKeywordData(dir: string, data: KeywordData): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (const split of SPLITS) {
    const path = join(dir, `${split}.txt`);
    writeFileSync(path, formatTrees(data[split].map((s) => s.tree)));
    paths.push(path);
  }
  const vocab: VocabFile = { ...data.vocab, config: data.config };
  const path = join(dir, 'vocab.json');
  const lines = Object.entries(vocab).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  writeFileSync(path, `{\n${lines.join(',\n')}\n}\n`);
  paths.push(path);
  return paths;
}

/** Reads a vocab.json written by writeKeywordData; throws an Error saying what is missing or wrong. */
export function readVocab(path: string): VocabFile {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const v = value as Partial<VocabFile> | null;
  const strings = (x: unknown) => Array.isArray(x) && x.every((w) => typeof w === 'string');
  if (typeof v !== 'object' || v === null) throw new Error(`${path}: expected a JSON object`);
  if (!strings(v.words)) throw new Error(`${path}: "words" must be an array of strings`);
  if (!strings(v.keywords)) throw new Error(`${path}: "keywords" must be an array of strings`);
  if (!Array.isArray(v.keywordClasses) || v.keywordClasses.length !== v.keywords?.length) {
    throw new Error(`${path}: "keywordClasses" must give one class per keyword`);
  }
  if (typeof v.classes !== 'number') throw new Error(`${path}: "classes" must be a number`);
  return v as VocabFile;
}
