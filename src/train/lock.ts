// Node only: a claim on one experiment point, so two processes (or a requeued job) never train the
// same point. The lock file is created exclusively ('wx') and holds pid, host and start time; a lock
// of a process on this host that is no longer alive is stale and taken over.
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

function readOwner(path: string): LockOwner | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.started === 'string')
      return { pid: v.pid, host: v.host, started: v.started };
  } catch {
    // Unreadable or half-written: the owner is unknown.
  }
  return undefined;
}

/** Whether a lock's owner is a dead process on this host (other hosts cannot be checked). */
export function isStale(owner: LockOwner | undefined): boolean {
  return owner !== undefined && owner.host === hostName() && !processAlive(owner.pid);
}

/** Tries to claim `path`: creates it exclusively; takes over a stale lock once. */
export function claim(path: string): Claim {
  let staleRemoved: LockOwner | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const me: LockOwner = { pid: process.pid, host: hostName(), started: new Date().toISOString() };
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(path);
      if (attempt === 0 && isStale(owner)) {
        rmSync(path, { force: true });
        staleRemoved = owner;
        continue;
      }
      return { held: false, owner };
    }
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
    const release = () => {
      const owner = readOwner(path);
      if (owner?.pid === me.pid && owner.host === me.host) rmSync(path, { force: true });
    };
    return staleRemoved ? { held: true, release, staleRemoved } : { held: true, release };
  }
  return { held: false, owner: readOwner(path) };
}

/** `pid 123 on host-a since 2026-…`, or `an unknown process` for an unreadable lock. */
export function describeOwner(owner: LockOwner | undefined): string {
  return owner
    ? `pid ${owner.pid} on ${owner.host} since ${owner.started}`
    : 'an unknown process (unreadable lock)';
}
