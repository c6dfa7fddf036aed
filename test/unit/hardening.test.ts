// Hostile and careless inputs: recorded settings and their compare, verified checkpoints and result
// files, outputs checked before the work, located data-folder errors, and sizes refused by name
// before anything is allocated. Everything here fails before a GPU is asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateKeywordData, writeKeywordData } from '../../src/data/index.ts';
import { paramLayout } from '../../src/engine/param-layout.ts';
import { checkModel, deviceLimits, LimitError } from '../../src/engine/limits.ts';
import { readResults } from '../../src/report/aggregate.ts';
import { type ExperimentResult, validateResult } from '../../src/report/schema.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.ts';
import { readDataDir } from '../../src/train/data-dir.ts';
import { PRESETS, pointSettings } from '../../src/train/experiment.ts';
import { sha256 } from '../../src/train/files.ts';
import { claim } from '../../src/train/lock.ts';
import type { TrainState } from '../../src/train/loop.ts';
import { type RunSettings, settingsDiff } from '../../src/train/settings.ts';
import { formatTree, parseTree } from '../../src/trees/parse.ts';

let dir: string;
let errors: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'treegrad-hard-'));
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.join(' '));
  });
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in-process: the exit code and what it printed on stderr. */
async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  errors = [];
  const code = await main(argv);
  return { code, err: errors.join('\n') };
}

/** A pid that is certainly not alive: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

const e = { ...PRESETS.quick, epochs: 2, trainSize: 10, devSize: 5, testSize: 5, dim: 2, lr: 0.01 };
const settings: RunSettings = pointSettings(e, { dataset: 1, cell: 'rnn', seed: 1 }, 'test adapter');

function state(over: Partial<TrainState> = {}): TrainState {
  const size = paramLayout('rnn', 2, settings.data.vocab, settings.data.classes).size;
  return {
    epoch: 1,
    rngState: [1, 2, 3, 4],
    theta: new Float32Array(size).fill(0.5),
    accum: new Float32Array(size),
    best: { epoch: 1, devAccuracy: 0.4, theta: new Float32Array(size) },
    history: {
      trainLoss: [1.5],
      devAccuracy: [0.4],
      log10RatioByDepth: [
        { epoch: 0, byDepth: {} },
        { epoch: 1, byDepth: {} },
      ],
    },
    ...over,
  };
}

/** Rewrites a checkpoint's payload with `edit` and a matching checksum (a well-formed but wrong file). */
/** A checkpoint's payload as plain JSON. */
type Payload = { settings: Record<string, unknown>; state: Record<string, unknown> };

function rewrite(path: string, edit: (payload: Payload) => void): void {
  const text = readFileSync(path, 'utf8');
  const payload = JSON.parse(text).payload;
  edit(payload);
  const p = JSON.stringify(payload);
  writeFileSync(path, `{"format":"treegrad-checkpoint-2","sha256":"${sha256(p)}","payload":${p}}\n`);
}

function result(over: Partial<ExperimentResult> = {}, s: RunSettings = settings): ExperimentResult {
  return {
    dataset: 1,
    cell: 'rnn',
    seed: 1,
    dim: 2,
    classes: 5,
    epochs: 2,
    bestEpoch: 1,
    testAccuracy: 0.5,
    accuracyByDepth: { '1': { n: 5, accuracy: 0.5 } },
    log10RatioByDepth: [{ epoch: 0, byDepth: { '1': { n: 5, mean: -1 } } }],
    trainLoss: [1, 0.9],
    devAccuracy: [0.4, 0.5],
    trainSize: 10,
    devSize: 5,
    testSize: 5,
    seconds: 1,
    settings: s,
    ...over,
  };
}

describe('2. settings are recorded and compared', () => {
  it('settingsDiff names each differing setting, nested ones by path', () => {
    const other = { ...settings, lr: 0.5, batch: 7, data: { ...settings.data, train: 99 } };
    const diff = settingsDiff(settings, other, 'ck.json');
    expect(diff).toEqual([
      'lr: 0.01 in ck.json, 0.5 now',
      'batch: 5 in ck.json, 7 now',
      'data.train: 10 in ck.json, 99 now',
    ]);
    expect(settingsDiff(settings, { ...settings, adapter: 'x' }, 'f', ['adapter', 'version'])).toEqual([]);
  });

  it('train --resume refuses --lr, --dim, --seed and data sizes that disagree with the checkpoint', async () => {
    const ck = join(dir, 'run.ckpt');
    saveCheckpoint(ck, { settings, state: state() });
    for (const [flag, value, name] of [
      ['--lr', '0.5', 'lr'],
      ['--dim', '8', 'dim'],
      ['--seed', '3', 'seed'],
      ['--batch', '9', 'batch'],
    ] as const) {
      const r = await cli('train', '--resume', ck, flag, value);
      expect(r.code, flag).toBe(2);
      expect(r.err).toMatch(new RegExp(`${name}: .* in ${ck}, .* now`));
    }
    const sizes = await cli('train', '--resume', ck, '--dataset', '1', '--train-size', '50');
    expect(sizes.code).toBe(2);
    expect(sizes.err).toMatch(/data\.train: 10 in .*, 50 now/);
    const other = await cli('train', '--resume', ck, '--dataset', '2');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/data\.dataset: 1 in .*, 2 now/);
  });

  it('experiment refuses to rerun into an --out whose results have other settings, naming them', async () => {
    mkdirSync(join(dir, 'results'), { recursive: true });
    writeFileSync(join(dir, 'results', '1-rnn-1.json'), JSON.stringify(result()));
    const base = ['experiment', '--out', dir, '--datasets', '1', '--cells', 'rnn', '--seeds', '1'];
    const sizes = [
      '--lr',
      '0.01',
      '--train-size',
      '10',
      '--dev-size',
      '5',
      '--test-size',
      '5',
      '--dim',
      '2',
      '--epochs',
      '2',
    ];
    const lr = await cli(...base, ...sizes.slice(2), '--lr', '0.5');
    expect(lr.code).toBe(2);
    expect(lr.err).toMatch(/1-rnn-1\.json: lr: 0.01 in the file, 0.5 now/);
    expect(lr.err).toMatch(/--fresh/);
    const epochs = await cli(...base, ...sizes.slice(0, -1), '3');
    expect(epochs.err).toMatch(/epochs: 2 in the file, 3 now/);
    const batch = await cli(...base, ...sizes, '--batch', '7');
    expect(batch.err).toMatch(/batch: 5 in the file, 7 now/);
    // An old file without settings is not taken as "done earlier" either.
    const { settings: _s, ...old } = result();
    writeFileSync(join(dir, 'results', '1-rnn-1.json'), JSON.stringify(old));
    const r = await cli(...base, ...sizes);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no recorded settings/);
  });

  it('the report refuses result files of different settings in one folder', () => {
    mkdirSync(join(dir, 'results'));
    writeFileSync(join(dir, 'results', '1-rnn-1.json'), JSON.stringify(result()));
    const s2 = { ...pointSettings(e, { dataset: 1, cell: 'rnn', seed: 2 }, 'other'), lr: 0.5 };
    writeFileSync(join(dir, 'results', '1-rnn-2.json'), JSON.stringify(result({ seed: 2 }, s2)));
    expect(() => readResults(dir)).toThrow(/1-rnn-2\.json: lr: 0.01 in .*1-rnn-1\.json, 0.5 here/);
    const same = pointSettings(e, { dataset: 2, cell: 'rlstm', seed: 2 }, 'another machine');
    writeFileSync(
      join(dir, 'results', '1-rnn-2.json'),
      JSON.stringify(result({ seed: 2 }, { ...s2, lr: 0.01 })),
    );
    writeFileSync(
      join(dir, 'results', '2-rlstm-2.json'),
      JSON.stringify(result({ dataset: 2, cell: 'rlstm', seed: 2 }, same)),
    );
    expect(readResults(dir)).toHaveLength(3);
  });

  it('a result file whose settings contradict its fields is invalid', () => {
    expect(() => validateResult(result({ dim: 3 }), 'r.json')).toThrow(/\/settings\/dim/);
  });

  it('a point is claimed by one process only; a stale lock of a dead process is taken over', () => {
    const path = join(dir, 'p.lock');
    const first = claim(path);
    expect(first.held).toBe(true);
    const second = claim(path);
    expect(second.held).toBe(false);
    if (!second.held) expect(second.owner?.pid).toBe(process.pid);
    if (first.held) first.release();
    expect(existsSync(path)).toBe(false);
    const pid = deadPid();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: 'x' }));
    const third = claim(path);
    expect(third.held).toBe(true);
    if (third.held) {
      expect(third.staleRemoved?.pid).toBe(pid);
      third.release();
    }
    writeFileSync(path, JSON.stringify({ pid, host: 'elsewhere', started: 'x' }));
    expect(claim(path).held).toBe(false);
  });
});

describe('3. checkpoints and result files are verified', () => {
  const ck = () => join(dir, 'run.ckpt');
  beforeEach(() => saveCheckpoint(ck(), { settings, state: state() }));

  it('round-trips exactly', () => {
    const c = loadCheckpoint(ck());
    expect(c.settings).toEqual(settings);
    expect(Array.from(c.state.theta)).toEqual(Array.from(state().theta));
  });

  it('one flipped base64 character fails the checksum', () => {
    const text = readFileSync(ck(), 'utf8');
    const at = text.indexOf('"theta":"') + 12;
    writeFileSync(ck(), text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    expect(() => loadCheckpoint(ck())).toThrow(/run\.ckpt: checksum mismatch/);
  });

  it.each([
    [
      'a shortened theta',
      (p: Payload) => (p.state.theta = (p.state.theta as string).slice(0, 16)),
      /state\.theta: holds 3 values, the model has \d+/,
    ],
    [
      'a doubled theta',
      (p: Payload) => (p.state.theta = `${p.state.theta}${p.state.theta}`),
      /state\.theta: (holds|not base64)/,
    ],
    ['invalid base64', (p: Payload) => (p.state.accum = '!!!!'), /state\.accum: not base64/],
    ['epoch −5', (p: Payload) => (p.state.epoch = -5), /state\.epoch: must be an integer ≥ 0, got -5/],
    ['missing history', (p: Payload) => delete p.state.history, /state\.history: missing/],
    ['a negative lr', (p: Payload) => (p.settings.lr = -1), /settings\.lr: must be a positive number/],
  ])('%s is refused naming file, field and reason', (_name, edit, message) => {
    rewrite(ck(), edit);
    expect(() => loadCheckpoint(ck())).toThrow(message);
    expect(() => loadCheckpoint(ck())).toThrow(
      new RegExp(`^${ck().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
    );
  });

  it('a truncated checkpoint is named, and refused by train --resume with exit code 2', async () => {
    const text = readFileSync(ck(), 'utf8');
    writeFileSync(ck(), text.slice(0, text.length / 2));
    const r = await cli('train', '--resume', ck(), '--epochs', '3');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(ck());
  });

  it('a leftover temporary file of a killed save is removed and reported', () => {
    const tmp = `${ck()}.tmp-${deadPid()}`;
    writeFileSync(tmp, 'partial');
    const removed: string[] = [];
    loadCheckpoint(ck(), removed);
    expect(removed).toEqual([tmp]);
    expect(existsSync(tmp)).toBe(false);
  });

  it('experiment and report name a truncated result file by path', async () => {
    mkdirSync(join(dir, 'results'), { recursive: true });
    const file = join(dir, 'results', '1-rnn-1.json');
    writeFileSync(file, JSON.stringify(result()).slice(0, 100));
    const r = await cli('experiment', '--out', dir, '--datasets', '1', '--cells', 'rnn', '--seeds', '1');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:1:101: the JSON ends too early`);
    const rep = await cli('report', '--out', dir);
    expect(rep.code).not.toBe(0);
    expect(rep.err).toContain(file);
  });
});

describe('4. inputs are checked before the work, and located', () => {
  const small = [
    '--dataset',
    '1',
    '--train-size',
    '5',
    '--dev-size',
    '2',
    '--test-size',
    '2',
    '--epochs',
    '1',
  ];

  it('train refuses an --out in a missing folder, and outputs that alias each other, before training', async () => {
    const r = await cli('train', '--cell', 'rnn', ...small, '--out', join(dir, 'nodir', 'r.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*nodir\/r\.json: the folder .*nodir does not exist/);
    const same = join(dir, 'x.json');
    const a = await cli('train', '--cell', 'rnn', ...small, '--checkpoint', same, '--out', same);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--out .*x\.json is also --checkpoint/);
  });

  it('train does not overwrite an existing --checkpoint without --resume or --fresh', async () => {
    const ck = join(dir, 'run.ckpt');
    saveCheckpoint(ck, { settings, state: state() });
    const r = await cli('train', '--cell', 'rnn', ...small, '--checkpoint', ck);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists: continue it with --resume/);
  });

  it('grad refuses an --out that is its --trees input', async () => {
    const trees = join(dir, 't.txt');
    writeFileSync(trees, '(1 a b)\n');
    const r = await cli(
      'grad',
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '2',
      '--seed',
      '1',
      '--out',
      trees,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/would overwrite the input --trees/);
    expect(readFileSync(trees, 'utf8')).toBe('(1 a b)\n');
  });

  function folder(): string {
    const data = generateKeywordData({ dataset: 1, seed: 1, train: 20, dev: 3, test: 3 });
    writeKeywordData(dir, data);
    return dir;
  }
  const edit = (name: string, f: (lines: string[]) => void) => {
    const path = join(dir, name);
    const lines = readFileSync(path, 'utf8').split('\n');
    f(lines);
    writeFileSync(path, lines.join('\n'));
  };

  it('an unknown word and a bad label are named by file:line:column', () => {
    folder();
    edit('train.txt', (l) => {
      l[1] = l[1]!.replace(/w\d+/, 'zzz');
    });
    const col = readFileSync(join(dir, 'train.txt'), 'utf8').split('\n')[1]!.indexOf('zzz') + 1;
    expect(() => readDataDir(dir)).toThrow(
      `${join(dir, 'train.txt')}:2:${col}: unknown word "zzz" (not in vocab.json)`,
    );
    folder();
    edit('train.txt', (l) => {
      l[16] = l[16]!.replace(/^\(\d+/, '(9');
    });
    expect(() => readDataDir(dir)).toThrow(`${join(dir, 'train.txt')}:17:2: label 9 is not a class`);
  });

  it('a corrupt vocab.json is named with line and column', () => {
    folder();
    const path = join(dir, 'vocab.json');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 50));
    expect(() => readDataDir(dir)).toThrow(new RegExp(`${path}:\\d+:\\d+: the JSON ends too early`));
  });

  it('a UTF-8 BOM is accepted; invalid UTF-8 is refused with its location', () => {
    folder();
    const train = join(dir, 'train.txt');
    const text = readFileSync(train);
    writeFileSync(train, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]));
    expect(readDataDir(dir).train).toHaveLength(20);
    const lines = text.toString('utf8').split('\n');
    const bad = Buffer.concat([
      Buffer.from(`${lines[0]}\n${lines[1]!.slice(0, 4)}`),
      Buffer.from([0xff]),
      Buffer.from(`${lines[1]!.slice(4)}\n`),
    ]);
    writeFileSync(train, bad);
    expect(() => readDataDir(dir)).toThrow(`${train}:2:5: invalid UTF-8`);
  });

  it('a word the parser accepts is written and read back (NBSP inside a word)', () => {
    const tree = parseTree('(1 a\u00a0b (0 c d))');
    expect(parseTree(formatTree(tree))).toEqual(tree);
  });
});

describe('5. limits are refused by name, before allocating', () => {
  it('--dim 100000 is a usage error naming the 1 … 512 range', async () => {
    const trees = join(dir, 't.txt');
    writeFileSync(trees, '(1 a b)\n');
    const r = await cli(
      'grad',
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '100000',
      '--seed',
      '1',
      '--out',
      join(dir, 'g.json'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--dim must be an integer in 1 … 512, got "100000"/);
    const t = await cli('train', '--cell', 'rnn', '--dataset', '1', '--dim', '100000');
    expect(t.code).toBe(2);
  });

  it('classes over the workgroup storage limit are refused naming the limit', () => {
    const limits = deviceLimits({ maxComputeWorkgroupStorageSize: 32768 });
    expect(() => checkModel({ cell: 'rnn', dim: 4, vocab: 10, classes: 4097 }, limits)).toThrow(LimitError);
    expect(() => checkModel({ cell: 'rnn', dim: 4, vocab: 10, classes: 4097 }, limits)).toThrow(
      /classes is 4097, over this device's maxComputeWorkgroupStorageSize \/ 8 \(32768 bytes\) \(4096\)/,
    );
    expect(() => checkModel({ cell: 'rnn', dim: 512, vocab: 1_000_000, classes: 5 }, limits)).toThrow(
      /storage buffer limit/,
    );
  });

  it('a million trees for grad is refused by the cap, not a stack overflow', async () => {
    const trees = join(dir, 'many.txt');
    writeFileSync(trees, '(1 a b)\n'.repeat(1_000_000));
    const r = await cli(
      'grad',
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '2',
      '--seed',
      '1',
      '--out',
      join(dir, 'g.json'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/1000000 trees, over the cap of 100000/);
  });

  it('a tree over the node cap is refused at its location', async () => {
    const trees = join(dir, 'big.txt');
    writeFileSync(trees, `(1 c ${'(0 a '.repeat(510_000)}b${')'.repeat(510_000)})\n`);
    const r = await cli(
      'grad',
      '--cell',
      'rnn',
      '--trees',
      trees,
      '--dim',
      '2',
      '--seed',
      '1',
      '--out',
      join(dir, 'g.json'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/big\.txt:1:\d+: the tree has more than 1000000 nodes/);
  });

  it('huge ranges, row counts and vocabularies are usage errors, and data writes nothing', async () => {
    const d = await cli('experiment', '--datasets', '1-1000000000', '--out', dir);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--datasets: "1-1000000000" goes past 10/);
    const s = await cli('experiment', '--seeds', '1-1000000000', '--out', dir);
    expect(s.err).toMatch(/more than 10000 values/);
    const rows = await cli('selfcheck', '--rows', '1000000000');
    expect(rows.code).toBe(2);
    expect(rows.err).toMatch(/--rows must be an integer in 1 … 16777216/);
    const out = join(dir, 'data');
    const w = await cli('data', '--dataset', '1', '--seed', '1', '--words', '100000000', '--out', out);
    expect(w.code).toBe(2);
    expect(w.err).toMatch(/--words must be an integer in 1 … 1000000/);
    expect(existsSync(out)).toBe(false);
  });

  it('usage and input errors are one line without a stack trace', async () => {
    const r = await cli('train', '--cell', 'gru', '--dataset', '1');
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
