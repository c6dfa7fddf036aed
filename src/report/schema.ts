// One result file, DIR/results/<dataset>-<cell>-<seed>.json: its type and its validation against
// docs/result.schema.json, plus the cross-field checks a JSON Schema cannot say.
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type Cell, CELLS } from '../cells/index.ts';
import type { RunSettings } from '../train/settings.ts';

export type { Cell } from '../cells/index.ts';

/** Test accuracy of the trees whose keyword sits at one depth. */
export interface DepthAccuracy {
  /** Test trees with the keyword at this depth. */
  n: number;
  accuracy: number;
}

/** Mean log10(gh(keyword) / gh(root)) over the test trees whose keyword sits at one depth. */
export interface DepthRatio {
  /** Trees in the mean (finite, non-zero ratio). */
  n: number;
  /** null when n = 0. */
  mean: number | null;
  /** Trees left out: ratio 0 or not finite. */
  excluded?: number;
}

/** The ratios by depth at one epoch (0 = at initialisation). */
export interface EpochRatios {
  epoch: number;
  /** Key: depth as a decimal string. */
  byDepth: Record<string, DepthRatio>;
}

/** Mean log10 gh(n)/gh(root) by depth (key: depth as a decimal string) at one epoch. */
export interface EpochReach {
  epoch: number;
  nodes: Record<string, { n: number; mean: number; excluded?: number }>;
  leaves: Record<string, { n: number; mean: number; excluded?: number }>;
}

/** One trained (dataset, cell, seed), as docs/result.schema.json describes it. */
export interface ExperimentResult {
  dataset: number;
  cell: Cell;
  seed: number;
  dim: number;
  /** Classes C; absent means model.md's default 5. */
  classes?: number;
  epochs: number;
  /** 1-based epoch with the best dev accuracy; the test numbers are from it. */
  bestEpoch: number;
  testAccuracy: number;
  /** Key: depth as a decimal string. */
  accuracyByDepth: Record<string, DepthAccuracy>;
  /** With a loss at every labelled node: test accuracy at every labelled node. */
  testNodeAccuracy?: number;
  log10RatioByDepth: EpochRatios[];
  /** The gradient reach by node and leaf depth, per epoch (absent in files of older versions). */
  reach?: EpochReach[];
  trainLoss: number[];
  devAccuracy: number[];
  /** With a loss at every labelled node: dev accuracy at every labelled node, per epoch. */
  devNodeAccuracy?: number[];
  trainSize: number;
  devSize: number;
  testSize: number;
  seconds: number;
  /** Everything that decided the numbers (absent in files of older versions). */
  settings?: RunSettings;
}

/** The schema file's location, next to the other docs. */
export const RESULT_SCHEMA_URL = new URL('../../docs/result.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

/** The compiled validator, built on first use. */
function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(RESULT_SCHEMA_URL, 'utf8'));
    // The cells are the registry's: the file says "a string", the validator names them.
    schema.definitions.cell.enum = [...CELLS];
    const ajv = new Ajv({ allErrors: true, strict: true });
    compiled = ajv.compile(schema as object);
  }
  return compiled;
}

/**
 * One ajv error as `PATH: message`, the path pointing at the offending property itself. (Errors from
 * inside `propertyNames` carry `propertyName` and repeat the `propertyNames` error; they are dropped.)
 */
function describe(e: ErrorObject): string {
  let path = e.instancePath;
  let message = e.message ?? e.keyword;
  if (e.keyword === 'required') {
    path += `/${String(e.params['missingProperty'])}`;
    message = 'is required';
  } else if (e.keyword === 'additionalProperties') {
    path += `/${String(e.params['additionalProperty'])}`;
    message = 'is not allowed here';
  } else if (e.keyword === 'propertyNames') {
    path += `/${String(e.params['propertyName'])}`;
    message = 'is not a depth (a decimal integer)';
  } else if (e.keyword === 'enum') {
    message += ` (${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return `${path || '/'}: ${message}`;
}

/** Cross-field problems: per-epoch arrays that do not match `epochs`, epochs out of range or repeated. */
function consistencyProblems(r: ExperimentResult): string[] {
  const problems: string[] = [];
  if (r.trainLoss.length !== r.epochs) {
    problems.push(`/trainLoss: has ${r.trainLoss.length} entries, expected one per epoch (${r.epochs})`);
  }
  if (r.devAccuracy.length !== r.epochs) {
    problems.push(`/devAccuracy: has ${r.devAccuracy.length} entries, expected one per epoch (${r.epochs})`);
  }
  if (r.bestEpoch > r.epochs)
    problems.push(`/bestEpoch: ${r.bestEpoch} is past the last epoch (${r.epochs})`);
  const s = r.settings;
  if (s) {
    const same = (field: string, a: unknown, b: unknown) => {
      if (a !== b)
        problems.push(`/settings/${field}: ${JSON.stringify(b)} but the file says ${JSON.stringify(a)}`);
    };
    same('cell', r.cell, s.cell);
    same('dim', r.dim, s.dim);
    same('seed', r.seed, s.seed);
    same('data/train', r.trainSize, s.data.train);
    same('data/dev', r.devSize, s.data.dev);
    same('data/test', r.testSize, s.data.test);
    if (s.data.kind === 'keyword') same('data/dataset', r.dataset, s.data.dataset);
    if (r.classes !== undefined) same('data/classes', r.classes, s.data.classes);
    if (r.epochs > s.epochs) problems.push(`/epochs: ${r.epochs} is past /settings/epochs (${s.epochs})`);
  }
  const seen = new Set<number>();
  r.log10RatioByDepth.forEach((e, i) => {
    if (e.epoch > r.epochs) problems.push(`/log10RatioByDepth/${i}/epoch: ${e.epoch} is past the last epoch`);
    if (seen.has(e.epoch)) problems.push(`/log10RatioByDepth/${i}/epoch: epoch ${e.epoch} appears twice`);
    seen.add(e.epoch);
    for (const [depth, d] of Object.entries(e.byDepth)) {
      if ((d.mean === null) !== (d.n === 0)) {
        problems.push(`/log10RatioByDepth/${i}/byDepth/${depth}/mean: must be null exactly when n = 0`);
      }
    }
  });
  return problems;
}

/**
 * Checks `value` against docs/result.schema.json and the cross-field rules; returns it typed, or throws
 * an Error naming `source` and listing every problem with its JSON path.
 */
export function validateResult(value: unknown, source: string): ExperimentResult {
  const validate = validator();
  const problems = validate(value)
    ? consistencyProblems(value as ExperimentResult)
    : (validate.errors ?? []).filter((e) => e.propertyName === undefined).map(describe);
  if (problems.length > 0) {
    const list = [...new Set(problems)].map((p) => `  ${p}`).join('\n');
    throw new Error(`${source}: not a valid result file (docs/result.schema.json):\n${list}`);
  }
  return value as ExperimentResult;
}
