// Training a cell on your own files: a folder with train.txt, dev.txt and test.txt (one bracketed
// tree per line, the root's label is the class, e.g. `(1 (0 not) (0 bad))`) and vocab.json
// ({ "words": [...], "classes": C }). Run with a folder, or without one to train on a small
// keyword-task dataset written to a temporary folder first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeywordData, getGpu, TRAIN_DEFAULTS, train } from 'treegrad';
import { readDataDir, writeKeywordData } from 'treegrad/node';

const yours = process.argv[2];
const dir = yours ?? mkdtempSync(join(tmpdir(), 'treegrad-data-'));
if (yours === undefined) {
  writeKeywordData(dir, generateKeywordData({ dataset: 1, seed: 1, train: 400, dev: 100, test: 100 }));
}
const data = readDataDir(dir); // every problem is named file:line:column
console.log(
  `${dir}: ${data.train.length} / ${data.dev.length} / ${data.test.length} trees, ${data.vocab.length} words`,
);

const gpu = await getGpu();
const config = { ...TRAIN_DEFAULTS, cell: 'rlstm' as const, dim: 16, lr: 0.05, batch: 10, epochs: 3 };
const outcome = await train(gpu.device, data, config, {
  onEpoch: (e) =>
    console.log(
      `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, dev accuracy ${(100 * e.devAccuracy).toFixed(1)}%`,
    ),
});
console.log(
  `test accuracy ${(100 * outcome.testAccuracy).toFixed(1)}% (best dev epoch ${outcome.bestEpoch})`,
);
// How far down the learning signal reaches: mean log10 gh(keyword)/gh(root) by keyword depth.
const last = outcome.history.log10RatioByDepth.at(-1);
for (const [depth, { n, mean }] of Object.entries(last?.byDepth ?? {}))
  console.log(`keyword depth ${depth}: log10 ratio ${mean.toFixed(2)} over ${n} trees`);
gpu.destroy();
if (yours === undefined) rmSync(dir, { recursive: true });
