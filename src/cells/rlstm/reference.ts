// The RLSTM's Float64 reference node, transcribed from docs/model.md (Le & Zuidema 2015).
// Parameter gradients are accumulated (+=) into G; child gradients are returned fresh.
import { addTo, matTVecAdd, matVecAdd, outerAdd, sigmoid, tensor } from '../../reference/linalg.ts';
import type { Tensors } from '../types.ts';

/** What the RLSTM forward keeps for backward: children's state, gates, W h products, candidate, c, o. */
export interface RlstmSaved {
  hL: Float64Array;
  cL: Float64Array;
  hR: Float64Array;
  cR: Float64Array;
  iL: Float64Array;
  iR: Float64Array;
  fL: Float64Array;
  fR: Float64Array;
  uL: Float64Array;
  uR: Float64Array;
  g: Float64Array;
  c: Float64Array;
  o: Float64Array;
  h: Float64Array;
}

/** σ(W x + W_sib y + U cx + U_sib cy + bias): one gate with its sibling terms. */
function gate(
  P: Tensors,
  g: 'i' | 'f',
  d: number,
  x: Float64Array,
  y: Float64Array,
  cx: Float64Array,
  cy: Float64Array,
) {
  const a = Float64Array.from(tensor(P, `b${g}`));
  matVecAdd(a, tensor(P, `W${g}`), x, d, d);
  matVecAdd(a, tensor(P, `W${g}_sib`), y, d, d);
  matVecAdd(a, tensor(P, `U${g}`), cx, d, d);
  matVecAdd(a, tensor(P, `U${g}_sib`), cy, d, d);
  return a.map(sigmoid);
}

/**
 * RLSTM forward (model.md). `shiftC` adds `delta` to c[index] before the output gate and h see it:
 * a probe for checking ∂J/∂c by finite differences.
 */
export function rlstmForward(
  P: Tensors,
  d: number,
  hL: Float64Array,
  cL: Float64Array,
  hR: Float64Array,
  cR: Float64Array,
  shiftC?: { index: number; delta: number },
): RlstmSaved {
  const iL = gate(P, 'i', d, hL, hR, cL, cR);
  const iR = gate(P, 'i', d, hR, hL, cR, cL);
  const fL = gate(P, 'f', d, hL, hR, cL, cR);
  const fR = gate(P, 'f', d, hR, hL, cR, cL);
  const uL = new Float64Array(d);
  const uR = new Float64Array(d);
  matVecAdd(uL, tensor(P, 'W_L'), hL, d, d);
  matVecAdd(uR, tensor(P, 'W_R'), hR, d, d);
  const bias = tensor(P, 'b');
  const g = bias.map((b, k) =>
    Math.tanh((iL[k] as number) * (uL[k] as number) + (iR[k] as number) * (uR[k] as number) + b),
  );
  const c = g.map(
    (gk, k) => (fL[k] as number) * (cL[k] as number) + (fR[k] as number) * (cR[k] as number) + gk,
  );
  if (shiftC) c[shiftC.index] = (c[shiftC.index] as number) + shiftC.delta;
  const ao = Float64Array.from(tensor(P, 'bo'));
  matVecAdd(ao, tensor(P, 'O_L'), hL, d, d);
  matVecAdd(ao, tensor(P, 'O_R'), hR, d, d);
  matVecAdd(ao, tensor(P, 'O_c'), c, d, d);
  const o = ao.map(sigmoid);
  const h = o.map((ok, k) => ok * Math.tanh(c[k] as number));
  return { hL, cL, hR, cR, iL, iR, fL, fR, uL, uR, g, c, o, h };
}

/** Backward through one gate pair (left and right roles): accumulates its 5 tensors, adds into child grads. */
function gateBackward(
  P: Tensors,
  G: Tensors,
  g: 'i' | 'f',
  d: number,
  s: RlstmSaved,
  daL: Float64Array,
  daR: Float64Array,
  out: { dhL: Float64Array; dhR: Float64Array; dcL: Float64Array; dcR: Float64Array },
): void {
  const [W, Ws, U, Us] = [`W${g}`, `W${g}_sib`, `U${g}`, `U${g}_sib`];
  addTo(tensor(G, `b${g}`), daL);
  addTo(tensor(G, `b${g}`), daR);
  // Left role: W h_L + W_sib h_R + U c_L + U_sib c_R; right role swaps L and R.
  for (const [da, x, y, cx, cy, dx, dy, dcx, dcy] of [
    [daL, s.hL, s.hR, s.cL, s.cR, out.dhL, out.dhR, out.dcL, out.dcR],
    [daR, s.hR, s.hL, s.cR, s.cL, out.dhR, out.dhL, out.dcR, out.dcL],
  ] as const) {
    outerAdd(tensor(G, W), da, x, d, d);
    outerAdd(tensor(G, Ws), da, y, d, d);
    outerAdd(tensor(G, U), da, cx, d, d);
    outerAdd(tensor(G, Us), da, cy, d, d);
    matTVecAdd(dx, tensor(P, W), da, d, d);
    matTVecAdd(dy, tensor(P, Ws), da, d, d);
    matTVecAdd(dcx, tensor(P, U), da, d, d);
    matTVecAdd(dcy, tensor(P, Us), da, d, d);
  }
}

/**
 * RLSTM backward from dh and dcIn (the parent's gradient on c). Accumulates all 17 cell tensors into G
 * and returns the children's dh, dc and dc: the total ∂J/∂c of this node (dcIn plus the paths
 * through h = o ⊙ tanh(c) and the output gate's peephole O_c).
 */
export function rlstmBackward(
  P: Tensors,
  G: Tensors,
  d: number,
  s: RlstmSaved,
  dh: Float64Array,
  dcIn: Float64Array,
) {
  const tc = s.c.map(Math.tanh);
  // Output gate: h = o ⊙ tanh(c), o = σ(O_L h_L + O_R h_R + O_c c + bo).
  const dao = dh.map((g, k) => g * (tc[k] as number) * (s.o[k] as number) * (1 - (s.o[k] as number)));
  const dc = dh.map((g, k) => (dcIn[k] as number) + g * (s.o[k] as number) * (1 - (tc[k] as number) ** 2));
  matTVecAdd(dc, tensor(P, 'O_c'), dao, d, d);
  addTo(tensor(G, 'bo'), dao);
  outerAdd(tensor(G, 'O_L'), dao, s.hL, d, d);
  outerAdd(tensor(G, 'O_R'), dao, s.hR, d, d);
  outerAdd(tensor(G, 'O_c'), dao, s.c, d, d);
  const out = {
    dhL: new Float64Array(d),
    dhR: new Float64Array(d),
    dcL: new Float64Array(d),
    dcR: new Float64Array(d),
  };
  matTVecAdd(out.dhL, tensor(P, 'O_L'), dao, d, d);
  matTVecAdd(out.dhR, tensor(P, 'O_R'), dao, d, d);
  // Memory: c = f_L ⊙ c_L + f_R ⊙ c_R + g, g = tanh(i_L ⊙ u_L + i_R ⊙ u_R + b), u = W h.
  const dfL = dc.map((g, k) => g * (s.cL[k] as number));
  const dfR = dc.map((g, k) => g * (s.cR[k] as number));
  for (let k = 0; k < d; k++) {
    out.dcL[k] = (out.dcL[k] as number) + (dc[k] as number) * (s.fL[k] as number);
    out.dcR[k] = (out.dcR[k] as number) + (dc[k] as number) * (s.fR[k] as number);
  }
  const dpre = dc.map((g, k) => g * (1 - (s.g[k] as number) ** 2));
  addTo(tensor(G, 'b'), dpre);
  const duL = dpre.map((g, k) => g * (s.iL[k] as number));
  const duR = dpre.map((g, k) => g * (s.iR[k] as number));
  outerAdd(tensor(G, 'W_L'), duL, s.hL, d, d);
  outerAdd(tensor(G, 'W_R'), duR, s.hR, d, d);
  matTVecAdd(out.dhL, tensor(P, 'W_L'), duL, d, d);
  matTVecAdd(out.dhR, tensor(P, 'W_R'), duR, d, d);
  // Gates: through σ' = σ (1 − σ).
  const dsig = (dv: Float64Array, v: Float64Array) =>
    dv.map((x, k) => x * (v[k] as number) * (1 - (v[k] as number)));
  const daiL = dsig(
    dpre.map((g, k) => g * (s.uL[k] as number)),
    s.iL,
  );
  const daiR = dsig(
    dpre.map((g, k) => g * (s.uR[k] as number)),
    s.iR,
  );
  gateBackward(P, G, 'i', d, s, daiL, daiR, out);
  gateBackward(P, G, 'f', d, s, dsig(dfL, s.fL), dsig(dfR, s.fR), out);
  return { ...out, dc };
}
