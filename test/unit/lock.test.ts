// The stale-lock race: two claimants that find the same stale lock must not both take it over.
// Two takeovers are interleaved deterministically (a second claim runs inside the first one's
// takeover, at each step), and every interleaving leaves exactly one holder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Claim, claim, type LockOwner, takeoverPath } from '../../src/train/lock.ts';

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
/** Two claimants on this host, both alive (this process), told apart by their start times. */
const A: LockOwner = { pid: process.pid, host: hostname(), started: 'A' };
const B: LockOwner = { pid: process.pid, host: hostname(), started: 'B' };

function staleLock(): { dir: string; path: string; stale: string } {
  const dir = mkdtempSync(join(tmpdir(), 'treegrad-lock-'));
  const path = join(dir, 'p.lock');
  const stale = `${JSON.stringify({ pid: deadPid(), host: hostname(), started: 'dead' })}\n`;
  writeFileSync(path, stale);
  return { dir, path, stale };
}

describe('a stale lock is taken over by one claimant only', () => {
  for (const stage of ['stale', 'holding'] as const) {
    it(`a second takeover run while the first is at "${stage}" leaves exactly one holder`, () => {
      const { dir, path } = staleLock();
      let second: Claim | undefined;
      const first = claim(path, {
        owner: A,
        onTakeover(at) {
          if (at === stage && second === undefined) second = claim(path, { owner: B });
        },
      });
      expect(second).toBeDefined();
      const held = [first, second!].filter((c) => c.held);
      expect(held).toHaveLength(1);
      const winner = first.held ? A : B;
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(winner);
      const loser = first.held ? second! : first;
      if (!loser.held) expect(loser.owner).toEqual(winner);
      // The takeover file is gone; the lock goes with its holder's release.
      expect(readdirSync(dir)).toEqual(['p.lock']);
      for (const c of held) if (c.held) c.release();
      expect(existsSync(path)).toBe(false);
    });
  }

  it('a takeover file left by a dead claimant is itself taken over', () => {
    const { path, stale } = staleLock();
    const dead = { pid: deadPid(), host: hostname(), started: 'x' };
    writeFileSync(takeoverPath(path, stale), JSON.stringify(dead));
    const c = claim(path, { owner: A });
    expect(c.held).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(A);
  });

  it('a takeover file of a live claimant keeps others out', () => {
    const { path, stale } = staleLock();
    writeFileSync(takeoverPath(path, stale), JSON.stringify(B));
    expect(claim(path, { owner: A }).held).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(stale);
  });
});
