// Training a cell on your own treebank: train, dev and test files with one bracketed tree per line
// and a label on the root (on every node too, as in the Stanford Sentiment Treebank), e.g.
// `(3 (2 It) (4 (2 's) (3 good)))`. Labels and vocabulary come from the training file; words not
// in it become <unk>. Run with three files, or without to train on a small keyword-task sample.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTrees, generateKeywordData, getGpu, TRAIN_DEFAULTS, train } from 'treegrad';
import { readTreebank } from 'treegrad/node';

let [trainFile, devFile, testFile] = process.argv.slice(2);
const sample = trainFile === undefined ? mkdtempSync(join(tmpdir(), 'treegrad-sample-')) : undefined;
if (sample !== undefined) {
  const data = generateKeywordData({ dataset: 1, seed: 1, train: 400, dev: 100, test: 100 });
  [trainFile, devFile, testFile] = (['train', 'dev', 'test'] as const).map((split) => {
    const path = join(sample, `${split}.txt`);
    writeFileSync(path, formatTrees(data[split].map((s) => s.tree)));
    return path;
  });
}
// Every problem in the files is named file:line:column.
const { data, summary } = await readTreebank({ train: trainFile!, dev: devFile!, test: testFile! });
console.log(
  `${data.train.length} / ${data.dev.length} / ${data.test.length} trees, ${summary.vocab} words, ${data.classes} classes`,
);

const gpu = await getGpu(); // Dawn in Node: it picks a Vulkan driver itself
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
gpu.destroy();
if (sample !== undefined) rmSync(sample, { recursive: true });
