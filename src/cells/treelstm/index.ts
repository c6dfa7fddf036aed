// The binary Tree-LSTM of Tai, Socher and Manning (2015), the cell most later tree work uses
// (docs/model.md, "Tree-LSTM"). Kernels: shaders/treelstm_forward.wgsl, shaders/treelstm_backward.wgsl.
import { type CellDef, type LevelLaunch, perNodes, quadThreads, SRC } from '../types.ts';
import { type TreeLstmSaved, treeLstmBackward, treeLstmForward } from './reference.ts';

export { type TreeLstmSaved, treeLstmBackward, treeLstmDeltas, treeLstmForward } from './reference.ts';

/** Largest hidden size the kernels support. */
const MAX_D = 512;
/**
 * Nodes per workgroup (as the RLSTM's: reuse of each weight, yet narrow levels spread out), and of
 * the wide shape the engine runs on levels of many nodes on a CPU driver. 64 trees at d = 50: on
 * lavapipe forward 23.6 → 18.4 ms and backward 32–33 → 27–31 ms; on SwiftShader forward
 * 317–334 → 238–253 ms and backward 304–310 → 198–206 ms.
 */
const NT = 4;
const NT_WIDE = 8;

/**
 * A level kernel at hidden size D (a multiple of 4: the engine runs d at gpuDim(d)): a group of
 * threads owns NT (or NT_WIDE) whole nodes, each thread a quad of outputs of all of them;
 * `quadThreads` sizes the workgroup and its groups.
 */
function launch(shader: string, D: number): LevelLaunch {
  if (!Number.isInteger(D) || D < 1 || D > MAX_D || D % 4 !== 0) {
    throw new RangeError(`${shader}: hidden size D must be a multiple of 4 in 4..${MAX_D}, got ${D}`);
  }
  const { WG, GROUPS } = quadThreads(D);
  const shape = (nt: number) => ({ constants: { D, NT: nt, WG, GROUPS }, nodesPerWorkgroup: GROUPS * nt });
  return perNodes(shader, shape(NT), shape(NT_WIDE));
}

/** Which delta slot (shaders/treelstm_backward.wgsl) meets h_L and h_R, for a gate's two matrices. */
const pair = (slot: number, left: string, right: string) => [
  { tensor: left, terms: [[slot, SRC.hLeft]] as const },
  { tensor: right, terms: [[slot, SRC.hRight]] as const },
];

/** The Tree-LSTM cell. */
export const treelstm: CellDef = {
  label: 'Tree-LSTM',
  colour: '#59a14f',
  tensors: [
    'Ui_L',
    'Ui_R',
    'bi',
    'Uf_LL',
    'Uf_LR',
    'Uf_RL',
    'Uf_RR',
    'bf',
    'Uo_L',
    'Uo_R',
    'bo',
    'Uu_L',
    'Uu_R',
    'bu',
  ],
  // Every gate and the candidate sum 2 d-vectors (h_L, h_R).
  fanIn: {
    Ui_L: 2,
    Ui_R: 2,
    Uf_LL: 2,
    Uf_LR: 2,
    Uf_RL: 2,
    Uf_RR: 2,
    Uo_L: 2,
    Uo_R: 2,
    Uu_L: 2,
    Uu_R: 2,
  },
  hasC: true,
  // Two per gate (i, f_L, f_R, o) and two for the candidate u.
  matvecs: 10,
  reference: {
    forward: (P, d, left, right, shiftC) =>
      treeLstmForward(P, d, left.h, left.c as Float64Array, right.h, right.c as Float64Array, shiftC),
    backward: (P, G, d, saved, dh, dcIn) => treeLstmBackward(P, G, d, saved as TreeLstmSaved, dh, dcIn),
  },
  // Saved slots: i, f_L, f_R, o, u. Delta slots: 0 δi, 1 δf_L, 2 δf_R, 3 δo, 4 δu.
  kernels: (dim) => ({
    savedWidth: 5 * dim,
    deltaWidth: 5 * dim,
    forward: launch('treelstm_forward', dim),
    backward: launch('treelstm_backward', dim),
    grads: [
      ...pair(0, 'Ui_L', 'Ui_R'),
      { tensor: 'bi', terms: [[0, SRC.one]] },
      ...pair(1, 'Uf_LL', 'Uf_LR'),
      ...pair(2, 'Uf_RL', 'Uf_RR'),
      {
        tensor: 'bf',
        terms: [
          [1, SRC.one],
          [2, SRC.one],
        ],
      },
      ...pair(3, 'Uo_L', 'Uo_R'),
      { tensor: 'bo', terms: [[3, SRC.one]] },
      ...pair(4, 'Uu_L', 'Uu_R'),
      { tensor: 'bu', terms: [[4, SRC.one]] },
    ],
  }),
};
