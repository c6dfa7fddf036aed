// Row and column selection with gradients that stay fast on TF.js's CPU backend. Each is one kernel
// forward and one backward, like the built-in op it replaces, on every backend; the built-ins' CPU
// kernels (gather's gradient, slice and split along columns) walk every element through generic
// index arithmetic and made the CPU peer several times slower than it needs to be.
import * as tf from '@tensorflow/tfjs-core';

/** Row indices for a gather: flat [n] for tf.gather and [n, 1] for the scatterND of its gradient. */
export interface RowIndex {
  readonly flat: tf.Tensor1D;
  readonly nd: tf.Tensor2D;
}

/** Uploads row indices (int32). */
export function rowIndex(rows: Int32Array): RowIndex {
  return { flat: tf.tensor1d(rows, 'int32'), nd: tf.tensor2d(rows, [rows.length, 1], 'int32') };
}

/** tf.gather(x, rows) along rows; the gradient is one scatterND (duplicate rows summed). */
export function gatherRows(x: tf.Tensor2D, rows: RowIndex): tf.Tensor2D {
  const shape = x.shape;
  const op = tf.customGrad((input) => ({
    value: tf.gather(input as tf.Tensor2D, rows.flat),
    gradFunc: (dy: tf.Tensor) => tf.scatterND(rows.nd, dy, shape),
  }));
  return op(x) as tf.Tensor2D;
}

/** Constant column-index vectors [start, start + width), made once and kept until dispose(). */
export class Columns {
  private readonly cache = new Map<string, tf.Tensor1D>();

  /** The int32 vector start … start + width − 1. */
  range(start: number, width: number): tf.Tensor1D {
    const key = `${start}:${width}`;
    let t = this.cache.get(key);
    if (t === undefined) {
      t = tf.keep(
        tf.tensor1d(
          Int32Array.from({ length: width }, (_, i) => start + i),
          'int32',
        ),
      );
      this.cache.set(key, t);
    }
    return t;
  }

  /** Frees the cached vectors. */
  dispose(): void {
    for (const t of this.cache.values()) t.dispose();
    this.cache.clear();
  }
}

/** Columns [start, start + width) of x (a slice); the gradient pads with zeros. */
export function sliceCols(columns: Columns, x: tf.Tensor2D, start: number, width: number): tf.Tensor2D {
  const cols = x.shape[1];
  const op = tf.customGrad((input) => ({
    value: tf.gather(input as tf.Tensor2D, columns.range(start, width), 1),
    gradFunc: (dy: tf.Tensor) =>
      tf.pad(dy as tf.Tensor2D, [
        [0, 0],
        [start, cols - start - width],
      ]),
  }));
  return op(x) as tf.Tensor2D;
}

/** tf.concat(xs, 1); the gradient of each part is a column gather instead of a split. */
export function concatCols(columns: Columns, xs: tf.Tensor2D[]): tf.Tensor2D {
  const widths = xs.map((x) => x.shape[1]);
  const op = tf.customGrad((...inputs) => ({
    value: tf.concat(inputs.slice(0, xs.length) as tf.Tensor2D[], 1),
    gradFunc: (dy: tf.Tensor) => {
      let start = 0;
      return widths.map((w) => {
        start += w;
        return tf.gather(dy, columns.range(start - w, w), 1);
      });
    },
  }));
  return op(...xs) as tf.Tensor2D;
}

/** x with `width` zero columns appended (a pad); the gradient gathers x's columns back. */
export function padCols(columns: Columns, x: tf.Tensor2D, width: number): tf.Tensor2D {
  const cols = x.shape[1];
  const op = tf.customGrad((input) => ({
    value: tf.pad(input as tf.Tensor2D, [
      [0, 0],
      [0, width],
    ]),
    gradFunc: (dy: tf.Tensor) => tf.gather(dy, columns.range(0, cols), 1),
  }));
  return op(x) as tf.Tensor2D;
}
