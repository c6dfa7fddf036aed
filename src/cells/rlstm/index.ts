// The recursive LSTM of Le & Zuidema (2015), as in the authors' code (docs/model.md). Kernels:
// shaders/rlstm_forward.wgsl, shaders/rlstm_backward.wgsl; launch shapes in launch.ts.
import { type CellDef, type GradTerms, perNodes, SRC } from '../types.ts';
import { rlstmBackwardLaunch, rlstmForwardLaunch } from './launch.ts';
import { type RlstmSaved, rlstmBackward, rlstmForward } from './reference.ts';

export { rlstmBackwardLaunch, rlstmForwardLaunch } from './launch.ts';
export { type RlstmSaved, rlstmBackward, rlstmForward } from './reference.ts';

/** A gate's four matrices and bias from its left/right deltas (slots a, b). */
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

/** The RLSTM cell. */
export const rlstm: CellDef = {
  label: 'RLSTM',
  colour: '#f28e2b',
  tensors: [
    'Wi',
    'Wi_sib',
    'Ui',
    'Ui_sib',
    'bi',
    'Wf',
    'Wf_sib',
    'Uf',
    'Uf_sib',
    'bf',
    'W_L',
    'W_R',
    'b',
    'O_L',
    'O_R',
    'O_c',
    'bo',
  ],
  // Gates sum 4 d-vectors, W_L/W_R's candidate 2, the output gate 3.
  fanIn: {
    Wi: 4,
    Wi_sib: 4,
    Ui: 4,
    Ui_sib: 4,
    Wf: 4,
    Wf_sib: 4,
    Uf: 4,
    Uf_sib: 4,
    W_L: 2,
    W_R: 2,
    O_L: 3,
    O_R: 3,
    O_c: 3,
  },
  hasC: true,
  // 8 for the input gates, 8 for the forget gates, 2 for W_L/W_R, 3 for the output gate.
  matvecs: 21,
  reference: {
    forward: (P, d, left, right, shiftC) =>
      rlstmForward(P, d, left.h, left.c as Float64Array, right.h, right.c as Float64Array, shiftC),
    backward: (P, G, d, saved, dh, dcIn) => rlstmBackward(P, G, d, saved as RlstmSaved, dh, dcIn),
  },
  // Delta slots (shaders/rlstm_backward.wgsl): 0 δi_L, 1 δi_R, 2 δf_L, 3 δf_R, 4 du_L, 5 du_R, 6 δo, 7 δg.
  kernels(dim) {
    return {
      savedWidth: 8 * dim,
      deltaWidth: 8 * dim,
      forward: perNodes('rlstm_forward', rlstmForwardLaunch(dim), rlstmForwardLaunch(dim, true)),
      backward: perNodes('rlstm_backward', rlstmBackwardLaunch(dim), rlstmBackwardLaunch(dim, true)),
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
  },
};
