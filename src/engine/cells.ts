// What the engine needs to know of each cell: its kernels, how to launch them, its uniform
// parameters, and which sums of outer products make its weight gradients.
import { CELL_TENSORS, type Cell } from '../params/shapes.ts';
import { rlstmBackwardLaunch, rlstmForwardLaunch } from './rlstm-config.ts';
import type { ParamLayout } from './layout.ts';

/** Inputs of an outer-product term (see shaders/outer_reduce.wgsl). */
export const SRC = { hLeft: 0, hRight: 1, cLeft: 2, cRight: 3, cSelf: 4, one: 5 } as const;

/** dT = Σ_r Σ_terms deltas[r, slot] ⊗ input: a tensor's gradient as the reduction computes it. */
export interface GradTerms {
  tensor: string;
  terms: readonly (readonly [slot: number, src: number])[];
}

/** How to launch one level kernel for a range of `count` nodes. */
export interface LevelLaunch {
  shader: string;
  constants: Record<string, number>;
  /** Workgroups for a level of `count` nodes (before folding into y and z). */
  workgroups(count: number): number;
}

/** A cell as the engine sees it. */
export interface CellSpec {
  cell: Cell;
  /** Floats of saved activations per internal node (0: none) and of deltas per internal node. */
  savedWidth: number;
  deltaWidth: number;
  hasC: boolean;
  forward: LevelLaunch;
  backward: LevelLaunch;
  grads: readonly GradTerms[];
}

/**
 * RNN level kernels: NT nodes per workgroup; each thread keeps an NT × JT block of outputs in
 * registers, JT outputs per pass of WG threads (WG in whole 8-wide waves, at most 64).
 */
function rnnLaunch(shader: string, dim: number): LevelLaunch {
  const NT = 8;
  const JT = Math.min(8, Math.ceil(dim / 8));
  const WG = Math.min(64, 8 * Math.ceil(dim / (8 * JT)));
  const constants = { D: dim, NT, JT, WG };
  return { shader, constants, workgroups: (count) => Math.ceil(count / NT) };
}

function perNodes(
  shader: string,
  launch: { constants: Record<string, number>; nodesPerWorkgroup: number },
): LevelLaunch {
  return {
    shader,
    constants: launch.constants,
    workgroups: (count) => Math.ceil(count / launch.nodesPerWorkgroup),
  };
}

/** RLSTM gate tensors: a gate's four matrices and bias from its left/right deltas (slots a, b). */
function gateTerms(g: 'i' | 'f', a: number, b: number): GradTerms[] {
  return [
    {
      tensor: `W${g}`,
      terms: [
        [a, SRC.hLeft],
        [b, SRC.hRight],
      ],
    },
    {
      tensor: `W${g}_sib`,
      terms: [
        [a, SRC.hRight],
        [b, SRC.hLeft],
      ],
    },
    {
      tensor: `U${g}`,
      terms: [
        [a, SRC.cLeft],
        [b, SRC.cRight],
      ],
    },
    {
      tensor: `U${g}_sib`,
      terms: [
        [a, SRC.cRight],
        [b, SRC.cLeft],
      ],
    },
    {
      tensor: `b${g}`,
      terms: [
        [a, SRC.one],
        [b, SRC.one],
      ],
    },
  ];
}

/** The engine's description of `cell` at hidden size `dim`. */
export function cellSpec(cell: Cell, dim: number): CellSpec {
  if (!Number.isInteger(dim) || dim < 1 || dim > 512)
    throw new RangeError(`dim must be an integer in 1 … 512, got ${dim}`);
  if (cell === 'rnn') {
    return {
      cell,
      savedWidth: 0,
      deltaWidth: dim,
      hasC: false,
      forward: rnnLaunch('rnn_forward', dim),
      backward: rnnLaunch('rnn_backward', dim),
      grads: [
        { tensor: 'W_L', terms: [[0, SRC.hLeft]] },
        { tensor: 'W_R', terms: [[0, SRC.hRight]] },
        { tensor: 'b', terms: [[0, SRC.one]] },
      ],
    };
  }
  // RLSTM delta slots (shaders/rlstm_backward.wgsl): 0 δi_L, 1 δi_R, 2 δf_L, 3 δf_R, 4 du_L, 5 du_R, 6 δo, 7 δg.
  return {
    cell,
    savedWidth: 8 * dim,
    deltaWidth: 8 * dim,
    hasC: true,
    forward: perNodes('rlstm_forward', rlstmForwardLaunch(dim)),
    backward: perNodes('rlstm_backward', rlstmBackwardLaunch(dim)),
    grads: [
      ...gateTerms('i', 0, 1),
      ...gateTerms('f', 2, 3),
      { tensor: 'W_L', terms: [[4, SRC.hLeft]] },
      { tensor: 'W_R', terms: [[5, SRC.hRight]] },
      { tensor: 'b', terms: [[7, SRC.one]] },
      { tensor: 'O_L', terms: [[6, SRC.hLeft]] },
      { tensor: 'O_R', terms: [[6, SRC.hRight]] },
      { tensor: 'O_c', terms: [[6, SRC.cSelf]] },
      { tensor: 'bo', terms: [[6, SRC.one]] },
    ],
  };
}

/** The level kernels' uniform: numLeaves, then the offset of each cell tensor in model.md's order. */
export function cellParams(layout: ParamLayout, numLeaves: number): Uint32Array {
  const names = CELL_TENSORS[layout.cell];
  const words = new Uint32Array(Math.ceil((1 + names.length) / 4) * 4);
  words[0] = numLeaves;
  names.forEach((name, i) => {
    words[i + 1] = layout.offsets[name]!;
  });
  return words;
}
