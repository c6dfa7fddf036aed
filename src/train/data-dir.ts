// Node only: a training set from a folder written by `treegrad data`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVocab } from '../data/files.ts';
import { parseTrees } from '../trees/parse.ts';
import { type Dataset, example } from './dataset.ts';

/** Reads train.txt, dev.txt, test.txt and vocab.json from a folder written by `treegrad data`. */
export function readDataDir(dir: string): Dataset {
  const vocab = readVocab(join(dir, 'vocab.json'));
  const split = (name: string) => {
    const path = join(dir, `${name}.txt`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${path}: ${(e as Error).message}`);
    }
    return parseTrees(text, { source: path }).map((t, i) => example(t, `${path}:${i + 1}`));
  };
  return {
    name: dir,
    vocab: vocab.words,
    classes: vocab.classes,
    train: split('train'),
    dev: split('dev'),
    test: split('test'),
  };
}
