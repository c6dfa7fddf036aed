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
