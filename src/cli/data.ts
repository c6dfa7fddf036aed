// `treegrad data`: generate one keyword-task dataset and print its statistics.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CAPS } from '../engine/limits.ts';
import {
  KEYWORD_DEFAULTS,
  SPLITS,
  formatStats,
  generateKeywordData,
  splitStats,
  writeKeywordData,
} from '../data/index.ts';
import { type Command, UsageError } from './command.ts';

const usage = `Usage: treegrad data --dataset I --seed S --out DIR
                     [--words N] [--keywords K] [--classes C] [--train N] [--dev N] [--test N]

Generates dataset I (1 … 10) of the keyword task (docs/model.md): sentences of length
10I−9 … 10I, one keyword at a uniform position, a random binary tree over the words, label =
the keyword's class. Writes DIR/train.txt, dev.txt, test.txt (one tree per line, root label =
class) and DIR/vocab.json, and prints per-split statistics. The same seed gives the same data.

  --words N     non-keywords w0 … w(N−1)       (default ${KEYWORD_DEFAULTS.nonKeywords})
  --keywords K  keywords k0 … k(K−1)           (default ${KEYWORD_DEFAULTS.keywords})
  --classes C   classes; kj has class j mod C  (default ${KEYWORD_DEFAULTS.classes})
  --train/--dev/--test N  split sizes          (default ${KEYWORD_DEFAULTS.train} / ${KEYWORD_DEFAULTS.dev} / ${KEYWORD_DEFAULTS.test})`;

/** Parses an integer flag in [min, max]; a missing required flag or a bad value is a UsageError. */
export function intFlag(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in ${min} … ${max}`;
    throw new UsageError(`--${name} must be ${range}, got "${value}"`);
  }
  return n;
}

/**
 * Writes a folder's files into a temporary folder beside `dir`, then moves them in (the whole folder
 * when `dir` is new, else file by file): a failure leaves no half-written output.
 */
export function writeFolderAtomically(dir: string, write: (tmp: string) => void): void {
  const tmp = join(dirname(resolve(dir)), `.${basename(resolve(dir))}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    write(tmp);
    if (!existsSync(dir)) renameSync(tmp, dir);
    else for (const name of readdirSync(tmp)) renameSync(join(tmp, name), join(dir, name));
  } catch (error) {
    throw new Error(`cannot write ${dir}: ${(error as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The `data` command: writes one dataset of the keyword task. */
export const dataCommand: Command = {
  name: 'data',
  summary: 'generate a keyword-task dataset (train/dev/test trees and vocab.json)',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        dataset: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        words: { type: 'string', default: String(KEYWORD_DEFAULTS.nonKeywords) },
        keywords: { type: 'string', default: String(KEYWORD_DEFAULTS.keywords) },
        classes: { type: 'string', default: String(KEYWORD_DEFAULTS.classes) },
        train: { type: 'string', default: String(KEYWORD_DEFAULTS.train) },
        dev: { type: 'string', default: String(KEYWORD_DEFAULTS.dev) },
        test: { type: 'string', default: String(KEYWORD_DEFAULTS.test) },
      },
    });
    if (values.out === undefined) throw new UsageError('--out is required');
    const options = {
      dataset: intFlag('dataset', values.dataset, 1, 10),
      seed: intFlag('seed', values.seed, 0, CAPS.seed),
      nonKeywords: intFlag('words', values.words, 1, CAPS.vocab),
      keywords: intFlag('keywords', values.keywords, 1, CAPS.vocab),
      classes: intFlag('classes', values.classes, 1, CAPS.classes),
      train: intFlag('train', values.train, 0, CAPS.trees),
      dev: intFlag('dev', values.dev, 0, CAPS.trees),
      test: intFlag('test', values.test, 0, CAPS.trees),
    };
    if (options.nonKeywords + options.keywords > CAPS.vocab)
      throw new UsageError(
        `--words + --keywords is ${options.nonKeywords + options.keywords}, over the vocabulary cap (${CAPS.vocab})`,
      );
    if (options.train + options.dev + options.test > CAPS.trees)
      throw new UsageError(
        `--train + --dev + --test is ${options.train + options.dev + options.test}, over the cap of ${CAPS.trees} sentences`,
      );
    const out = values.out;
    if (existsSync(out) && !statSync(out).isDirectory())
      throw new UsageError(`--out ${out} is a file, expected a folder`);
    if (!existsSync(dirname(resolve(out))))
      throw new UsageError(`--out ${out}: the folder ${dirname(resolve(out))} does not exist`);
    const data = generateKeywordData(options);
    const { config, vocab } = data;
    writeFolderAtomically(out, (tmp) => writeKeywordData(tmp, data));
    console.log(
      `dataset ${config.dataset}, seed ${config.seed}: ${vocab.words.length} words ` +
        `(${config.nonKeywords} non-keywords, ${config.keywords} keywords), ${config.classes} classes → ${values.out}`,
    );
    for (const split of SPLITS) console.log(formatStats(split, splitStats(data[split], config.classes)));
    return 0;
  },
};
