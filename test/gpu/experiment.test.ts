// The experiment grid on the GPU, through the command line in-process: shards that together give
// the bytes of one process, a diverging point recorded as failed and retried, and the report's
// account of missing, running and failed points.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = mkdtempSync(join(tmpdir(), 'treegrad-grid-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let said: string[];
beforeEach(() => {
  said = [];
  const keep = (...args: unknown[]) => void said.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(keep);
  vi.spyOn(console, 'error').mockImplementation(keep);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const grid = ['--datasets', '1-2', '--cells', 'rnn,rlstm', '--seeds', '1', '--epochs', '1'];
const sizes = ['--train-size', '30', '--dev-size', '10', '--test-size', '10', '--dim', '4'];

/** A folder's result files with their wall times left out: the bytes that must agree. */
function results(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of readdirSync(join(dir, 'results')).sort()) {
    const r = JSON.parse(readFileSync(join(dir, 'results', name), 'utf8')) as Record<string, unknown>;
    delete r.seconds;
    out[name] = r;
  }
  return out;
}

describe('experiment grid', () => {
  test('three shards and a report give the results of one process; --plan lists every point once', async () => {
    const whole = join(root, 'whole');
    const sharded = join(root, 'sharded');
    expect(await main(['experiment', ...grid, ...sizes, '--out', whole])).toBe(0);
    expect(await main(['experiment', ...grid, ...sizes, '--out', sharded, '--shards', '3', '--plan'])).toBe(
      0,
    );
    const plan = said.join('\n');
    for (const p of ['1-rnn-1', '1-rlstm-1', '2-rnn-1', '2-rlstm-1'])
      expect(plan.match(new RegExp(`^ +${p} `, 'gm'))).toHaveLength(1);
    expect(plan).toMatch(/^shard 3\/3: /m);
    for (const k of [1, 2, 3]) {
      expect(await main(['experiment', ...grid, ...sizes, '--out', sharded, '--shard', `${k}/3`])).toBe(0);
      if (k < 3) {
        // Before the last shard, the report says what is missing and exits 1.
        expect(await main(['report', '--out', sharded])).toBe(1);
        expect(said.join('\n')).toMatch(/^Missing: /m);
      }
    }
    expect(await main(['report', '--out', sharded])).toBe(0);
    expect(results(sharded)).toEqual(results(whole));
  });

  test('a diverging point is recorded as failed, the others finish, the report says so, a rerun retries', async () => {
    const dir = join(root, 'diverge');
    // An lr of 1e38 makes the point diverge at its first steps.
    const argv = [
      'experiment',
      '--datasets',
      '1',
      '--cells',
      'rnn',
      '--seeds',
      '1',
      '--epochs',
      '1',
      ...sizes,
    ];
    expect(await main([...argv, '--lr', '1e38', '--out', dir])).toBe(1);
    expect(readdirSync(join(dir, 'failed'))).toEqual(['1-rnn-1.json']);
    const record = JSON.parse(readFileSync(join(dir, 'failed', '1-rnn-1.json'), 'utf8'));
    expect(record).toMatchObject({ point: { dataset: 1, cell: 'rnn', seed: 1 }, epoch: 1 });
    expect(record.error).toMatch(/diverged at epoch 1, step \d+/);
    expect(readdirSync(join(dir, 'results'))).toEqual([]);
    said.length = 0;
    expect(await main([...argv, '--lr', '1e38', '--out', dir])).toBe(1);
    expect(said.join('\n')).toMatch(/failed earlier, retrying/);
    // A point that trains fine in another folder, with the failure record copied in: the report
    // covers the finished point and lists the failed one.
    const other = [
      'experiment',
      '--datasets',
      '1',
      '--cells',
      'rnn',
      '--seeds',
      '2',
      '--epochs',
      '1',
      ...sizes,
    ];
    const good = join(root, 'good');
    expect(await main([...other, '--out', good])).toBe(0);
    for (const name of readdirSync(join(dir, 'failed'))) {
      writeFileSync(join(good, 'failed', name), readFileSync(join(dir, 'failed', name)));
    }
    writeFileSync(
      join(good, 'grid.json'),
      JSON.stringify({
        format: 'treegrad-grid-1',
        points: [
          { dataset: 1, cell: 'rnn', seed: 1 },
          { dataset: 1, cell: 'rnn', seed: 2 },
        ],
      }),
    );
    said.length = 0;
    expect(await main(['report', '--out', good])).toBe(1);
    const summary = readFileSync(join(good, 'summary.md'), 'utf8');
    expect(summary).toMatch(/Grid:\*\* 2 points, 1 done, 1 failed/);
    expect(summary).toMatch(/Failed:\*\* 1-rnn-1: training diverged/);
  });

  test('the report names a point held by a live process as running', async () => {
    const dir = join(root, 'whole');
    rmSync(join(dir, 'results', '2-rlstm-1.json'));
    writeFileSync(
      join(dir, 'locks', '2-rlstm-1.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }),
    );
    expect(await main(['report', '--out', dir])).toBe(1);
    expect(said.join('\n')).toMatch(/^Running: 2-rlstm-1 \(pid \d+/m);
  });
});
