// The study on a real Slurm cluster: a single-node cluster (slurmctld, slurmd, munged) started in a
// temporary folder by scripts/slurm-cluster.sh, the grid submitted with
// deploy/slurm/experiment.sbatch as an array of 4 shard tasks plus a dependent report job. Needs
// Debian's slurm-wlm and munge and root; under CI=true their absence fails, elsewhere the test is
// skipped (never counted as a pass).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCheckpoint } from '../../src/train/checkpoint.ts';

const repo = resolve(import.meta.dirname, '../..');
const cluster = join(repo, 'scripts', 'slurm-cluster.sh');
const recipe = join(repo, 'deploy', 'slurm', 'experiment.sbatch');
const root = mkdtempSync(join(tmpdir(), 'treegrad-slurm-'));
const conf = join(root, 'cluster', 'slurm.conf');

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}
const missing = ['slurmctld', 'slurmd', 'munged', 'sbatch'].filter((t) => !have(t));
const isRoot = process.getuid?.() === 0;
const available = missing.length === 0 && isRoot;
const why =
  missing.length > 0
    ? `not installed: ${missing.join(', ')} (apt-get install slurm-wlm munge)`
    : 'needs root';
if (!available) {
  console.warn(`Slurm test not run: ${why}`);
  if (process.env.CI) throw new Error(`the Slurm test must run under CI: ${why}`);
}

const env = { ...process.env, SLURM_CONF: conf };
const sh = (cmd: string, args: string[], extra: Record<string, string> = {}) =>
  execFileSync(cmd, args, {
    env: { ...env, ...extra },
    encoding: 'utf8',
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Jobs still known to the controller (pending, running or completing). */
function queued(): string[] {
  return sh('squeue', ['-h', '-o', '%i %T']).trim().split('\n').filter(Boolean);
}

async function waitFor(what: string, done: () => boolean, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!done()) {
    if (Date.now() > end)
      throw new Error(`timed out after ${seconds} s waiting for ${what}; queue: ${queued().join('; ')}`);
    await sleep(250);
  }
}

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

/** Runs the same grid in one process, for the bytes to compare with. */
function oneProcess(out: string, argv: string[]): void {
  sh(process.execPath, ['bin/treegrad.js', 'experiment', ...argv, '--out', out]);
}

const grid = ['--datasets', '1-2', '--cells', 'rnn,rlstm', '--seeds', '1', '--epochs', '2'];
const sizes = ['--train-size', '40', '--dev-size', '10', '--test-size', '10', '--dim', '4'];

describe.skipIf(!available)('Slurm', () => {
  beforeAll(() => {
    sh('bash', [cluster, 'start', join(root, 'cluster')]);
  }, 60_000);
  afterAll(() => {
    if (existsSync(conf)) {
      spawnSync('scancel', ['--user', 'root'], { env });
      spawnSync('bash', [cluster, 'stop', join(root, 'cluster')], { env });
    }
    rmSync(root, { recursive: true, force: true });
  });

  test('an array of 4 shards and a dependent report job give the bytes of one process', async () => {
    const out = join(root, 'study');
    const said = sh('bash', [recipe, ...grid, ...sizes], { SHARDS: '4', OUT: out, TREEGRAD_DIR: repo });
    const ids = /submitted array job (\d+) \(4 shards\) and report job (\d+)/.exec(said);
    expect(ids, said).not.toBeNull();
    await waitFor('the array and the report job', () => queued().length === 0, 240);
    const reportLog = readdirSync(join(out, 'slurm')).find((f) => f.startsWith('report-'));
    expect(reportLog).toBeDefined();
    expect(readFileSync(join(out, 'slurm', reportLog!), 'utf8')).toMatch(/Report: .*report\.html/);
    expect(existsSync(join(out, 'summary.md'))).toBe(true);
    const shardLogs = readdirSync(join(out, 'slurm')).filter((f) => f.startsWith('shard-'));
    expect(shardLogs).toHaveLength(4);
    const whole = join(root, 'whole');
    oneProcess(whole, [...grid, ...sizes]);
    expect(results(out)).toEqual(results(whole));
    expect(Object.keys(results(out))).toHaveLength(4);
  }, 300_000);

  test('a shard cancelled mid-point and submitted again resumes and ends with the same bytes', async () => {
    // One long point per shard: 2 shards, 12 epochs of 400 steps, so a checkpoint exists seconds
    // before the end (at d = 8 a step takes ~2 ms on lavapipe: 300 sentences once finished between
    // the first checkpoint and the cancel).
    const long = ['--datasets', '2', '--cells', 'rnn', '--seeds', '1,2', '--epochs', '12'];
    const longSizes = ['--train-size', '2000', '--dev-size', '20', '--test-size', '20', '--dim', '8'];
    const out = join(root, 'cancelled');
    const extra = { SHARDS: '2', OUT: out, TREEGRAD_DIR: repo };
    const said = sh('bash', [recipe, ...long, ...longSizes], extra);
    const [, array] = /submitted array job (\d+)/.exec(said)!;
    const checkpoints = join(out, 'checkpoints');
    const firstEpochSaved = () =>
      existsSync(checkpoints) &&
      readdirSync(checkpoints).some((f) => f.startsWith('2-rnn-1.ckpt.json') && !f.includes('.tmp-'));
    const plan = sh(process.execPath, [
      'bin/treegrad.js',
      'experiment',
      ...long,
      ...longSizes,
      '--out',
      out,
      '--shards',
      '2',
      '--plan',
    ]);
    const index = /shard (\d)\/2: [^\n]*\n(?: {2}[^\n]*\n)*? {2}2-rnn-1 /.exec(`${plan}\n`)?.[1];
    expect(index, plan).toBeDefined();
    const task = `${array}_${Number(index) - 1}`;
    await waitFor('the first checkpoint of point 2-rnn-1', firstEpochSaved, 180);
    const saved = loadCheckpoint(join(out, 'checkpoints', '2-rnn-1.ckpt.json'));
    expect(saved.state.epoch).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(out, 'results', '2-rnn-1.json'))).toBe(false);
    // Cancel the task that trains 2-rnn-1 (whichever index it is, found before it starts), mid-point.
    sh('scancel', [task]);
    await waitFor(`task ${task} to end`, () => !queued().some((l) => l.startsWith(`${task} `)), 60);
    await waitFor('the rest of the array and the report', () => queued().length === 0, 240);
    expect(existsSync(join(out, 'results', '2-rnn-1.json'))).toBe(false);
    expect(existsSync(join(out, 'locks', '2-rnn-1.lock'))).toBe(true);
    console.log(`cancelled ${task} after the checkpoint of epoch ${saved.state.epoch}`);
    // Submitted again by hand, as the recipe's header shows: it takes over the stale lock and resumes.
    const again = sh(
      'sbatch',
      [
        '--parsable',
        '--export=ALL',
        `--array=${Number(index) - 1}`,
        '--output',
        join(out, 'slurm', 'again-%A_%a.out'),
        recipe,
        ...long,
        ...longSizes,
      ],
      extra,
    ).trim();
    await waitFor(`the resubmitted job ${again}`, () => queued().length === 0, 240);
    const log = readFileSync(
      join(out, 'slurm', readdirSync(join(out, 'slurm')).find((f) => f.startsWith('again-'))!),
      'utf8',
    );
    expect(log).toMatch(/took over a stale lock/);
    expect(sh(process.execPath, ['bin/treegrad.js', 'report', '--out', out])).toMatch(/Report:/);
    const whole = join(root, 'long-whole');
    oneProcess(whole, [...long, ...longSizes]);
    expect(results(out)).toEqual(results(whole));
    // Nothing of ours is left running: no job, no treegrad process started by the cluster.
    expect(queued()).toEqual([]);
    const ours = spawnSync('pgrep', ['-f', `--out ${out}`])
      .stdout.toString()
      .trim();
    expect(ours).toBe('');
  }, 600_000);
});
