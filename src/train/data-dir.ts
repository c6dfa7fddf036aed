// Node only: a training set from a folder written by `treegrad data`. Every problem is named by
// file:line:column (an unknown word, a label that is no class, invalid UTF-8, a JSON error), and
// the set records its identity: the folder, each file's SHA-256 and the sizes.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CAPS } from '../engine/limits.ts';
import { isWord, parseTree, TreeParseError } from '../trees/parse.ts';
import { type Dataset, type DataIdentity, type Example, example } from './dataset.ts';
import { InputError, parseJson, readText, sha256 } from './files.ts';

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

/** Parses one split: a tree per line, every word in the vocabulary, every root label a class. */
function readSplit(path: string, text: string, vocab: ReadonlySet<string>, classes: number): Example[] {
  if (text.trim() === '') throw new TreeParseError(path, 1, 1, 'empty file: expected one tree per line');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > CAPS.trees)
    throw new InputError(`${path}: ${lines.length} trees, over the cap of ${CAPS.trees} trees in one split`);
  return lines.map((text, k) => {
    const line = k + 1;
    const tree = parseTree(text, {
      source: path,
      line,
      maxNodes: CAPS.treeNodes,
      onToken(kind, token, column, depth) {
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
    if (tree.label === undefined)
      throw new TreeParseError(path, line, 1, 'the root has no label (the class)');
    return example(tree, `${path}:${line}`);
  });
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
  const texts: Record<string, string> = {};
  const files: Record<string, string> = {};
  for (const name of DATA_FILES) {
    texts[name] = readText(join(dir, name));
    files[name] = sha256(texts[name]);
  }
  const vocab = readVocabFile(join(dir, 'vocab.json'), texts['vocab.json']!);
  const words = new Set(vocab.words);
  const split = (name: string) => readSplit(join(dir, name), texts[name]!, words, vocab.classes);
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
