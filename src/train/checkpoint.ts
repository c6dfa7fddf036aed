// Node only: checkpoints of a training run. Saved atomically (a temporary file, then rename) with a
// SHA-256 over the payload's exact bytes; loading verifies the checksum and every field, and names
// the file, the field and the reason for anything wrong.
import { paramLayout } from '../engine/param-layout.ts';
import { cleanStaleTemps, InputError, parseJson, readText, sha256, writeAtomic } from './files.ts';
import type { TrainState } from './loop.ts';
import { type RunSettings, settingsProblems } from './settings.ts';

/** The format tag of the files this module writes. */
export const CHECKPOINT_FORMAT = 'treegrad-checkpoint-2';

/** A checkpoint: the run's full settings and its state after `state.epoch` epochs. */
export interface Checkpoint {
  settings: RunSettings;
  state: TrainState;
}

const f32ToBase64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The file's text: a fixed header, then the payload, whose exact bytes the checksum covers. */
function fileText(payload: string): string {
  return `{"format":"${CHECKPOINT_FORMAT}","sha256":"${sha256(payload)}","payload":${payload}}\n`;
}
const HEADER = new RegExp(`^\\{"format":"${CHECKPOINT_FORMAT}","sha256":"([0-9a-f]{64})","payload":`);

/** Writes the checkpoint to `path` atomically; float32 arrays as base64 (exact). */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const { state } = checkpoint;
  const payload = JSON.stringify({
    settings: checkpoint.settings,
    state: {
      ...state,
      theta: f32ToBase64(state.theta),
      accum: f32ToBase64(state.accum),
      best: { ...state.best, theta: f32ToBase64(state.best.theta) },
    },
  });
  try {
    writeAtomic(path, fileText(payload));
  } catch (error) {
    throw new Error(`cannot save the checkpoint ${path}: ${(error as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40));

/** A float32 array from base64 of exactly `length` finite values, or a problem. */
function floats(value: unknown, field: string, length: number, problems: string[]): Float32Array {
  const empty = new Float32Array(0);
  if (typeof value !== 'string' || !BASE64.test(value)) {
    problems.push(`${field}: not base64 float32 data`);
    return empty;
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.byteLength !== length * 4) {
    problems.push(`${field}: holds ${bytes.byteLength / 4} values, the model has ${length}`);
    return empty;
  }
  const a = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const bad = a.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) problems.push(`${field}: value ${bad} is not finite (${a[bad]})`);
  return a;
}

/** Checks the state against the settings; returns it decoded, with problems recorded. */
function decodeState(s: Record<string, unknown>, settings: RunSettings, problems: string[]): TrainState {
  const size = paramLayout(settings.cell, settings.dim, settings.data.vocab, settings.data.classes).size;
  const epoch = s.epoch;
  const intIn = (v: unknown, lo: number, hi: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(epoch, 0, Number.MAX_SAFE_INTEGER))
    problems.push(`state.epoch: must be an integer ≥ 0, got ${show(epoch)}`);
  const e = typeof epoch === 'number' ? epoch : 0;
  const rng = s.rngState;
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((v) => intIn(v, -(2 ** 31), 2 ** 31 - 1)))
    problems.push(`state.rngState: must be four 32-bit integers, got ${show(rng)}`);
  const best = isObject(s.best) ? s.best : {};
  if (!isObject(s.best)) problems.push('state.best: missing');
  if (!intIn(best.epoch, 0, e))
    problems.push(`state.best.epoch: must be an integer in 0 … ${e}, got ${show(best.epoch)}`);
  const acc = best.devAccuracy;
  if (typeof acc !== 'number' || !(acc === -1 || (acc >= 0 && acc <= 1)))
    problems.push(`state.best.devAccuracy: must be a fraction (or -1 before any epoch), got ${show(acc)}`);
  const h = isObject(s.history) ? s.history : undefined;
  if (!h) problems.push('state.history: missing');
  else {
    const perEpoch = (k: string, want: number) => {
      const v = h[k];
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
        problems.push(`state.history.${k}: must be an array of numbers`);
      else if (v.length !== want)
        problems.push(`state.history.${k}: has ${v.length} entries, expected ${want}`);
    };
    perEpoch('trainLoss', e);
    perEpoch('devAccuracy', e);
    const r = h.log10RatioByDepth;
    const want = settings.ratios ? e + 1 : 0;
    if (
      !Array.isArray(r) ||
      !r.every((x) => isObject(x) && typeof x.epoch === 'number' && isObject(x.byDepth))
    )
      problems.push('state.history.log10RatioByDepth: must be an array of { epoch, byDepth }');
    else if (r.length !== want)
      problems.push(`state.history.log10RatioByDepth: has ${r.length} entries, expected ${want}`);
  }
  return {
    epoch: e,
    rngState: rng as number[],
    theta: floats(s.theta, 'state.theta', size, problems),
    accum: floats(s.accum, 'state.accum', size, problems),
    best: {
      epoch: best.epoch as number,
      devAccuracy: acc as number,
      theta: floats(best.theta, 'state.best.theta', size, problems),
    },
    history: h as unknown as TrainState['history'],
  };
}

/**
 * Reads a checkpoint written by saveCheckpoint: verifies its checksum and every field, and throws
 * an InputError naming the file, each bad field and the reason. Leftover temporary files of a
 * killed save beside it are removed (and named in `removed`).
 */
export function loadCheckpoint(path: string, removed: string[] = []): Checkpoint {
  removed.push(...cleanStaleTemps(path));
  const text = readText(path);
  const fail = (why: string): never => {
    throw new InputError(`${path}: ${why}`);
  };
  const header = HEADER.exec(text);
  if (!header) {
    const value = parseJson(text, path);
    if (isObject(value) && value.format === 'treegrad-checkpoint-1')
      fail('a checkpoint of an older treegrad (no checksum, no full settings): start anew without --resume');
    fail(`not a treegrad checkpoint (expected "format": "${CHECKPOINT_FORMAT}" first)`);
  }
  const body = text.replace(/\n$/, '');
  if (!body.endsWith('}')) fail('the file is cut short (a truncated checkpoint?)');
  const payload = body.slice(header![0].length, -1);
  if (sha256(payload) !== header![1])
    fail('checksum mismatch: the payload is not what was saved (a damaged or edited file)');
  const value = parseJson(payload, path);
  if (!isObject(value)) return fail('the payload is not an object');
  const problems = settingsProblems(value.settings);
  if (problems.length > 0) fail(problems.join('; '));
  const settings = value.settings as RunSettings;
  if (!isObject(value.state)) return fail('state: missing');
  const state = decodeState(value.state, settings, problems);
  if (settings.epochs < state.epoch)
    problems.push(`state.epoch: ${state.epoch} is past settings.epochs (${settings.epochs})`);
  if (problems.length > 0) fail(problems.join('; '));
  return { settings, state };
}
