// The cells of docs/model.md written with TF.js ops, level-batched like treegrad's engine:
// every node of one height, across all trees, goes through one set of ops. Node state lives in one
// level-major matrix S (rows = planLevels' rows; columns h, or h then c for a cell with a memory cell) that grows by
// one tf.concat per level; a level gathers its children's rows from it. Rows are x, so y = W x is
// x·Wᵀ (tf.matMul with transposeB).
import * as tf from '@tensorflow/tfjs-core';
import { type Cell, REGISTRY } from '../../src/cells/index.ts';
import type { LevelPlan } from '../../src/plan/levels.ts';
import { Columns, type RowIndex, concatCols, gatherRows, padCols, rowIndex, sliceCols } from './tfjs-ops.ts';

/** The constant tensors of one minibatch: index arrays per level, the labels as one-hot rows. */
export interface TfjsGraph {
  readonly cell: Cell;
  readonly dim: number;
  /** Vocabulary row of each leaf row. */
  readonly leafWords: RowIndex;
  /** Per level ≥ 1: the children's rows interleaved (left, right, left, right, …), 2 per node. */
  readonly levels: readonly RowIndex[];
  /** Row of each tree's root. */
  readonly roots: RowIndex;
  /** [trees, classes] one-hot labels. */
  readonly onehot: tf.Tensor2D;
  /** Column-index vectors for the column ops, filled on first use. */
  readonly columns: Columns;
  /** Frees the constant tensors. */
  dispose(): void;
}

/** Uploads the plan's index arrays and the labels as constant tensors on the active backend. */
export function buildGraph(
  cell: Cell,
  dim: number,
  classes: number,
  plan: LevelPlan,
  labels: readonly number[],
): TfjsGraph {
  const levels: RowIndex[] = [];
  for (let l = 1; l < plan.numLevels; l++) {
    const lo = 2 * (plan.levelStart[l]! - plan.numLeaves);
    const hi = 2 * (plan.levelStart[l + 1]! - plan.numLeaves);
    levels.push(rowIndex(plan.children.slice(lo, hi)));
  }
  const onehot = new Float32Array(labels.length * classes);
  labels.forEach((label, t) => {
    onehot[t * classes + label] = 1;
  });
  const leafWords = rowIndex(plan.leafWords);
  const roots = rowIndex(plan.roots);
  const onehotT = tf.tensor2d(onehot, [labels.length, classes]);
  const columns = new Columns();
  return {
    cell,
    dim,
    leafWords,
    levels,
    roots,
    onehot: onehotT,
    columns,
    dispose: () => {
      tf.dispose([leafWords, ...levels, roots].flatMap((r) => [r.flat, r.nd]));
      onehotT.dispose();
      columns.dispose();
    },
  };
}

/** The parameters by name (model.md's names and shapes), as float32 tensors or variables. */
export type TensorMap = Readonly<Record<string, tf.Tensor>>;

function get(p: TensorMap, name: string): tf.Tensor2D {
  const t = p[name];
  if (t === undefined) throw new Error(`missing tensor "${name}"`);
  return t as tf.Tensor2D;
}

/** Rows times Wᵀ: y = W x for every row x. */
const mm = (x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D => tf.matMul(x, w, false, true);

/** One level of a cell: from X = [left state | right state] per node to the nodes' states. */
type Level = (x: tf.Tensor2D) => tf.Tensor2D;

/** RNN level: X = [h_L | h_R] per node, h = tanh(X·[W_L W_R]ᵀ + b). */
function rnnLevel(p: TensorMap, _d: number, columns: Columns): Level {
  const w = concatCols(columns, [get(p, 'W_L'), get(p, 'W_R')]);
  const b = get(p, 'b');
  return (x) => tf.tanh(tf.add(mm(x, w), b));
}

/**
 * RLSTM level: X = [h_L | c_L | h_R | c_R] per node. All four gates come from one product with the
 * stacked gate matrix (the right child's gates use the same matrices with the sibling roles
 * swapped, which is a swap of column blocks); then c, the peephole output gate and h per model.md.
 */
function rlstmLevel(p: TensorMap, d: number, columns: Columns): Level {
  const g = (name: string) => get(p, name);
  const gate = (k: string, own: boolean) =>
    own
      ? concatCols(columns, [g(`W${k}`), g(`U${k}`), g(`W${k}_sib`), g(`U${k}_sib`)])
      : concatCols(columns, [g(`W${k}_sib`), g(`U${k}_sib`), g(`W${k}`), g(`U${k}`)]);
  // Rows of the pre-activations: i_L, f_L, i_R, f_R.
  const wg = tf.concat([gate('i', true), gate('f', true), gate('i', false), gate('f', false)], 0);
  const bg = tf.concat([g('bi'), g('bf'), g('bi'), g('bf')]);
  const wo = concatCols(columns, [g('O_L'), g('O_R'), g('O_c')]);
  const blocks = (x: tf.Tensor2D) => [0, 1, 2, 3].map((k) => sliceCols(columns, x, k * d, d)) as Four;
  return (x) => {
    const gates = tf.sigmoid<tf.Tensor2D>(tf.add(mm(x, wg), bg));
    const [hL, cL, hR, cR] = blocks(x);
    const [iL, fL, iR, fR] = blocks(gates);
    const u = tf.tanh(tf.add(tf.add(tf.mul(iL, mm(hL, g('W_L'))), tf.mul(iR, mm(hR, g('W_R')))), g('b')));
    const c = tf.add<tf.Tensor2D>(tf.add(tf.mul(fL, cL), tf.mul(fR, cR)), u);
    const o = tf.sigmoid(tf.add(mm(concatCols(columns, [hL, hR, c]), wo), g('bo')));
    return concatCols(columns, [tf.mul<tf.Tensor2D>(o, tf.tanh(c)), c]);
  };
}

type Four = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];

/**
 * Tree-LSTM level: X = [h_L | c_L | h_R | c_R] per node. The four gates and the candidate come
 * from one product of [h_L | h_R] with the stacked matrices (rows i, f_L, f_R, o, u); then c and h
 * per model.md.
 */
function treelstmLevel(p: TensorMap, d: number, columns: Columns): Level {
  const g = (name: string) => get(p, name);
  const pair = (l: string, r: string) => concatCols(columns, [g(l), g(r)]);
  const w = tf.concat(
    [
      pair('Ui_L', 'Ui_R'),
      pair('Uf_LL', 'Uf_LR'),
      pair('Uf_RL', 'Uf_RR'),
      pair('Uo_L', 'Uo_R'),
      pair('Uu_L', 'Uu_R'),
    ],
    0,
  );
  const b = tf.concat([g('bi'), g('bf'), g('bf'), g('bo'), g('bu')]);
  return (x) => {
    const [hL, cL, hR, cR] = [0, 1, 2, 3].map((k) => sliceCols(columns, x, k * d, d)) as Four;
    const pre = tf.add<tf.Tensor2D>(mm(concatCols(columns, [hL, hR]), w), b);
    const [i, fL, fR, o] = [0, 1, 2, 3].map((k) =>
      tf.sigmoid<tf.Tensor2D>(sliceCols(columns, pre, k * d, d)),
    );
    const u = tf.tanh(sliceCols(columns, pre, 4 * d, d));
    const c = tf.add<tf.Tensor2D>(tf.add(tf.mul(i!, u), tf.mul(fL!, cL)), tf.mul(fR!, cR));
    return concatCols(columns, [tf.mul<tf.Tensor2D>(o!, tf.tanh(c)), c]);
  };
}

/** Each cell's level in TF.js ops (states are [h] or [h | c] by the registry's hasC). */
const LEVELS: Record<Cell, (p: TensorMap, d: number, columns: Columns) => Level> = {
  rnn: rnnLevel,
  rlstm: rlstmLevel,
  treelstm: treelstmLevel,
};

/**
 * Batch loss (mean softmax cross-entropy at the roots) of the graph's trees under parameters `p`.
 * Call inside tf.tidy or a gradient function: it makes many intermediate tensors.
 */
export function batchLoss(graph: TfjsGraph, p: TensorMap): tf.Scalar {
  const d = graph.dim;
  const hasC = REGISTRY[graph.cell].hasC;
  const words = gatherRows(get(p, 'E'), graph.leafWords);
  // Leaves: h = E[word], and c = 0 for a cell with a memory cell.
  let state = hasC ? padCols(graph.columns, words, d) : words;
  const level = LEVELS[graph.cell](p, d, graph.columns);
  const width = hasC ? 4 * d : 2 * d;
  for (const children of graph.levels) {
    // Interleaved children rows gathered and reshaped: one row per node, [left state | right state].
    const x = tf.reshape<tf.Rank.R2>(gatherRows(state, children), [-1, width]);
    state = tf.concat([state, level(x)], 0);
  }
  let root = gatherRows(state, graph.roots);
  if (hasC) root = sliceCols(graph.columns, root, 0, d);
  const logits = tf.add(mm(root, get(p, 'Wc')), get(p, 'bc'));
  return tf.neg(tf.mean(tf.sum(tf.mul(graph.onehot, tf.logSoftmax(logits)), 1)));
}
