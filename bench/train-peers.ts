// Training steps/s of PyTorch next to treegrad's own, in one run, in the paper's setting: keyword
// dataset i (10k training sentences), d = 50, AdaGrad lr 0.01 with L2 1e-3, minibatch 5, model.md's
// initialisation (the same initParams values for both). PyTorch is first checked against a Float64
// AdaGrad on the reference gradients; a peer that disagrees is reported and not timed.
// treegrad is timed at each of --readback K1,K2,… training steps per readback of the losses
// (default 1,4,16: one awaited readback per step, as before, against queued steps).
// Usage: npx tsx bench/train-peers.ts [--datasets 2,10] [--cells rnn,rlstm,…] [--steps 500]
//          [--dim 50] [--batch 5] [--seed 1] [--readback 1,4,16] [--out FILE.json]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getGpu } from '../src/gpu/device.ts';
import { initParams } from '../src/params/params.ts';
import { type Cell, CELLS, forwardMultiplyAdds, isCell } from '../src/cells/index.ts';
import { keywordDataset } from '../src/train/dataset.ts';
import { TRAIN_DEFAULTS, train } from '../src/train/loop.ts';
import { TRAIN_RTOL, trainingAgreement } from './peers/torch-check.ts';
import { TorchPeer, torchTrain } from './peers/torch.ts';
import { restartWithVulkan } from './vulkan-restart.ts';

/** AdaGrad steps of the check before timing. */
const CHECK_STEPS = 3;
/** Steps before the clocks start (treegrad's first loss readback comes after 16 steps). */
const WARMUP = 16;

/** One (dataset, cell) of the comparison. */
interface Row {
  dataset: number;
  cell: Cell;
  steps: number;
  /** treegrad's steps/s at each number of steps per readback. */
  treegradByReadback: Record<string, number>;
  treegradStepsPerSec: number | null;
  pytorchStepsPerSec: number | null;
  pytorchCheck: string;
  ratio: number | null;
}

function ints(name: string, value: string): number[] {
  const xs = value.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1))
    throw new RangeError(`--${name}: positive integers, got ${value}`);
  return xs;
}

/** treegrad's steps/s over steps WARMUP+1 … steps (one epoch over exactly steps × batch sentences). */
async function treegradRate(
  device: GPUDevice,
  data: ReturnType<typeof keywordDataset>,
  cell: Cell,
  dim: number,
  batch: number,
  seed: number,
  stepsPerReadback: number,
): Promise<number> {
  const marks: [step: number, ms: number][] = [];
  await train(
    device,
    { ...data, dev: data.dev.slice(0, batch), test: data.test.slice(0, batch) },
    { ...TRAIN_DEFAULTS, cell, dim, batch, seed, epochs: 1, ratios: false },
    {
      stepsPerReadback,
      onStep: ({ step }) => {
        marks.push([step, performance.now()]);
      },
    },
  );
  const first = marks.find(([step]) => step >= WARMUP) ?? marks[0]!;
  const last = marks.at(-1)!;
  return ((last[0] - first[0]) * 1000) / (last[1] - first[1]);
}

async function main(): Promise<number> {
  const restarted = restartWithVulkan();
  if (restarted !== undefined) return restarted;
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: Object.fromEntries(
      ['datasets', 'cells', 'steps', 'dim', 'batch', 'seed', 'readback', 'out'].map((k) => [
        k,
        { type: 'string' as const },
      ]),
    ),
    strict: true,
  }) as { values: Record<string, string | undefined> };
  const datasets = ints('datasets', values.datasets ?? '2,10');
  const cells = (values.cells ?? CELLS.join(',')).split(',');
  if (!cells.every(isCell)) throw new RangeError(`--cells: some of ${CELLS.join(', ')}, got ${values.cells}`);
  const [steps] = ints('steps', values.steps ?? '500') as [number];
  const [dim] = ints('dim', values.dim ?? String(TRAIN_DEFAULTS.dim)) as [number];
  const [batch] = ints('batch', values.batch ?? String(TRAIN_DEFAULTS.batch)) as [number];
  const [seed] = ints('seed', values.seed ?? String(TRAIN_DEFAULTS.seed)) as [number];
  if (steps <= WARMUP) throw new RangeError(`--steps must exceed the ${WARMUP} warm-up steps`);
  const readbacks = ints('readback', values.readback ?? '1,4,16');
  const adagrad = { lr: TRAIN_DEFAULTS.lr, l2: TRAIN_DEFAULTS.l2, eps: TRAIN_DEFAULTS.eps };

  const torch = await TorchPeer.start();
  // The driver's threading as `treegrad experiment` would choose it for the heaviest cell here:
  // give one cell per run to time each as `treegrad train` runs it.
  const gpu = await getGpu({ work: Math.max(...cells.map((c) => forwardMultiplyAdds(c, dim, 1))) });
  const rows: Row[] = [];
  try {
    const threads = process.env.LP_NUM_THREADS;
    console.log(
      `treegrad on ${gpu.summary.vendor} ${gpu.summary.architecture} ${gpu.summary.description}` +
        (threads === undefined ? '' : `, LP_NUM_THREADS=${threads}`),
    );
    console.log(
      'peer' in torch
        ? `PyTorch ${torch.info.torch} on ${torch.info.device} (${torch.info.deviceName}), ${torch.info.threads} threads, BLAS ${torch.info.blas}`
        : `PyTorch: unavailable: ${torch.unavailable}`,
    );
    console.log(
      `d=${dim}, batch ${batch}, AdaGrad lr ${adagrad.lr} λ ${adagrad.l2} ε ${adagrad.eps}, ${steps} steps`,
    );
    for (const dataset of datasets) {
      const full = keywordDataset({ dataset, seed });
      const data = { ...full, train: full.train.slice(0, steps * batch) };
      const trees = data.train.map((e) => e.tree);
      const labels = data.train.map((e) => e.label);
      for (const cell of cells) {
        const params = initParams(cell, dim, data.vocab, data.classes, seed);
        let pytorch: number | null = null;
        let check = 'unavailable' in torch ? `unavailable: ${torch.unavailable}` : '';
        if ('peer' in torch) {
          const agree = await trainingAgreement(
            torch.peer,
            params,
            trees,
            labels,
            batch,
            CHECK_STEPS,
            adagrad,
          );
          check = `${agree.worst <= TRAIN_RTOL ? 'OK' : 'NOT OK'}: worst ${agree.worst.toExponential(2)} (${agree.worstName}) over ${CHECK_STEPS} steps`;
          if (agree.worst <= TRAIN_RTOL) {
            const r = await torchTrain(torch.peer, params, trees, labels, {
              ...adagrad,
              batch,
              steps,
              warmup: WARMUP,
            });
            pytorch = r.stepsPerSec;
          }
        }
        const byReadback: Record<string, number> = {};
        for (const k of readbacks)
          byReadback[k] = await treegradRate(gpu.device, data, cell, dim, batch, seed, k);
        const ours = Math.max(...Object.values(byReadback));
        const row: Row = {
          dataset,
          cell,
          steps,
          treegradByReadback: byReadback,
          treegradStepsPerSec: ours,
          pytorchStepsPerSec: pytorch,
          pytorchCheck: check,
          ratio: pytorch === null ? null : ours / pytorch,
        };
        rows.push(row);
        const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(1));
        const perK = readbacks.map((k) => `k=${k} ${fmt(byReadback[k]!)}`).join(', ');
        console.log(
          `dataset ${dataset} ${cell.padEnd(8)}  treegrad ${fmt(ours)} steps/s (${perK} steps per readback)  pytorch ${fmt(pytorch)} steps/s  ` +
            `treegrad/pytorch ${fmt(row.ratio)}×  (pytorch check ${check})`,
        );
      }
    }
    if (gpu.errors.length > 0) throw new Error(`WebGPU reported: ${gpu.errors.join('; ')}`);
  } finally {
    if ('peer' in torch) torch.peer.close();
    gpu.destroy();
  }
  if (values.out !== undefined) {
    const pytorch = 'peer' in torch ? torch.info : { unavailable: torch.unavailable };
    writeFileSync(values.out, `${JSON.stringify({ dim, batch, steps, seed, pytorch, rows }, null, 2)}\n`);
  }
  return rows.some((r) => r.pytorchCheck.startsWith('NOT OK')) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
