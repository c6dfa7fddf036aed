// The RNN (Socher-style): h = tanh(W_L h_L + W_R h_R + b). Kernels: shaders/rnn_forward.wgsl,
// shaders/rnn_backward.wgsl; delta slot 0 is δ = dh ⊙ (1 − h²).
import { type CellDef, type LevelLaunch, perNodes, SRC } from '../types.ts';
import { type RnnSaved, rnnBackward, rnnForward } from './reference.ts';

export { type RnnSaved, rnnBackward, rnnForward } from './reference.ts';

/** Widest hidden size (a multiple of 4) the quad kernels take. */
const QUADS_UP_TO = 16;

/**
 * RNN level kernels. Up to D = 16, rnn_forward_quads / rnn_backward_quads: a thread owns a quad of
 * units of 4 nodes, 8 groups of D / 4 threads per workgroup (32 nodes). On lavapipe, a 64-tree
 * step at d = 8 (3,168 nodes): forward 0.70 → 0.37 ms, backward 0.79 → 0.42 ms. Wider: NT nodes
 * per workgroup; each thread keeps an NT × JT block of outputs in registers, JT outputs per pass
 * of WG threads (WG in whole 8-wide waves, at most 64); vec4 versions of those were slower at
 * d = 50 (docs/engine.md).
 */
function launch(shader: string, dim: number): LevelLaunch {
  if (dim <= QUADS_UP_TO && dim % 4 === 0) {
    const groups = 8;
    const NT = 4;
    const constants = { D: dim, NT, GROUPS: groups, WG: groups * (dim / 4) };
    return perNodes(`${shader}_quads`, { constants, nodesPerWorkgroup: groups * NT });
  }
  const NT = 8;
  const JT = Math.min(8, Math.ceil(dim / 8));
  const WG = Math.min(64, 8 * Math.ceil(dim / (8 * JT)));
  return perNodes(shader, { constants: { D: dim, NT, JT, WG }, nodesPerWorkgroup: NT });
}

/** The RNN cell. */
export const rnn: CellDef = {
  label: 'RNN',
  colour: '#4e79a7',
  tensors: ['W_L', 'W_R', 'b'],
  fanIn: { W_L: 2, W_R: 2 },
  hasC: false,
  matvecs: 2,
  reference: {
    forward: (P, d, left, right) => rnnForward(P, d, left.h, right.h),
    backward: (P, G, d, saved, dh) => rnnBackward(P, G, d, saved as RnnSaved, dh),
  },
  kernels: (dim) => ({
    savedWidth: 0,
    deltaWidth: dim,
    forward: launch('rnn_forward', dim),
    backward: launch('rnn_backward', dim),
    grads: [
      { tensor: 'W_L', terms: [[0, SRC.hLeft]] },
      { tensor: 'W_R', terms: [[0, SRC.hRight]] },
      { tensor: 'b', terms: [[0, SRC.one]] },
    ],
  }),
};
