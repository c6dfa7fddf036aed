// Training on a treebank's own files, end to end through the command line (`node bin/treegrad.js`):
// an SST-format sample trained with the root loss and with a loss at every labelled node,
// pretrained vectors copied into E and kept by --freeze-embeddings, and a checkpoint that resumes
// from the files it names and refuses them once they change.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UNK } from '../../src/data/vocab.ts';
import { initParams } from '../../src/params/params.ts';
import { SST } from '../unit/treebank-sample.ts';

const dir = mkdtempSync(join(tmpdir(), 'treegrad-treebank-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the sample into its own folder `name`; returns the flags that name its files. */
function sample(name: string): string[] {
  const flags: string[] = [];
  mkdirSync(join(dir, name));
  for (const role of ['train', 'dev', 'test'] as const) {
    const path = join(dir, name, `${role}.txt`);
    writeFileSync(path, `${SST[role].join('\n')}\n`);
    flags.push(`--${role}`, path);
  }
  return flags;
}
const files = sample('sst');

/** Runs `treegrad ARGS` in a child process; returns its exit code and output. */
function treegrad(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/treegrad.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const small = ['--dim', '4', '--epochs', '3', '--lr', '0.1', '--seed', '3'];

interface Saved {
  vocab: string[];
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

describe('treegrad train on an SST-format treebank', () => {
  for (const loss of ['root', 'all'] as const) {
    test(`--loss ${loss}: trains from the files, reports unknown words and test accuracy`, () => {
      const out = join(dir, `${loss}.json`);
      const r = treegrad('train', '--cell', 'rlstm', ...files, ...small, '--loss', loss, '--out', out);
      expect(r.stderr).toMatch(/labels \(5 classes, the training file's integers\): 0 1 2 3 4/);
      expect(r.stderr).toMatch(/dev: 2 of 5 tokens \(40\.0%\), 2 of 5 types → <unk>/);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^rlstm train\.txt: best epoch \d of 3, test accuracy \d+\.\d%/m);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.settings.loss).toBe(loss);
      expect(result.settings.data).toMatchObject({ kind: 'treebank', classes: 5, train: 6, dev: 2, test: 2 });
      expect(result.treebank.unknown.test).toEqual({
        tokens: 6,
        unknownTokens: 1,
        types: 6,
        unknownTypes: 1,
      });
      expect(result.history.trainLoss).toHaveLength(3);
      expect(result.history.trainLoss.every(Number.isFinite)).toBe(true);
      if (loss === 'all') {
        // The all-node accuracy is the engine's to report; with it, train prints both.
        expect(typeof result.testNodeAccuracy).toBe('number');
        expect(r.stdout).toMatch(/at the roots, \d+\.\d% at all labelled nodes/);
      }
    });
  }

  test('--vectors fills E rows; --freeze-embeddings keeps E as it started', () => {
    const vectors = join(dir, 'vectors.txt');
    writeFileSync(vectors, 'good 0.5 -0.25 1 2\nit 1 2 3 4\nawful -1 -2 -3 -4\nunseen 9 9 9 9\n');
    const run = (name: string, ...extra: string[]) => {
      const saved = join(dir, `${name}.params.json`);
      const r = treegrad(
        'train',
        '--cell',
        'rnn',
        ...files,
        ...small,
        '--vectors',
        vectors,
        '--save-params',
        saved,
        ...extra,
      );
      expect(r.code, r.stderr).toBe(0);
      return { r, saved: JSON.parse(readFileSync(saved, 'utf8')) as Saved };
    };
    const frozen = run('frozen', '--freeze-embeddings');
    expect(frozen.r.stderr).toMatch(
      /vectors .*vectors\.txt: 3 of 13 vocabulary words found \(23\.1%; 2 as written, 1 lowercased\)/,
    );
    const { vocab, tensors } = frozen.saved;
    expect(vocab[0]).toBe(UNK);
    const want = initParams('rnn', 4, vocab, 5, 3).tensors.E!;
    const rows: Record<string, number[]> = {
      good: [0.5, -0.25, 1, 2],
      It: [1, 2, 3, 4],
      awful: [-1, -2, -3, -4],
    };
    for (const [w, v] of Object.entries(rows)) want.set(v, vocab.indexOf(w) * 4);
    expect(tensors.E!.data).toEqual(Array.from(Float32Array.from(want)));
    // Trained, E moves away from where it started; the rest of the model trains either way.
    const trained = run('trained');
    expect(trained.saved.tensors.E!.data).not.toEqual(tensors.E!.data);
    expect(trained.saved.tensors.W_L!.data).not.toEqual(
      Array.from(Float32Array.from(initParams('rnn', 4, vocab, 5, 3).tensors.W_L!)),
    );
  });

  test('a checkpoint resumes from the files it names, and refuses them once they change', () => {
    const ckpt = join(dir, 'run.ckpt');
    const files = sample('resumed');
    const first = treegrad(
      'train',
      '--cell',
      'rnn',
      ...files,
      ...small,
      '--epochs',
      '1',
      '--min-count',
      '2',
      '--checkpoint',
      ckpt,
    );
    expect(first.code, first.stderr).toBe(0);
    const resumed = treegrad('train', '--resume', ckpt, '--epochs', '2');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /vocabulary: 5 words from the training file, <unk> included \(--min-count 2\)/,
    );
    expect(treegrad('train', '--resume', ckpt, '--epochs', '3', '--loss', 'all').stderr).toMatch(
      /flags given with --resume disagree with the checkpoint \(loss: "root" in .*run\.ckpt, "all" now\)/,
    );
    appendFileSync(files[3]!, '(2 (2 A) (2 film))\n');
    const changed = treegrad('train', '--resume', ckpt, '--epochs', '3');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/the data is not what .*run\.ckpt was trained on \(data\.files\.dev: /);
  });

  test('experiment --train/--dev/--test: every cell on the treebank, result files valid, reruns kept', () => {
    const out = join(dir, 'exp');
    const args = [
      'experiment',
      ...files,
      '--cells',
      'rnn,treelstm',
      '--dim',
      '4',
      '--epochs',
      '2',
      '--loss',
      'all',
      '--out',
      out,
    ];
    const r = treegrad(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/vocabulary: 13 words from the training file/);
    for (const cell of ['rnn', 'treelstm']) {
      const result = JSON.parse(readFileSync(join(out, 'results', `0-${cell}-1.json`), 'utf8'));
      expect(result).toMatchObject({ dataset: 0, cell, trainSize: 6, devSize: 2, testSize: 2 });
      expect(result.settings).toMatchObject({
        loss: 'all',
        data: { kind: 'treebank', labels: ['0', '1', '2', '3', '4'] },
      });
    }
    expect(treegrad(...args).stderr).toMatch(/0-treelstm-1: done earlier/);
    const other = treegrad(...args.filter((a) => a !== 'all' && a !== '--loss'), '--min-count', '2');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/loss: "all" in the file, "root" now; data\.minCount: 1 in the file, 2 now/);
  });
});
