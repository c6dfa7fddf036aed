// The binary Tree-LSTM's Float64 reference node (Tai, Socher and Manning 2015, §3.2 with N = 2),
// transcribed from docs/model.md. Parameter gradients are accumulated (+=) into G; child
// gradients are returned fresh.
import { addTo, matTVecAdd, matVecAdd, outerAdd, sigmoid, tensor } from '../../reference/linalg.ts';
import type { Tensors } from '../types.ts';

/** What the Tree-LSTM forward keeps for backward: children's state, gates, candidate, c and h. */
export interface TreeLstmSaved {
  hL: Float64Array;
  cL: Float64Array;
  hR: Float64Array;
  cR: Float64Array;
  i: Float64Array;
  fL: Float64Array;
  fR: Float64Array;
  o: Float64Array;
  u: Float64Array;
  c: Float64Array;
  h: Float64Array;
}

/** act(A h_L + B h_R + bias): one gate or the candidate. */
function gate(
  P: Tensors,
  d: number,
  a: string,
  b: string,
  bias: string,
  hL: Float64Array,
  hR: Float64Array,
  act: (x: number) => number,
): Float64Array {
  const x = Float64Array.from(tensor(P, bias));
  matVecAdd(x, tensor(P, a), hL, d, d);
  matVecAdd(x, tensor(P, b), hR, d, d);
  return x.map(act);
}

/**
 * Tree-LSTM forward (model.md). `shiftC` adds `delta` to c[index] before h sees it: a probe for
 * checking ∂J/∂c by finite differences.
 */
export function treeLstmForward(
  P: Tensors,
  d: number,
  hL: Float64Array,
  cL: Float64Array,
  hR: Float64Array,
  cR: Float64Array,
  shiftC?: { index: number; delta: number },
): TreeLstmSaved {
  const i = gate(P, d, 'Ui_L', 'Ui_R', 'bi', hL, hR, sigmoid);
  const fL = gate(P, d, 'Uf_LL', 'Uf_LR', 'bf', hL, hR, sigmoid);
  const fR = gate(P, d, 'Uf_RL', 'Uf_RR', 'bf', hL, hR, sigmoid);
  const o = gate(P, d, 'Uo_L', 'Uo_R', 'bo', hL, hR, sigmoid);
  const u = gate(P, d, 'Uu_L', 'Uu_R', 'bu', hL, hR, Math.tanh);
  const c = i.map((ik, k) => ik * u[k]! + fL[k]! * cL[k]! + fR[k]! * cR[k]!);
  if (shiftC) c[shiftC.index] = c[shiftC.index]! + shiftC.delta;
  const h = o.map((ok, k) => ok * Math.tanh(c[k]!));
  return { hL, cL, hR, cR, i, fL, fR, o, u, c, h };
}

/** The five deltas of a node's pre-activations, in the GPU's slot order: δi, δf_L, δf_R, δo, δu. */
export function treeLstmDeltas(s: TreeLstmSaved, dh: Float64Array, dc: Float64Array): Float64Array[] {
  const dsig = (v: Float64Array, k: number) => v[k]! * (1 - v[k]!);
  return [
    dc.map((g, k) => g * s.u[k]! * dsig(s.i, k)),
    dc.map((g, k) => g * s.cL[k]! * dsig(s.fL, k)),
    dc.map((g, k) => g * s.cR[k]! * dsig(s.fR, k)),
    dh.map((g, k) => g * Math.tanh(s.c[k]!) * dsig(s.o, k)),
    dc.map((g, k) => g * s.i[k]! * (1 - s.u[k]! ** 2)),
  ];
}

/** Which (left, right) matrices and bias each delta slot of treeLstmDeltas goes through. */
const SLOT_TENSORS = [
  ['Ui_L', 'Ui_R', 'bi'],
  ['Uf_LL', 'Uf_LR', 'bf'],
  ['Uf_RL', 'Uf_RR', 'bf'],
  ['Uo_L', 'Uo_R', 'bo'],
  ['Uu_L', 'Uu_R', 'bu'],
] as const;

/**
 * Tree-LSTM backward from dh and dcIn (the parent's gradient on c). Accumulates all 14 cell
 * tensors into G and returns the children's dh and dc, and dc: the total ∂J/∂c of this node
 * (dcIn plus the path through h = o ⊙ tanh(c)).
 */
export function treeLstmBackward(
  P: Tensors,
  G: Tensors,
  d: number,
  s: TreeLstmSaved,
  dh: Float64Array,
  dcIn: Float64Array,
) {
  const dc = dh.map((g, k) => dcIn[k]! + g * s.o[k]! * (1 - Math.tanh(s.c[k]!) ** 2));
  const dhL = new Float64Array(d);
  const dhR = new Float64Array(d);
  treeLstmDeltas(s, dh, dc).forEach((delta, slot) => {
    const [a, b, bias] = SLOT_TENSORS[slot]!;
    outerAdd(tensor(G, a), delta, s.hL, d, d);
    outerAdd(tensor(G, b), delta, s.hR, d, d);
    addTo(tensor(G, bias), delta);
    matTVecAdd(dhL, tensor(P, a), delta, d, d);
    matTVecAdd(dhR, tensor(P, b), delta, d, d);
  });
  const dcL = dc.map((g, k) => g * s.fL[k]!);
  const dcR = dc.map((g, k) => g * s.fR[k]!);
  return { dhL, dhR, dcL, dcR, dc };
}
