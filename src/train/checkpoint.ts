// Node only: checkpoints of a training run, saved atomically (a temporary file, then rename) so an
// interrupted save never leaves a broken checkpoint behind.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { TrainConfig, TrainState } from './loop.ts';

/** A checkpoint: the run's configuration and its state after `state.epoch` epochs. */
export interface Checkpoint {
  format: 'treegrad-checkpoint-1';
  data: string;
  config: TrainConfig;
  state: TrainState;
}

const f32ToBase64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function base64ToF32(s: string, what: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  if (bytes.byteLength % 4 !== 0)
    throw new Error(`checkpoint: ${what} is not a whole number of float32 values`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Writes the checkpoint to `path` atomically; float32 arrays as base64 (exact). */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  const { state } = checkpoint;
  const json = {
    ...checkpoint,
    state: {
      ...state,
      theta: f32ToBase64(state.theta),
      accum: f32ToBase64(state.accum),
      best: { ...state.best, theta: f32ToBase64(state.best.theta) },
    },
  };
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify(json));
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot save the checkpoint ${path}: ${(error as Error).message}`);
  }
}

/** Reads a checkpoint written by saveCheckpoint; says what is wrong with a bad one. */
export function loadCheckpoint(path: string): Checkpoint {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot read the checkpoint ${path}: ${(error as Error).message}`);
  }
  if (json.format !== 'treegrad-checkpoint-1') throw new Error(`${path} is not a treegrad checkpoint`);
  const s = json.state as Record<string, unknown> & { best: Record<string, unknown> };
  if (typeof s?.theta !== 'string' || typeof s.accum !== 'string' || typeof s.best?.theta !== 'string') {
    throw new Error(`${path}: the checkpoint's state is incomplete`);
  }
  const state = {
    ...s,
    theta: base64ToF32(s.theta, 'theta'),
    accum: base64ToF32(s.accum, 'accum'),
    best: { ...s.best, theta: base64ToF32(s.best.theta as string, 'best theta') },
  } as unknown as TrainState;
  return { ...(json as unknown as Checkpoint), state };
}
