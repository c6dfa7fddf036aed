// What a benchmark run measures: presets, option parsing (one parser for the CLI and the page's
// query string) and the expansion of a sweep into points. Pure: no GPU, no DOM, no files.
import { type Cell, CELLS } from '../src/cells/index.ts';

/** Tree shapes of the sweep: complete binary, random spine with random side groups, left caterpillar. */
export type Shape = 'balanced' | 'random' | 'chain';
/**
 * Everything a point is measured on: our three schedules, the TF.js backends, PyTorch (Node only),
 * the Float64 reference.
 */
export type Variant = 'level' | 'tree' | 'node' | 'tfjs-webgpu' | 'tfjs-cpu' | 'pytorch' | 'reference';

/** All shapes, in report order. */
export const SHAPES: readonly Shape[] = ['balanced', 'random', 'chain'];
/** All variants, in report order (ours first). */
export const VARIANTS: readonly Variant[] = [
  'level',
  'tree',
  'node',
  'tfjs-webgpu',
  'tfjs-cpu',
  'pytorch',
  'reference',
];
/** Variants that run on the engine (a schedule each). */
export const ENGINE_VARIANTS: readonly Variant[] = ['level', 'tree', 'node'];
/** Deepest tree a shape may have: balanced trees double their leaves per level. */
export const MAX_DEPTH: Readonly<Record<Shape, number>> = { balanced: 12, random: 128, chain: 128 };

/**
 * Per-step work limits of the slow variants: a point over its variant's cap is listed as skipped,
 * never silently dropped. `flops` is the step's mat-vec FLOPs (model.md), `dispatches` the node
 * schedule's dispatch count.
 */
export interface Caps {
  /** Any variant: step FLOPs of one point (keeps a preset's run time bounded). */
  stepFlops: number;
  /** Any variant: nodes × d of one point (bounds the engine's state buffers). */
  nodeDims: number;
  nodeDispatches: number;
  tfjsWebgpuFlops: number;
  /** TF.js runs a few dozen kernels per level and cell: its cost grows with the depth. */
  tfjsWebgpuLevels: number;
  tfjsCpuFlops: number;
  referenceFlops: number;
}

/** A whole run's settings. */
export interface SuiteConfig {
  preset: string;
  cells: Cell[];
  dims: number[];
  shapes: Shape[];
  depths: Record<Shape, number[]>;
  batches: number[];
  variants: Variant[];
  /** Timed repeats per measurement (after one warm-up); the median is reported. */
  repeats: number;
  seed: number;
  caps: Caps;
  /** Edge of the square matrix products that measure the adapter's ceiling. */
  ceilingSize: number;
}

/** One point of the sweep (all variants are measured on the same trees). */
export interface PointSpec {
  cell: Cell;
  dim: number;
  shape: Shape;
  depth: number;
  batch: number;
}

const QUICK: SuiteConfig = {
  preset: 'quick',
  cells: [...CELLS],
  dims: [8, 50],
  shapes: ['balanced', 'random', 'chain'],
  depths: { balanced: [2, 4], random: [4, 8], chain: [4, 16] },
  batches: [1, 64],
  variants: [...VARIANTS],
  repeats: 5,
  seed: 1,
  caps: {
    stepFlops: 1e8,
    nodeDims: 1e6,
    nodeDispatches: 2_000,
    tfjsWebgpuFlops: 1e8,
    tfjsWebgpuLevels: 4,
    tfjsCpuFlops: 2e7,
    referenceFlops: 5e7,
  },
  ceilingSize: 256,
};

const FULL: SuiteConfig = {
  preset: 'full',
  cells: [...CELLS],
  dims: [8, 32, 50, 128, 256],
  shapes: ['balanced', 'random', 'chain'],
  depths: {
    balanced: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    random: [2, 4, 8, 16, 32, 64, 128],
    chain: [1, 2, 4, 8, 16, 32, 64, 128],
  },
  batches: [1, 4, 16, 64, 256],
  variants: [...VARIANTS],
  repeats: 7,
  seed: 1,
  caps: {
    stepFlops: 1e13,
    nodeDims: 1.6e8,
    nodeDispatches: 50_000,
    tfjsWebgpuFlops: 1e11,
    tfjsWebgpuLevels: 128,
    tfjsCpuFlops: 2e8,
    referenceFlops: 1e9,
  },
  ceilingSize: 1024,
};

/** The named presets: `quick` fits a CPU adapter in ~5 minutes, `full` is the whole sweep for a GPU. */
export const PRESETS: Readonly<Record<string, SuiteConfig>> = { quick: QUICK, full: FULL };

/** Option names the CLI and the page's query string accept. */
export const OPTION_KEYS = [
  'preset',
  'cells',
  'dims',
  'shapes',
  'depths',
  'batch',
  'variants',
  'repeats',
  'seed',
  'ceiling',
] as const;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInts(key: string, value: string): number[] {
  const xs = list(value).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new RangeError(`--${key} takes positive integers separated by commas, got "${value}"`);
  }
  return xs;
}

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T[] {
  const xs = list(value);
  const bad = xs.filter((x) => !allowed.includes(x as T));
  if (xs.length === 0 || bad.length > 0) {
    throw new RangeError(`--${key}: unknown ${bad.join(', ') || '(empty)'}; expected ${allowed.join(', ')}`);
  }
  return xs as T[];
}

/**
 * Depths per shape: "4,8" for each of `shapes`, or "balanced=2,4;chain=4,16" per shape (shapes not
 * named keep `base`'s depths). Each depth of `shapes` must be within 1 … MAX_DEPTH of its shape.
 */
export function parseDepths(
  value: string,
  base: Record<Shape, number[]>,
  shapes: readonly Shape[] = SHAPES,
): Record<Shape, number[]> {
  const out = { ...base };
  if (!value.includes('=')) {
    for (const s of shapes) out[s] = positiveInts('depths', value);
  } else {
    for (const part of value.split(';').filter(Boolean)) {
      const [name, depths] = part.split('=');
      const [shape] = oneOf('depths', name ?? '', SHAPES);
      out[shape!] = positiveInts('depths', depths ?? '');
    }
  }
  for (const s of shapes) {
    const over = out[s].filter((d) => d > MAX_DEPTH[s]);
    if (over.length > 0)
      throw new RangeError(`--depths: ${s} trees go up to depth ${MAX_DEPTH[s]}, got ${over.join(', ')}`);
  }
  return out;
}

/** A run's settings from option strings (a preset, then overrides); throws on anything unknown. */
export function parseConfig(options: Readonly<Record<string, string | undefined>>): SuiteConfig {
  const unknown = Object.keys(options).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new RangeError(`unknown option(s): ${unknown.join(', ')}`);
  const name = options.preset ?? 'quick';
  const preset = PRESETS[name];
  if (!preset)
    throw new RangeError(`--preset: unknown "${name}", expected ${Object.keys(PRESETS).join(' or ')}`);
  const c: SuiteConfig = structuredClone(preset);
  const o = options;
  if (o.cells) c.cells = oneOf('cells', o.cells, CELLS);
  if (o.dims) c.dims = positiveInts('dims', o.dims);
  if (o.shapes) c.shapes = oneOf('shapes', o.shapes, SHAPES);
  if (o.depths) c.depths = parseDepths(o.depths, c.depths, c.shapes);
  if (o.batch) c.batches = positiveInts('batch', o.batch);
  if (o.variants) c.variants = oneOf('variants', o.variants, VARIANTS);
  if (o.repeats) [c.repeats] = positiveInts('repeats', o.repeats) as [number];
  if (o.seed) [c.seed] = positiveInts('seed', o.seed) as [number];
  if (o.ceiling) [c.ceilingSize] = positiveInts('ceiling', o.ceiling) as [number];
  if (c.repeats < 5) throw new RangeError(`--repeats: at least 5 (medians of 5 or more), got ${c.repeats}`);
  const overrides = Object.entries(o).filter(([k, v]) => k !== 'preset' && v !== undefined);
  if (overrides.length > 0) c.preset = `${name} (custom)`;
  return c;
}

/** Option strings that reproduce `config` through parseConfig (for the page's query string). */
export function configQuery(options: Readonly<Record<string, string | undefined>>): URLSearchParams {
  const q = new URLSearchParams();
  for (const key of OPTION_KEYS) if (options[key] !== undefined) q.set(key, options[key]!);
  return q;
}

/** Every point of the sweep, in run order: cell, d, shape, depth, batch (variants run inside a point). */
export function expandSweep(c: SuiteConfig): PointSpec[] {
  const points: PointSpec[] = [];
  for (const cell of c.cells)
    for (const dim of c.dims)
      for (const shape of c.shapes)
        for (const depth of c.depths[shape])
          for (const batch of c.batches) points.push({ cell, dim, shape, depth, batch });
  return points;
}

/** A point's key, for lookups and labels: "rnn d=8 balanced depth 4 ×64". */
export function pointKey(p: PointSpec): string {
  return `${p.cell} d=${p.dim} ${p.shape} depth ${p.depth} ×${p.batch}`;
}
