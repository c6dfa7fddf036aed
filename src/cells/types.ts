// What a cell is: one record per cell (src/cells/<name>/index.ts) that everything else reads —
// tensors and fan-ins, the Float64 reference, the GPU level kernels and how to launch them, the
// weight-gradient reduction table, FLOPs, display name and colour.

/** Parameters or gradients by tensor name (row-major Float64). */
export type Tensors = Record<string, Float64Array>;

/** A child's state as the reference sees it: h, and c for a cell with a memory cell (zeros at a leaf). */
export interface ChildState {
  h: Float64Array;
  c: Float64Array | undefined;
}

/** What one node's reference forward returns: its h (and c), plus whatever its backward needs. */
export interface Saved {
  h: Float64Array;
  c?: Float64Array;
}

/** Gradients a node's reference backward hands its children (and its own total dc, for a memory cell). */
export interface ChildGrads {
  dhL: Float64Array;
  dhR: Float64Array;
  dcL?: Float64Array;
  dcR?: Float64Array;
  /** Total ∂J/∂c of this node (memory cells). */
  dc?: Float64Array;
}

/** The Float64 reference of one internal node, a direct transcription of docs/model.md. */
export interface CellReference {
  /**
   * Forward of one node from its children. `shiftC` adds `delta` to c[index] before anything
   * reads the new c: a probe for checking ∂J/∂c by finite differences (memory cells).
   */
  forward(
    P: Tensors,
    d: number,
    left: ChildState,
    right: ChildState,
    shiftC?: { index: number; delta: number },
  ): Saved;
  /**
   * Backward from dh and dcIn (the parent's share of ∂J/∂c; zeros without a memory cell):
   * accumulates (+=) the cell's tensor gradients into G and returns the children's gradients.
   */
  backward(P: Tensors, G: Tensors, d: number, saved: Saved, dh: Float64Array, dcIn: Float64Array): ChildGrads;
}

/** Inputs of an outer-product term (see shaders/include/outer_reduce_io.wgsl, `srcRow`). */
export const SRC = { hLeft: 0, hRight: 1, cLeft: 2, cRight: 3, cSelf: 4, one: 5 } as const;

/** dT = Σ_r Σ_terms deltas[r, slot] ⊗ input: a tensor's gradient as the reduction computes it. */
export interface GradTerms {
  tensor: string;
  terms: readonly (readonly [slot: number, src: number])[];
}

/** One way to launch a level kernel: its override constants and the whole nodes a workgroup owns. */
export interface LevelShape {
  constants: Record<string, number>;
  nodesPerWorkgroup: number;
}

/**
 * How to launch one level kernel: its shader and its shapes, by nodes per workgroup ascending.
 * The engine runs a level in `shapes[0]`, or in the last shape when the level is wide and the
 * adapter a CPU driver (`levelShape`, src/engine/cells.ts).
 */
export interface LevelLaunch {
  shader: string;
  shapes: readonly LevelShape[];
}

/** A cell's GPU side at one hidden size: level kernels, buffer widths and the reduction table. */
export interface CellKernels {
  /** Floats of saved activations per internal node (0: none) and of deltas per internal node. */
  savedWidth: number;
  deltaWidth: number;
  forward: LevelLaunch;
  backward: LevelLaunch;
  /** Which delta slot meets which input, per weight tensor (the weight-gradient kernels' table, src/engine/reduce.ts). */
  grads: readonly GradTerms[];
}

/** One cell: everything treegrad knows of it. */
export interface CellDef {
  /** Display name (tables, legends, the page). */
  label: string;
  /** Any CSS colour: the cell's series in charts. */
  colour: string;
  /** The cell's own tensors in model.md's order (without E, Wc, bc); biases start with `b`. */
  tensors: readonly string[];
  /** Initialisation fan-in of each matrix, in units of d (model.md). */
  fanIn: Readonly<Record<string, number>>;
  /** Whether the cell has a memory cell c (and so gc per node). */
  hasC: boolean;
  /** d × d mat-vecs per internal node, forward (model.md); backward is about twice that. */
  matvecs: number;
  reference: CellReference;
  /** The GPU side at hidden size `dim` (1 … 512). */
  kernels(dim: number): CellKernels;
}

/**
 * Launch of a level kernel whose workgroups own whole nodes: one shape per (constants, nodes per
 * workgroup), narrowest first. A level of `count` nodes in shape i dispatches
 * ⌈count / nodesPerWorkgroup⌉ workgroups (folded by computeDispatch).
 */
export function perNodes(shader: string, ...shapes: LevelShape[]): LevelLaunch {
  if (shapes.length === 0) throw new Error(`${shader}: a launch needs at least one shape`);
  return { shader, shapes };
}

/**
 * Threads of a quad-per-thread level kernel (the RLSTM's and the Tree-LSTM's) at hidden size D, a
 * multiple of 4: one thread per quad of units in whole 8-wide waves, at most 64 (past 4·WG units a
 * thread loops). Below 8 quads (D < 32) a wave holds GROUPS = ⌊8 / Q⌋ groups of Q threads, each
 * group with its own nodes, so the lanes that Q quads leave empty work too: on lavapipe a 64-tree
 * RLSTM step at d = 8 (3,168 nodes) went from 4.65 to 2.97 ms.
 */
export function quadThreads(D: number): { WG: number; GROUPS: number } {
  const Q = D / 4;
  const GROUPS = Math.max(1, Math.floor(8 / Q));
  return { WG: GROUPS > 1 ? GROUPS * Q : Math.min(64, 8 * Math.ceil(D / 32)), GROUPS };
}
