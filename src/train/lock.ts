// Node only: a claim on one experiment point, so two processes (or a requeued job) never train the
// same point. The lock file is created exclusively ('wx') and holds pid, host and start time; a lock
// of a process on this host that is no longer alive is stale and taken over, by one claimant only
// (an exclusive takeover file, then a re-check).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostName, processAlive } from './files.ts';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the point was claimed. */
  started: string;
}

/** The outcome of a claim: held by us (release it when done), or by someone else. */
export type Claim =
  | { held: true; release(): void; staleRemoved?: LockOwner }
  | { held: false; owner: LockOwner | undefined };

/** Test seams of `claim`: who claims, and a hook at each step of a takeover. */
export interface ClaimOptions {
  /** The claimant (default: this process, now). */
  owner?: LockOwner;
  /**
   * Called after a stale lock was read (`stale`) and after its takeover file is held (`holding`):
   * tests run a second claim there to interleave two takeovers deterministically.
   */
  onTakeover?(stage: 'stale' | 'holding'): void;
}

/** Nested takeovers (a takeover file itself left by a dead process) go at most this deep. */
const MAX_DEPTH = 3;

function readRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(raw: string | undefined): LockOwner | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.started === 'string')
      return { pid: v.pid, host: v.host, started: v.started };
  } catch {
    // Unreadable or half-written: the owner is unknown.
  }
  return undefined;
}

function readOwner(path: string): LockOwner | undefined {
  return parseOwner(readRaw(path));
}

/** Whether a lock's owner is a dead process on this host (other hosts cannot be checked). */
export function isStale(owner: LockOwner | undefined): boolean {
  return owner !== undefined && owner.host === hostName() && !processAlive(owner.pid);
}

/** The takeover file of one stale lock: named by the lock's exact contents, so only claimants that read the same stale lock contend for it. */
export function takeoverPath(path: string, raw: string): string {
  return `${path}.takeover-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
}

/** Creates `path` exclusively with `me` in it; false when it exists. */
function create(path: string, me: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Tries to claim `path`: creates it exclusively. A stale lock (its process on this host is dead) is
 * taken over under a takeover file created exclusively for that lock's exact contents, then
 * re-checked: of claimants that find the same stale lock, exactly one replaces it. A takeover file
 * left by a dead process is itself taken over the same way.
 */
export function claim(path: string, options: ClaimOptions = {}): Claim {
  return claimAt(path, options, 0);
}

function claimAt(path: string, options: ClaimOptions, depth: number): Claim {
  const me = options.owner ?? { pid: process.pid, host: hostName(), started: new Date().toISOString() };
  const release = () => {
    const owner = readOwner(path);
    if (owner?.pid === me.pid && owner.host === me.host && owner.started === me.started)
      rmSync(path, { force: true });
  };
  if (create(path, me)) return { held: true, release };
  const raw = readRaw(path);
  const owner = parseOwner(raw);
  if (raw === undefined)
    return create(path, me) ? { held: true, release } : { held: false, owner: readOwner(path) };
  if (!isStale(owner) || depth >= MAX_DEPTH) return { held: false, owner };
  options.onTakeover?.('stale');
  const takeover = claimAt(takeoverPath(path, raw), { owner: me }, depth + 1);
  // Another claimant is taking it over: it is the owner now.
  if (!takeover.held) return { held: false, owner: takeover.owner };
  try {
    options.onTakeover?.('holding');
    // Re-check under the takeover file: another claimant may have replaced the stale lock already.
    if (readRaw(path) !== raw) return { held: false, owner: readOwner(path) };
    rmSync(path, { force: true });
    // A claimant that found no lock at all may have created one since: it holds the point.
    if (!create(path, me)) return { held: false, owner: readOwner(path) };
    return { held: true, release, staleRemoved: owner! };
  } finally {
    takeover.release();
  }
}

/** `pid 123 on host-a since 2026-…`, or `an unknown process` for an unreadable lock. */
export function describeOwner(owner: LockOwner | undefined): string {
  return owner
    ? `pid ${owner.pid} on ${owner.host} since ${owner.started}`
    : 'an unknown process (unreadable lock)';
}
