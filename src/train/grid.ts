// Node only: what an experiment folder holds, point by point. DIR/grid.json lists every point that
// any `experiment` run into DIR asked for (shards included); DIR/results/ the finished ones,
// DIR/failed/ the ones whose training failed (e.g. diverged), DIR/locks/ the ones being trained.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cell } from '../params/shapes.ts';
import { readJson, writeJsonAtomic } from './files.ts';
import { describeOwner, isStale, type LockOwner } from './lock.ts';

/** A point of the grid. */
export interface GridPoint {
  dataset: number;
  cell: Cell;
  seed: number;
}

/** `<dataset>-<cell>-<seed>`: the point's file names. */
export function pointName(p: GridPoint): string {
  return `${p.dataset}-${p.cell}-${p.seed}`;
}

/** Why a point failed, as DIR/failed/<point>.json records it. */
export interface FailureRecord {
  point: GridPoint;
  error: string;
  /** Where training stopped, when known. */
  epoch?: number;
  step?: number;
  host: string;
  at: string;
}

const GRID = 'grid.json';

/** Adds `points` to DIR/grid.json (the union of every run's grid), atomically. */
export function recordGrid(dir: string, points: readonly GridPoint[]): void {
  const known = readGrid(dir) ?? [];
  const names = new Set(known.map(pointName));
  const added = points.filter((p) => !names.has(pointName(p)));
  if (added.length === 0 && existsSync(join(dir, GRID))) return;
  writeJsonAtomic(join(dir, GRID), { format: 'treegrad-grid-1', points: [...known, ...added] });
}

/** The points of DIR/grid.json, or undefined when there is none (results copied in by hand). */
export function readGrid(dir: string): GridPoint[] | undefined {
  const path = join(dir, GRID);
  if (!existsSync(path)) return undefined;
  const v = readJson(path) as { format?: string; points?: GridPoint[] };
  if (v.format !== 'treegrad-grid-1' || !Array.isArray(v.points))
    throw new Error(`${path}: not a treegrad grid file (format treegrad-grid-1 with a points list)`);
  return v.points;
}

/** The state of every point of an experiment folder. */
export interface GridStatus {
  done: string[];
  failed: { name: string; why: string }[];
  running: { name: string; owner: string }[];
  /** In the grid, with no result, no failure and no live lock. */
  missing: string[];
}

function names(folder: string, suffix: string): string[] {
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((f) => f.endsWith(suffix) && !f.includes('.tmp-'))
        .map((f) => f.slice(0, -suffix.length))
        .sort()
    : [];
}

/** Reads the folder's results, failures and locks against its grid. */
export function gridStatus(dir: string): GridStatus {
  const done = names(join(dir, 'results'), '.json');
  const failed = names(join(dir, 'failed'), '.json').map((name) => {
    try {
      const r = JSON.parse(readFileSync(join(dir, 'failed', `${name}.json`), 'utf8')) as FailureRecord;
      return { name, why: r.error };
    } catch {
      return { name, why: '(unreadable failure record)' };
    }
  });
  const running: GridStatus['running'] = [];
  const finished = new Set(done);
  for (const name of names(join(dir, 'locks'), '.lock')) {
    if (finished.has(name)) continue;
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'locks', `${name}.lock`), 'utf8')) as LockOwner;
    } catch {
      owner = undefined;
    }
    if (!isStale(owner)) running.push({ name, owner: describeOwner(owner) });
  }
  const settled = new Set([...done, ...failed.map((f) => f.name), ...running.map((r) => r.name)]);
  const missing = (readGrid(dir) ?? []).map(pointName).filter((n) => !settled.has(n));
  return { done, failed, running, missing };
}

/** One line per state that is not "done", for the terminal and the report; empty when all are done. */
export function statusLines(s: GridStatus): string[] {
  const lines: string[] = [];
  const total = s.done.length + s.failed.length + s.running.length + s.missing.length;
  if (s.failed.length + s.running.length + s.missing.length === 0) return lines;
  lines.push(
    `Grid: ${total} points, ${s.done.length} done, ${s.failed.length} failed, ${s.running.length} running, ${s.missing.length} missing; this report covers the done ones.`,
  );
  for (const f of s.failed) lines.push(`Failed: ${f.name}: ${f.why}`);
  for (const r of s.running) lines.push(`Running: ${r.name} (${r.owner})`);
  if (s.missing.length > 0) lines.push(`Missing: ${s.missing.join(', ')}`);
  return lines;
}
