// Node only: a run's full settings, recorded in every checkpoint and result file, and the compare
// that resume, experiment reruns and the report use to refuse mixing runs of different settings.
import { readFileSync } from 'node:fs';
import type { AdapterSummary } from '../gpu/device.ts';
import { CELLS } from '../params/shapes.ts';
import type { DataIdentity } from './dataset.ts';
import type { TrainConfig } from './loop.ts';

/** Everything that decides a run's numbers: training settings, the data, the adapter, the version. */
export interface RunSettings extends TrainConfig {
  data: DataIdentity;
  /** The adapter that trained it (`vendor architecture device description`). */
  adapter: string;
  /** treegrad's package.json version. */
  version: string;
}

let version: string | undefined;

/** treegrad's version, from package.json. */
export function treegradVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}

/** An adapter in one string, as settings record it. */
export function adapterName(
  s: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description'>,
): string {
  return [s.vendor, s.architecture, s.device, s.description].filter((x) => x !== '').join(' ') || 'unknown';
}

/** The settings of a run of `config` on `data` with this adapter. */
export function runSettings(config: TrainConfig, data: DataIdentity, adapter: string): RunSettings {
  return { ...config, data, adapter, version: treegradVersion() };
}

/**
 * Settings added after runs were first recorded, with the value older records meant: a record
 * without one reads as that value, so it still compares equal to a run of the default.
 */
export const LATER_DEFAULTS: Readonly<Record<string, unknown>> = { loss: 'root', freezeEmbeddings: false };

/** The training configuration held in settings (settings added later filled with LATER_DEFAULTS). */
export function trainConfig(s: RunSettings): TrainConfig {
  const { data: _data, adapter: _adapter, version: _version, ...config } = s;
  return { ...(LATER_DEFAULTS as Partial<TrainConfig>), ...config };
}

/** Settings that may differ between runs without changing what they compute. */
export const MACHINE_KEYS = ['adapter', 'version'] as const;

/** Settings that differ between the points of one experiment (the grid), not within a study. */
export const POINT_KEYS = ['cell', 'seed', 'data.dataset', 'data.seed', 'data.dir', 'data.files'] as const;

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`; arrays and scalars are leaves. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}

const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));

/**
 * The settings that differ between `recorded` (from `where`) and `now`, one line each, e.g.
 * `lr: 0.5 in runs/x/results/1-rnn-1.json, 0.01 now`; keys under any of `ignore` are skipped.
 */
export function settingsDiff(
  recorded: unknown,
  now: unknown,
  where: string,
  ignore: readonly string[] = [],
): string[] {
  const a = flatten(recorded);
  const b = flatten(now);
  for (const [k, v] of Object.entries(LATER_DEFAULTS)) {
    if (k in a || k in b) {
      a[k] ??= v;
      b[k] ??= v;
    }
  }
  const skip = (k: string) => ignore.some((i) => k === i || k.startsWith(`${i}.`));
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skip(k));
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: ${show(a[k])} in ${where}, ${show(b[k])} now`);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks recorded settings field by field; returns problems as `FIELD: reason`. */
export function settingsProblems(v: unknown, at = 'settings'): string[] {
  if (!isObject(v)) return [`${at}: missing (written by an older treegrad?)`];
  const p: string[] = [];
  const int = (k: string, min: number) => {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min)
      p.push(`${at}.${k}: must be an integer ≥ ${min}, got ${show(x)}`);
  };
  const num = (k: string, positive: boolean) => {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || (positive && x === 0))
      p.push(`${at}.${k}: must be a ${positive ? 'positive' : 'non-negative'} number, got ${show(x)}`);
  };
  if (typeof v.cell !== 'string' || !(CELLS as readonly string[]).includes(v.cell))
    p.push(`${at}.cell: must be ${CELLS.join(' or ')}, got ${show(v.cell)}`);
  int('dim', 1);
  int('batch', 1);
  int('epochs', 0);
  int('patience', 0);
  int('seed', 0);
  num('lr', true);
  num('l2', false);
  num('eps', true);
  if (typeof v.ratios !== 'boolean') p.push(`${at}.ratios: must be true or false, got ${show(v.ratios)}`);
  if (v.loss !== undefined && v.loss !== 'root' && v.loss !== 'all')
    p.push(`${at}.loss: must be root or all, got ${show(v.loss)}`);
  if (v.freezeEmbeddings !== undefined && typeof v.freezeEmbeddings !== 'boolean')
    p.push(`${at}.freezeEmbeddings: must be true or false, got ${show(v.freezeEmbeddings)}`);
  if (typeof v.adapter !== 'string') p.push(`${at}.adapter: must be a string, got ${show(v.adapter)}`);
  if (typeof v.version !== 'string') p.push(`${at}.version: must be a string, got ${show(v.version)}`);
  const d = v.data;
  if (!isObject(d)) p.push(`${at}.data: missing`);
  else {
    if (d.kind !== 'keyword' && d.kind !== 'folder' && d.kind !== 'treebank')
      p.push(`${at}.data.kind: must be keyword, folder or treebank, got ${show(d.kind)}`);
    if (d.kind === 'treebank') {
      for (const k of ['paths', 'files'])
        if (!isObject(d[k]) || !Object.values(d[k]).every((x) => typeof x === 'string'))
          p.push(`${at}.data.${k}: must map train, dev and test to strings, got ${show(d[k])}`);
      if (!Array.isArray(d.labels) || !d.labels.every((x) => typeof x === 'string'))
        p.push(`${at}.data.labels: must be a list of labels, got ${show(d.labels)}`);
      if (typeof d.minCount !== 'number' || !Number.isInteger(d.minCount) || d.minCount < 1)
        p.push(`${at}.data.minCount: must be an integer ≥ 1, got ${show(d.minCount)}`);
    }
    for (const k of ['train', 'dev', 'test', 'vocab', 'classes']) {
      const x = d[k];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
        p.push(`${at}.data.${k}: must be a count, got ${show(x)}`);
    }
  }
  return p;
}
