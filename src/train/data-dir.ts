// Node only: a training set from a folder written by `treegrad data`, or from a treebank's three
// files (`--train F --dev F --test F`, with a vocabulary built from the training file and optional
// pretrained vectors). Every problem is named by file:line:column (an unknown word or label, invalid
// UTF-8, a JSON error), and the set records its identity: each file's SHA-256 and the sizes.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  collectLabels,
  type LabelList,
  LabelListError,
  parseLabelList,
  parseTreebank,
  type TreebankTree,
} from '../data/treebank.ts';
import { readVectors } from '../data/vectors.ts';
import { buildVocabulary, formatUnknown, type UnknownCount } from '../data/vocab.ts';
import { CAPS } from '../engine/limits.ts';
import { isWord, parseTreeLines, TreeParseError } from '../trees/parse.ts';
import { type Dataset, type DataIdentity, type Example, example, treebankExamples } from './dataset.ts';
import { InputError, parseJson, readLines, readText, sha256 } from './files.ts';

/** The files of a data folder, in the order they are read. */
export const DATA_FILES = ['vocab.json', 'train.txt', 'dev.txt', 'test.txt'] as const;

/** vocab.json's words (row i of E is word i) and classes, checked field by field. */
function readVocabFile(path: string, text: string): { words: string[]; classes: number } {
  const v = parseJson(text, path) as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InputError(`${path}: expected a JSON object`);
  const { words, classes } = v;
  if (!Array.isArray(words) || words.length === 0)
    throw new InputError(`${path}: "words" must be a non-empty array of words`);
  if (words.length > CAPS.vocab)
    throw new InputError(
      `${path}: "words" has ${words.length} words, over the vocabulary cap (${CAPS.vocab})`,
    );
  const seen = new Map<string, number>();
  words.forEach((w, i) => {
    if (typeof w !== 'string' || !isWord(w))
      throw new InputError(
        `${path}: words[${i}] must be a word without spaces or brackets, got ${JSON.stringify(w)}`,
      );
    if (seen.has(w)) throw new InputError(`${path}: words[${i}] "${w}" repeats words[${seen.get(w)}]`);
    seen.set(w, i);
  });
  if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 1 || classes > CAPS.classes)
    throw new InputError(
      `${path}: "classes" must be an integer in 1 … ${CAPS.classes}, got ${JSON.stringify(classes)}`,
    );
  return { words: words as string[], classes };
}

/**
 * Parses one split, streamed line by line: a tree per line, every word in the vocabulary, every root
 * label a class; `out.sha256` is the file's SHA-256 once read.
 */
function readSplit(
  path: string,
  vocab: ReadonlySet<string>,
  classes: number,
  out: { sha256?: string },
): Example[] {
  const lines = readLines(path, out);
  const parsed = parseTreeLines(lines, {
    source: path,
    maxNodes: CAPS.treeNodes,
    onToken(kind, token, column, depth, line) {
      if (kind === 'word' && !vocab.has(token))
        throw new TreeParseError(path, line, column, `unknown word "${token}" (not in vocab.json)`);
      if (kind === 'label' && depth === 1 && !(Number(token) >= 0 && Number(token) < classes))
        throw new TreeParseError(
          path,
          line,
          column,
          `label ${token} is not a class (vocab.json has ${classes}: 0 … ${classes - 1})`,
        );
    },
  });
  const examples: Example[] = [];
  try {
    for (let r = parsed.next(); !r.done; r = parsed.next()) {
      const { tree, line } = r.value;
      if (examples.length === CAPS.trees) {
        let count = examples.length + 1;
        while (!lines.next().done) count++;
        throw new InputError(`${path}: ${count} trees, over the cap of ${CAPS.trees} trees in one split`);
      }
      if (tree.label === undefined)
        throw new TreeParseError(path, line, 1, 'the root has no label (the class)');
      examples.push(example(tree, `${path}:${line}`));
    }
  } finally {
    lines.return(undefined);
  }
  return examples;
}

/** Reads train.txt, dev.txt, test.txt and vocab.json from a folder written by `treegrad data`. */
export function readDataDir(dir: string): Dataset {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new InputError(`--data ${dir}: no such folder`);
  }
  if (!isDir) throw new InputError(`--data ${dir}: not a folder`);
  const files: Record<string, string> = {};
  const vocabText = readText(join(dir, 'vocab.json'));
  files['vocab.json'] = sha256(vocabText);
  const vocab = readVocabFile(join(dir, 'vocab.json'), vocabText);
  const words = new Set(vocab.words);
  // The splits are streamed: parsed line by line, hashed as they are read.
  const split = (name: string) => {
    const out: { sha256?: string } = {};
    const examples = readSplit(join(dir, name), words, vocab.classes, out);
    files[name] = out.sha256!;
    return examples;
  };
  const [train, dev, test] = [split('train.txt'), split('dev.txt'), split('test.txt')];
  const identity: DataIdentity = {
    kind: 'folder',
    dir: resolve(dir),
    files,
    train: train.length,
    dev: dev.length,
    test: test.length,
    vocab: vocab.words.length,
    classes: vocab.classes,
  };
  return { name: dir, identity, vocab: vocab.words, classes: vocab.classes, train, dev, test };
}

/** A treebank given as three files, and how to read it (`--train F --dev F --test F`). */
export interface TreebankFiles {
  train: string;
  dev: string;
  test: string;
  /** The label list; default: collected from the training file (see collectLabels). */
  labels?: string[];
  /** Training words seen fewer times become `<unk>` (default 1: keep every word). */
  minCount?: number;
  /** Pretrained word vectors (GloVe text format), streamed; their dimension must be `dim`. */
  vectors?: string;
  dim?: number;
}

/** What reading a treebank found, for the user: labels, vocabulary, unknown words, vector coverage. */
export interface TreebankSummary {
  labels: LabelList;
  vocab: number;
  minCount: number;
  unknown: Record<'train' | 'dev' | 'test', UnknownCount>;
  vectors?: {
    path: string;
    found: number;
    exact: number;
    lowercased: number;
    spaced: number;
    undecodable: number;
    firstUndecodable?: number;
  };
}

const ROLES = ['train', 'dev', 'test'] as const;

/** Reads a label list flag: a file (one label per line) or two or more labels separated by commas. */
export function readLabelsFlag(value: string): string[] {
  const isFile = existsSync(value) && statSync(value).isFile();
  if (!isFile && !value.includes(','))
    throw new InputError(
      `--labels ${value}: no such file (give a file of labels, one per line, or two or more labels separated by commas)`,
    );
  try {
    return parseLabelList(isFile ? readText(value) : value);
  } catch (e) {
    if (!(e instanceof LabelListError)) throw e;
    throw new InputError(
      isFile ? `${value}:${e.line ?? 1}:1: ${e.message}` : `--labels ${value}: ${e.message}`,
    );
  }
}

/**
 * Reads a treebank from its files: labels mapped to classes, the vocabulary built from the training
 * file (with `<unk>`), dev and test mapped onto it, pretrained vectors streamed. Every problem is
 * named by file:line:column; the identity records each file's path and SHA-256.
 */
export async function readTreebank(
  spec: TreebankFiles,
): Promise<{ data: Dataset; summary: TreebankSummary }> {
  const paths: Record<string, string> = {};
  const files: Record<string, string> = {};
  // Streamed line by line (the training file twice when its labels are collected): a file is never
  // held whole. Every file is opened first, so a missing one is named before any parsing.
  for (const role of ROLES) {
    const probe = readLines(spec[role]);
    probe.next();
    probe.return(undefined);
    paths[role] = resolve(spec[role]);
  }
  const labels: LabelList = spec.labels
    ? { labels: spec.labels, origin: 'given' }
    : collectLabels(readLines(spec.train), spec.train);
  const parsed = Object.fromEntries(
    ROLES.map((role) => {
      const read: { sha256?: string } = {};
      const trees = parseTreebank(readLines(spec[role], read), spec[role], labels);
      files[role] = read.sha256!;
      return [role, trees];
    }),
  ) as Record<(typeof ROLES)[number], TreebankTree[]>;
  const minCount = spec.minCount ?? 1;
  const vocab = buildVocabulary(
    parsed.train.map((t) => t.tree),
    { minCount },
  );
  if (vocab.words.length > CAPS.vocab)
    throw new InputError(
      `${spec.train}: ${vocab.words.length} words, over the vocabulary cap (${CAPS.vocab}): raise --min-count`,
    );
  const { splits, unknown } = treebankExamples(parsed, vocab, (role, line) => `${spec[role]}:${line}`);
  const summary: TreebankSummary = { labels, vocab: vocab.words.length, minCount, unknown };
  let pretrained: Dataset['pretrained'];
  if (spec.vectors !== undefined) {
    const read = await readVectors(spec.vectors, vocab.words, spec.dim ?? 0);
    pretrained = { dim: read.dim, rows: read.rows, values: read.values };
    paths.vectors = resolve(spec.vectors);
    files.vectors = await sha256File(spec.vectors);
    summary.vectors = {
      path: spec.vectors,
      found: read.rows.length,
      exact: read.exact,
      lowercased: read.lowercased,
      spaced: read.spaced,
      undecodable: read.undecodable,
      ...(read.firstUndecodable !== undefined ? { firstUndecodable: read.firstUndecodable } : {}),
    };
  }
  const identity: DataIdentity = {
    kind: 'treebank',
    paths,
    files,
    minCount,
    labels: labels.labels,
    train: splits.train.length,
    dev: splits.dev.length,
    test: splits.test.length,
    vocab: vocab.words.length,
    classes: labels.labels.length,
  };
  const data: Dataset = {
    name: basename(spec.train),
    identity,
    vocab: vocab.words,
    classes: labels.labels.length,
    ...splits,
    ...(pretrained ? { pretrained } : {}),
  };
  return { data, summary };
}

/** SHA-256 of a file, streamed (vectors files are large). */
async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The summary as lines for the terminal: labels, vocabulary, unknown words per split, coverage. */
export function formatTreebankSummary(s: TreebankSummary): string[] {
  const from = {
    given: 'given',
    integers: "the training file's integers",
    sorted: 'the training file, sorted',
  };
  const shown = s.labels.labels.length <= 20 ? `: ${s.labels.labels.join(' ')}` : '';
  const lines = [
    `labels (${s.labels.labels.length} classes, ${from[s.labels.origin]})${shown}`,
    `vocabulary: ${s.vocab} words from the training file, <unk> included (--min-count ${s.minCount})`,
    ...ROLES.map((r) => `${r}: ${formatUnknown(s.unknown[r])} → <unk>`),
  ];
  if (s.vectors) {
    const v = s.vectors;
    const pct = ((100 * v.found) / s.vocab).toFixed(1);
    lines.push(
      `vectors ${v.path}: ${v.found} of ${s.vocab} vocabulary words found (${pct}%; ${v.exact} as written, ${v.lowercased} lowercased)` +
        (v.spaced > 0 ? `; ${v.spaced} lines with spaces in the word skipped` : '') +
        (v.undecodable > 0
          ? `; ${v.undecodable} lines whose word is not valid UTF-8 skipped (first at ${v.path}:${v.firstUndecodable}:1)`
          : ''),
    );
  }
  return lines;
}
