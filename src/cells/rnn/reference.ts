// The RNN's Float64 reference node, transcribed from docs/model.md: h = tanh(W_L h_L + W_R h_R + b).
// Parameter gradients are accumulated (+=) into G; child gradients are returned fresh.
import { addTo, matTVecAdd, matVecAdd, outerAdd, tensor } from '../../reference/linalg.ts';
import type { Tensors } from '../types.ts';

/** What the RNN forward keeps for backward: the children's h and the node's h. */
export interface RnnSaved {
  hL: Float64Array;
  hR: Float64Array;
  h: Float64Array;
}

/** RNN forward: h = tanh(W_L h_L + W_R h_R + b). */
export function rnnForward(P: Tensors, d: number, hL: Float64Array, hR: Float64Array): RnnSaved {
  const a = Float64Array.from(tensor(P, 'b'));
  matVecAdd(a, tensor(P, 'W_L'), hL, d, d);
  matVecAdd(a, tensor(P, 'W_R'), hR, d, d);
  return { hL, hR, h: a.map(Math.tanh) };
}

/** RNN backward from dh: accumulates dW_L, dW_R, db into G and returns the children's dh. */
export function rnnBackward(P: Tensors, G: Tensors, d: number, s: RnnSaved, dh: Float64Array) {
  const da = dh.map((g, k) => g * (1 - (s.h[k] as number) ** 2));
  addTo(tensor(G, 'b'), da);
  outerAdd(tensor(G, 'W_L'), da, s.hL, d, d);
  outerAdd(tensor(G, 'W_R'), da, s.hR, d, d);
  const dhL = new Float64Array(d);
  const dhR = new Float64Array(d);
  matTVecAdd(dhL, tensor(P, 'W_L'), da, d, d);
  matTVecAdd(dhR, tensor(P, 'W_R'), da, d, d);
  return { dhL, dhR };
}
