// The flat parameter buffer: every tensor of a model in canonical order, row-major, each starting
// on a multiple of 4 floats. Gradients and optimiser state use the same layout.
import type { Params } from '../params/params.ts';
import { type Cell, numel, tensorShapes } from '../params/shapes.ts';

/** Where each tensor lives in the flat buffer (offsets in floats). */
export interface ParamLayout {
  readonly cell: Cell;
  readonly dim: number;
  readonly vocab: number;
  readonly classes: number;
  readonly offsets: Readonly<Record<string, number>>;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Tensor names in canonical order. */
  readonly names: readonly string[];
  /** Length of the flat buffer in floats. */
  readonly size: number;
}

/** The layout of a model with these sizes. */
export function paramLayout(cell: Cell, dim: number, vocab: number, classes: number): ParamLayout {
  const offsets: Record<string, number> = {};
  const shapes: Record<string, readonly number[]> = {};
  let size = 0;
  const specs = tensorShapes(cell, dim, vocab, classes);
  for (const [name, shape] of specs) {
    offsets[name] = size;
    shapes[name] = shape;
    size += Math.ceil(numel(shape) / 4) * 4;
  }
  return { cell, dim, vocab, classes, offsets, shapes, names: specs.map(([n]) => n), size };
}

/**
 * The width the kernels run hidden size d at: d rounded up to a multiple of 4, so that every row of
 * every state, saved value and weight is whole vec4s, 16-byte aligned. The extra units are zero
 * in every weight, bias and embedding, so their h (and c) stay 0 and their gradients 0: the model
 * is d's exactly, and files keep d's layout (docs/engine.md).
 */
export function gpuDim(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/** The engine's layout of a model: its tensors at gpuDim(d), each row of d floats widened with zeros. */
export function gpuLayout(layout: ParamLayout): ParamLayout {
  return paramLayout(layout.cell, gpuDim(layout.dim), layout.vocab, layout.classes);
}

/**
 * A flat buffer of `from`'s layout in `to`'s layout (the model's and the engine's, either way):
 * each tensor's rows and columns that both have, copied; the rest zero. Same layouts: a copy.
 */
export function relayout(flat: Float32Array, from: ParamLayout, to: ParamLayout): Float32Array {
  if (flat.length !== from.size)
    throw new RangeError(`a flat buffer of ${flat.length} values, the layout has ${from.size}`);
  if (from.dim === to.dim) return new Float32Array(flat);
  const out = new Float32Array(to.size);
  for (const name of from.names) {
    const [fr, fc = 1] = from.shapes[name]!;
    const [tr, tc = 1] = to.shapes[name]!;
    const a = from.offsets[name]!;
    const b = to.offsets[name]!;
    const cols = Math.min(fc, tc);
    for (let r = 0; r < Math.min(fr!, tr!); r++)
      out.set(flat.subarray(a + r * fc, a + r * fc + cols), b + r * tc);
  }
  return out;
}

/** Packs parameters (Float64) into a flat Float32Array with `layout`. */
export function packParams(params: Params, layout: ParamLayout): Float32Array {
  const flat = new Float32Array(layout.size);
  for (const name of layout.names) {
    const t = params.tensors[name];
    if (!t || t.length !== numel(layout.shapes[name]!))
      throw new Error(`tensor "${name}" is missing or has the wrong size`);
    const bad = firstNonFinite(t);
    if (bad >= 0) {
      throw new RangeError(
        `parameter ${describeIndex(layout, layout.offsets[name]! + bad)} = ${t[bad]} is not finite in ` +
          'float32, where the GPU computes (NaN, ±Inf, or beyond ±3.4e38)',
      );
    }
    flat.set(t, layout.offsets[name]);
  }
  return flat;
}

/** Splits a flat buffer into tensors by name (Float64 copies). */
export function unpackTensors(flat: Float32Array, layout: ParamLayout): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of layout.names) {
    const start = layout.offsets[name]!;
    out[name] = Float64Array.from(flat.subarray(start, start + numel(layout.shapes[name]!)));
  }
  return out;
}

/** Names flat index `i` of `layout` as tensor and element, e.g. "Wi[3, 7]" (or padding). */
export function describeIndex(layout: ParamLayout, i: number): string {
  for (const name of layout.names) {
    const start = layout.offsets[name]!;
    const shape = layout.shapes[name]!;
    const n = numel(shape);
    if (i >= start && i < start + n) {
      const k = i - start;
      return shape.length === 2 ? `${name}[${Math.floor(k / shape[1]!)}, ${k % shape[1]!}]` : `${name}[${k}]`;
    }
  }
  return `padding at flat index ${i}`;
}

/** The first index whose value is NaN or ±Inf once stored as float32, or −1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(Math.fround(values[i]!))) return i;
  return -1;
}
