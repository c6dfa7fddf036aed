// `treegrad grad`: loss, parameter gradients and per-node gradient norms of a file of trees.
import { parseArgs } from 'node:util';
import { CELLS, cellList, REGISTRY } from '../cells/index.ts';
import { CAPS, checkModel, deviceLimits } from '../engine/limits.ts';
import { getGpu } from '../gpu/device.ts';
import { paramsToJson } from '../params/io.ts';
import { gradientReach } from '../train/evaluate.ts';
import { checkOutputs, type FlagPath, InputError, readLines, writeAtomic } from '../train/files.ts';
import { size } from '../trees/shape.ts';
import { type Cell, type Params, initParams, isCell, loadParams, tensorNames } from '../params/index.ts';
import { gpuGrad, gradBatches } from '../engine/grad.ts';
import { type GradResult, referenceGrad } from '../reference/index.ts';
import { type Tree, leaves } from '../trees/index.ts';
import { parseTreeLines } from '../trees/parse.ts';
import { type Command, UsageError } from './command.ts';
import { intFlag } from './data.ts';

const usage = `Usage: treegrad grad --cell ${CELLS.join('|')} --trees FILE (--params FILE | --dim D --seed S)
                     [--classes C] [--focal PREORDER_INDEX] [--save-params FILE] [--device cpu] --out FILE.json

Runs forward and backward over every tree of FILE (one bracketed tree per line, root label =
class) and writes JSON:
  { "loss", "paramGrads": { NAME: [row-major] },
    "nodes": [ per tree, pre-order: [ { "depth", "gh", "gc" (${CELLS.filter((c) => REGISTRY[c].hasC).join(', ')}), "word" (leaves) } ] ],
    "ratios": [ per tree: gh(focal)/gh(root), null without a focal leaf ],
    "reach": { "nodes": { DEPTH: { "n", "mean" } }, "leaves": { … } } }
loss is the mean over trees and paramGrads are its gradients; gh = ‖∂J_t/∂h‖ and gc = ‖∂J_t/∂c‖
are of each tree's own loss. The focal leaf is the tree's one keyword leaf (k + digits) unless
--focal gives a pre-order index. "reach" is the gradient reach for any trees: the mean of
log10 gh(n)/gh(root) over the nodes at each depth below the root, and over the leaves at each depth
("excluded" counts nodes whose gradient is 0).

Without --params the parameters are initialised per docs/model.md from --dim and --seed, the
vocabulary is the sorted distinct words of FILE and C = --classes or the largest label + 1.
--save-params writes the parameters used. --device: cpu (the Float64 reference; default) or gpu
(the level-batched WebGPU engine, float32, through Dawn; trees past the device's buffer limits
are run in several batches, their gradients averaged by tree count).`;

/** Sorted distinct leaf words of the trees (code-unit order). */
export function treeVocab(trees: readonly Tree[]): string[] {
  return [...new Set(trees.flatMap(leaves))].sort();
}

/** The gradient dump as a JSON-ready object, tensors in canonical order. */
export function gradJson(params: Params, result: GradResult) {
  const paramGrads: Record<string, number[]> = {};
  for (const name of tensorNames(params.cell)) paramGrads[name] = Array.from(result.paramGrads[name] ?? []);
  return {
    loss: result.loss,
    paramGrads,
    nodes: result.nodes,
    ratios: result.ratios,
    reach: gradientReach(result.nodes),
  };
}

/**
 * The trees of `path`, streamed line by line: strict UTF-8, located errors, within the caps on trees
 * and nodes.
 */
function readTrees(path: string): Tree[] {
  const lines = readLines(path);
  const parsed = parseTreeLines(lines, { source: path, maxNodes: CAPS.treeNodes });
  const trees: Tree[] = [];
  let nodes = 0;
  try {
    for (let r = parsed.next(); !r.done; r = parsed.next()) {
      if (trees.length === CAPS.gradTrees) {
        let count = trees.length + 1;
        while (!lines.next().done) count++;
        throw new InputError(
          `${path}: ${count} trees, over the cap of ${CAPS.gradTrees} trees for one grad input`,
        );
      }
      nodes += size(r.value.tree);
      if (nodes > CAPS.gradNodes)
        throw new InputError(
          `${path}:${r.value.line}: the trees so far have ${nodes} nodes, over the cap of ${CAPS.gradNodes} for one grad input`,
        );
      trees.push(r.value.tree);
    }
  } catch (e) {
    if (e instanceof InputError && / cannot read: /.test(e.message))
      throw new InputError(`cannot read the trees file ${e.message}`);
    throw e;
  } finally {
    lines.return(undefined);
  }
  return trees;
}

/**
 * The model against this device's limits, and every tree alone against its buffers (more trees
 * than fit one batch are split: gpuGrad), before the engine allocates.
 */
async function checkGpuSize(params: Params, trees: readonly Tree[], path: string): Promise<void> {
  const gpu = await getGpu();
  try {
    const limits = deviceLimits(gpu.device.limits);
    const model = { cell: params.cell, dim: params.dim, vocab: params.vocab.length, classes: params.classes };
    checkModel(model, limits);
    gradBatches(params, trees, limits, (i) => `the tree at ${path}:${i + 1}`);
  } finally {
    gpu.destroy();
  }
}

/** Parameters from --params, or initialised from --dim/--seed over the trees' words; checks flag consistency. */
function resolveParams(values: Record<string, string | undefined>, trees: readonly Tree[]): Params {
  const cell = values.cell;
  if (values.params !== undefined) {
    if (values.dim !== undefined || values.seed !== undefined) {
      throw new UsageError('--dim and --seed initialise new parameters: give them or --params, not both');
    }
    const params = loadParams(values.params);
    if (cell !== undefined && cell !== params.cell) {
      throw new UsageError(`--cell ${cell} but ${values.params} holds ${params.cell} parameters`);
    }
    if (values.classes !== undefined && intFlag('classes', values.classes, 1) !== params.classes) {
      throw new UsageError(`--classes ${values.classes} but ${values.params} has ${params.classes} classes`);
    }
    return params;
  }
  if (cell === undefined) throw new UsageError('--cell is required');
  if (values.dim === undefined || values.seed === undefined)
    throw new UsageError('give --params FILE, or --dim D and --seed S');
  const dim = intFlag('dim', values.dim, 1, CAPS.dim);
  const seed = intFlag('seed', values.seed, 0, CAPS.seed);
  const labels = trees.flatMap((t) => (t.label === undefined ? [] : [t.label]));
  const negative = labels.findIndex((l) => l < 0);
  if (negative >= 0)
    throw new UsageError(`${values.trees}:${negative + 1}: label ${labels[negative]} is negative`);
  let largest = 0;
  for (const l of labels) if (l > largest) largest = l;
  const classes =
    values.classes !== undefined ? intFlag('classes', values.classes, 1, CAPS.classes) : largest + 1;
  const vocab = treeVocab(trees);
  checkModel({ cell: cell as Cell, dim, vocab: vocab.length, classes });
  return initParams(cell as Cell, dim, vocab, classes, seed);
}

/** The `grad` command: the inspection interface to the reference (and later the GPU engine). */
export const gradCommand: Command = {
  name: 'grad',
  summary: 'loss, parameter gradients and per-node gradient norms of a file of trees',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        cell: { type: 'string' },
        trees: { type: 'string' },
        params: { type: 'string' },
        dim: { type: 'string' },
        seed: { type: 'string' },
        classes: { type: 'string' },
        focal: { type: 'string' },
        'save-params': { type: 'string' },
        device: { type: 'string', default: 'cpu' },
        out: { type: 'string' },
      },
    });
    if (values.trees === undefined) throw new UsageError('--trees is required');
    if (values.out === undefined) throw new UsageError('--out is required');
    if (values.device !== 'cpu' && values.device !== 'gpu') {
      throw new UsageError(`--device must be cpu or gpu, got "${values.device}"`);
    }
    if (values.cell !== undefined && !isCell(values.cell)) {
      throw new UsageError(`--cell must be ${cellList()}, got "${values.cell}"`);
    }
    const focal = values.focal === undefined ? undefined : intFlag('focal', values.focal, 0);
    const outputs: FlagPath[] = [{ flag: '--out', path: values.out }];
    if (values['save-params'] !== undefined)
      outputs.push({ flag: '--save-params', path: values['save-params'] });
    const inputs: FlagPath[] = [{ flag: '--trees', path: values.trees }];
    if (values.params !== undefined) inputs.push({ flag: '--params', path: values.params });
    checkOutputs(outputs, inputs);
    const trees = readTrees(values.trees);
    const params = resolveParams(values, trees);
    if (values.device === 'gpu') await checkGpuSize(params, trees, values.trees);
    if (values['save-params'] !== undefined)
      writeAtomic(values['save-params'], `${JSON.stringify(paramsToJson(params))}\n`);
    const result =
      values.device === 'gpu'
        ? await gpuGrad(params, trees, focal)
        : referenceGrad(params, trees, undefined, { focal });
    writeAtomic(values.out, JSON.stringify(gradJson(params, result)) + '\n');
    const logs = result.ratios.flatMap((r) => (r === null || r <= 0 ? [] : [Math.log10(r)]));
    const meanLog = logs.length ? (logs.reduce((a, b) => a + b, 0) / logs.length).toFixed(3) : 'n/a';
    console.log(
      `${params.cell} d=${params.dim} C=${params.classes} V=${params.vocab.length}: ${trees.length} trees, ` +
        `loss ${result.loss.toFixed(6)}, mean log10 gh(focal)/gh(root) ${meanLog} over ${logs.length} trees → ${values.out}`,
    );
    return 0;
  },
};
