// The PyTorch peer (Node only): bench/peers/torch_peer.py in a Python subprocess that has torch,
// driven by one JSON line per request. The same cells, trees and level plan as treegrad, float32,
// backward by autograd; CPU, or CUDA where torch sees a GPU. Where no Python can import torch the
// peer is "unavailable: <why>", never a pass.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Params } from '../../src/params/params.ts';
import type { Tree } from '../../src/trees/tree.ts';
import type { Timings } from '../measure.ts';
import type { Runner } from '../runners.ts';

/** The Python script of the peer. */
export const TORCH_SCRIPT = fileURLToPath(new URL('./torch_peer.py', import.meta.url));

/** What the peer runs on (its `hello` reply) and which Python it is. */
export interface TorchInfo {
  python: string;
  pythonVersion: string;
  torch: string;
  device: 'cpu' | 'cuda';
  deviceName: string;
  threads: number;
  /** The BLAS library torch loaded (matters on the CPU: Debian's torch uses the system's). */
  blas: string;
}

/** A started peer, or why there is none. */
export type TorchStart = { peer: TorchPeer; info: TorchInfo } | { unavailable: string };

/**
 * Pythons to try, in order: $TREEGRAD_PYTHON alone when set, else `python3` on the PATH and then
 * Debian's /usr/bin/python3 (a pyenv python3 on the PATH often lacks the system's python3-torch).
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.TREEGRAD_PYTHON) return [env.TREEGRAD_PYTHON];
  return ['python3', '/usr/bin/python3'];
}

/** The first candidate that imports torch, or why none does (each candidate's last error line). */
export function findTorchPython(candidates: readonly string[]): { python: string } | { unavailable: string } {
  const why: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return { python };
    const last = r.error?.message ?? (r.stderr.trim().split('\n').pop() || `exit status ${r.status}`);
    why.push(`${python}: ${last}`);
  }
  return { unavailable: `PyTorch cannot be imported (${why.join('; ')})` };
}

/** Compact pre-order encoding of a tree: a leaf is its word index (≥ 0), an internal node −1. */
export function compactTree(tree: Tree, wordIndex: (word: string) => number): number[] {
  const out: number[] = [];
  const todo: Tree[] = [tree];
  while (todo.length > 0) {
    const t = todo.pop()!;
    if (t.kind === 'leaf') out.push(wordIndex(t.word));
    else {
      out.push(-1);
      todo.push(t.right, t.left);
    }
  }
  return out;
}

/** The trees of a minibatch, compact, with the vocabulary of `params` (throws on an unknown word). */
export function compactTrees(params: Pick<Params, 'vocab'>, trees: readonly Tree[]): number[][] {
  const ids = new Map(params.vocab.map((w, i) => [w, i]));
  return trees.map((tree, t) =>
    compactTree(tree, (word) => {
      const id = ids.get(word);
      if (id === undefined) throw new Error(`tree ${t + 1}: unknown word "${word}"`);
      return id;
    }),
  );
}

/** A model's part of a request: the cell, sizes and every tensor by name (Float64, row-major). */
export function modelJob(params: Params): Record<string, unknown> {
  const tensors: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(params.tensors)) tensors[name] = Array.from(values);
  return {
    cell: params.cell,
    dim: params.dim,
    vocab: params.vocab.length,
    classes: params.classes,
    params: tensors,
  };
}

type Reply = Record<string, unknown> & { ok: boolean; error?: string; trace?: string };

/** One Python process serving requests in order (one JSON line in, one out). */
export class TorchPeer {
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const waiter = this.pending.shift();
      if (!waiter) return;
      try {
        waiter.resolve(JSON.parse(line) as Reply);
      } catch {
        waiter.reject(new Error(`PyTorch peer wrote "${line.slice(0, 200)}"`));
      }
    });
    child.stdin.on('error', () => {}); // a dead peer is reported by 'exit'
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      this.exited = `the PyTorch peer exited (${signal ?? `status ${code}`}): ${this.stderr.trim()}`;
      for (const w of this.pending.splice(0)) w.reject(new Error(this.exited));
    });
    child.on('error', (error) => {
      this.exited = `the PyTorch peer failed: ${error.message}`;
      for (const w of this.pending.splice(0)) w.reject(new Error(this.exited));
    });
  }

  /** Starts the peer under the first Python that imports torch, or says why it cannot. */
  static async start(candidates: readonly string[] = pythonCandidates()): Promise<TorchStart> {
    const found = findTorchPython(candidates);
    if ('unavailable' in found) return found;
    const child = spawn(found.python, ['-u', TORCH_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new TorchPeer(child);
    try {
      const hello = await peer.request('hello');
      const info: TorchInfo = {
        python: found.python,
        pythonVersion: String(hello.python),
        torch: String(hello.torch),
        device: hello.device === 'cuda' ? 'cuda' : 'cpu',
        deviceName: String(hello.deviceName),
        threads: Number(hello.threads),
        blas: String(hello.blas),
      };
      return { peer, info };
    } catch (error) {
      peer.close();
      return { unavailable: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Sends one request; resolves with the reply, rejects with the peer's error. */
  request(op: string, job: Record<string, unknown> = {}): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ op, ...job })}\n`);
    }).then((reply) => {
      if (!reply.ok) throw new Error(`PyTorch peer, ${op}: ${reply.error}`);
      return reply;
    });
  }

  /** Ends the process (stdin closed: the script's loop ends). */
  close(): void {
    if (!this.exited) this.child.stdin.end();
  }
}

/** The PyTorch model of one minibatch (fixed parameters and trees) as a benchmark runner. */
export async function torchRunner(
  peer: TorchPeer,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
): Promise<Runner> {
  if (labels.length !== trees.length)
    throw new RangeError(`${labels.length} labels for ${trees.length} trees`);
  const loaded = await peer.request('load', {
    ...modelJob(params),
    trees: compactTrees(params, trees),
    labels,
  });
  const id = loaded.id as number;
  return {
    async forward() {
      await peer.request('forward', { id });
    },
    async step() {
      return (await peer.request('step', { id })).loss as number;
    },
    async grads() {
      const g = (await peer.request('grads', { id })).grads as Record<string, number[]>;
      return Object.fromEntries(Object.entries(g).map(([name, v]) => [name, Float64Array.from(v)]));
    },
    dispatches: async () => null,
    // Timed in Python (medians without the pipe's round trips), as PyTorch would run alone.
    async time(repeats): Promise<Timings> {
      const t = await peer.request('time', { id, repeats });
      return {
        forwardMs: t.forwardMs as number,
        stepMs: t.stepMs as number,
        loss: t.loss as number,
        dispatches: null,
      };
    },
    dispose() {
      peer.request('drop', { id }).catch(() => {});
    },
  };
}

/** How a PyTorch training run went: steps/s over the steps after the warm-up. */
export interface TorchTraining {
  steps: number;
  timedSteps: number;
  seconds: number;
  stepsPerSec: number;
  meanLoss: number;
  /** Final parameters by name, when asked for. */
  params?: Record<string, number[]>;
}

/** Options of a PyTorch training run (AdaGrad with L2, docs/model.md). */
export interface TorchTrainOptions {
  batch: number;
  steps: number;
  lr: number;
  l2: number;
  eps: number;
  /** Steps run before the clock starts. */
  warmup: number;
  returnParams?: boolean;
}

/**
 * Trains from `params` with AdaGrad on minibatches of `options.batch` trees taken in the order
 * given (wrapping around), for `options.steps` steps; each step plans its minibatch in Python.
 */
export async function torchTrain(
  peer: TorchPeer,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
  options: TorchTrainOptions,
): Promise<TorchTraining> {
  const r = await peer.request('train', {
    ...modelJob(params),
    trees: compactTrees(params, trees),
    labels,
    ...options,
  });
  return r as unknown as TorchTraining;
}
