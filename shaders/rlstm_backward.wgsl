// rlstm_backward: one level of the recursive LSTM, top-down, every node of the level at once.
//   δo = dh ⊙ tanh(c) ⊙ o(1 − o);  dc = dC + dh ⊙ o ⊙ (1 − tanh²c) + O_cᵀ δo  (total ∂J/∂c)
//   δg = dc ⊙ (1 − g²);  du_L = δg ⊙ i_L;  δi_L = δg ⊙ u_L ⊙ i_L(1 − i_L)
//   δf_L = dc ⊙ c_L ⊙ f_L(1 − f_L)                               (and the same for R)
//   dc_L = dc ⊙ f_L + Uiᵀδi_L + Ui_sibᵀδi_R + Ufᵀδf_L + Uf_sibᵀδf_R
//   dh_L = W_Lᵀdu_L + O_Lᵀδo + Wiᵀδi_L + Wi_sibᵀδi_R + Wfᵀδf_L + Wf_sibᵀδf_R  (R: swap L, R)
//
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         dC       rows of this level: the gradient on c from the parent alone (zero for roots)
//         C, S     this level's c and saved gates (rlstm_forward); C of the children for δf
//         theta    every matrix [D, D] row-major at params' offsets; children [numInternal, 2] u32
// Writes: dC       this level's rows with `=`: the total dc (read first as the parent's part)
//         dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         dC       the children's rows with `=`
//         deltas   [numInternal, 8, D] with `=`: slots δi_L, δi_R, δf_L, δf_R, du_L, du_R, δo, δg
// H is bound for the contract but not read (tanh(c) and o come from C and S).
//
// Work: a workgroup owns NT whole nodes. Thread t keeps an NT × JT block of units in registers:
// units j = j0 + q·WG + t (q < JT) of all NT nodes. Phase 1 writes δo and the direct part of dc;
// after a barrier, phase 2 adds O_cᵀδo and writes the gate deltas; after another, phase 3 sums the
// transposed mat-vecs for the children. Wᵀ products read W[k, j] (consecutive j across threads:
// coalesced); the deltas δ[n, k] are loads the whole workgroup shares (no workgroup memory).

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 2u;   // units per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;
const TANH_CLAMP = 15.0;

struct Params {
  numLeaves: u32, offWi: u32, offWi_sib: u32, offUi: u32, offUi_sib: u32, offbi: u32,
  offWf: u32, offWf_sib: u32, offUf: u32, offUf_sib: u32, offbf: u32, offW_L: u32, offW_R: u32, offb: u32,
  offO_L: u32, offO_R: u32, offO_c: u32, offbo: u32,
}
struct Range {
  start: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> dH: array<f32>;
@group(0) @binding(1) var<storage, read_write> dC: array<f32>;
@group(0) @binding(2) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(3) var<storage, read> H: array<f32>;
@group(0) @binding(4) var<storage, read> C: array<f32>;
@group(0) @binding(5) var<storage, read> S: array<f32>;
@group(0) @binding(6) var<storage, read> theta: array<f32>;
@group(0) @binding(7) var<storage, read> children: array<u32>;
@group(0) @binding(8) var<uniform> params: Params;
@group(0) @binding(9) var<uniform> range: Range;

fn tanhc(x: f32) -> f32 { return tanh(clamp(x, -TANH_CLAMP, TANH_CLAMP)); }
fn child(row: u32, side: u32) -> u32 { return children[2u * (row - params.numLeaves) + side]; }

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let first = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * NT;  // first node of this workgroup in the range
  if (first >= range.count) {
    return;  // uniform: the whole workgroup is past the level
  }
  let p = params;
  let nodes = min(NT, range.count - first);
  // Rows of the nodes and their deltas; a short last workgroup repeats its last node (never stored).
  var row = array<u32, NT_MAX>();
  var s = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    row[n] = range.start + first + min(n, nodes - 1u);
    s[n] = (row[n] - p.numLeaves) * 8u * D;
  }
  // Phase 1: δo, and dc's parent and h = o ⊙ tanh(c) terms.
  for (var j = t; j < D; j += WG) {
    for (var n = 0u; n < nodes; n++) {
      let dh = dH[row[n] * D + j];
      let o = S[s[n] + 6u * D + j];
      let tc = tanhc(C[row[n] * D + j]);
      deltas[s[n] + 6u * D + j] = dh * tc * o * (1.0 - o);
      dC[row[n] * D + j] += dh * o * (1.0 - tc * tc);
    }
  }
  storageBarrier();
  // Phase 2: dc += O_cᵀ δo, then the gate and candidate deltas.
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();  // this thread's units (past D: unit D − 1, never stored)
    for (var q = 0u; q < JT; q++) {
      w[q] = p.offO_c + min(j0 + q * WG + t, D - 1u);
    }
    var acc = array<f32, NT_MAX * JT_MAX>();  // [node · JT_MAX + q]; explicit zeros: see rlstm_forward
    for (var k = 0u; k < D; k++) {
      for (var n = 0u; n < NT; n++) {
        let dO = deltas[s[n] + 6u * D + k];
        for (var q = 0u; q < JT; q++) {
          acc[n * JT_MAX + q] += theta[w[q] + k * D] * dO;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let e = s[n] + j;
          let dc = dC[row[n] * D + j] + acc[n * JT_MAX + q];
          dC[row[n] * D + j] = dc;
          let iL = S[e]; let iR = S[e + D]; let fL = S[e + 2u * D]; let fR = S[e + 3u * D];
          let g = S[e + 7u * D];
          let dg = dc * (1.0 - g * g);
          deltas[e] = dg * S[e + 4u * D] * iL * (1.0 - iL);
          deltas[e + D] = dg * S[e + 5u * D] * iR * (1.0 - iR);
          deltas[e + 2u * D] = dc * C[child(row[n], 0u) * D + j] * fL * (1.0 - fL);
          deltas[e + 3u * D] = dc * C[child(row[n], 1u) * D + j] * fR * (1.0 - fR);
          deltas[e + 4u * D] = dg * iL;
          deltas[e + 5u * D] = dg * iR;
          deltas[e + 7u * D] = dg;
        }
      }
    }
  }
  storageBarrier();
  // Phase 3: the children's dh and dc.
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();
    for (var q = 0u; q < JT; q++) {
      w[q] = min(j0 + q * WG + t, D - 1u);
    }
    var dhL = array<f32, NT_MAX * JT_MAX>(); var dhR = array<f32, NT_MAX * JT_MAX>();
    var dcL = array<f32, NT_MAX * JT_MAX>(); var dcR = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      for (var q = 0u; q < JT; q++) {
        let e = k * D + w[q];
        let wi = theta[p.offWi + e]; let wis = theta[p.offWi_sib + e];
        let ui = theta[p.offUi + e]; let uis = theta[p.offUi_sib + e];
        let wf = theta[p.offWf + e]; let wfs = theta[p.offWf_sib + e];
        let uf = theta[p.offUf + e]; let ufs = theta[p.offUf_sib + e];
        let wl = theta[p.offW_L + e]; let wr = theta[p.offW_R + e];
        let oL = theta[p.offO_L + e]; let oR = theta[p.offO_R + e];
        for (var n = 0u; n < NT; n++) {
          let x = s[n] + k;
          let diL = deltas[x]; let diR = deltas[x + D];
          let dfL = deltas[x + 2u * D]; let dfR = deltas[x + 3u * D];
          let duL = deltas[x + 4u * D]; let duR = deltas[x + 5u * D];
          let dO = deltas[x + 6u * D];
          let a = n * JT_MAX + q;
          dcL[a] += ui * diL + uis * diR + uf * dfL + ufs * dfR;
          dcR[a] += ui * diR + uis * diL + uf * dfR + ufs * dfL;
          dhL[a] += wl * duL + oL * dO + wi * diL + wis * diR + wf * dfL + wfs * dfR;
          dhR[a] += wr * duR + oR * dO + wi * diR + wis * diL + wf * dfR + wfs * dfL;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let a = n * JT_MAX + q;
          let dc = dC[row[n] * D + j];
          let left = child(row[n], 0u);
          let right = child(row[n], 1u);
          dH[left * D + j] += dhL[a];
          dH[right * D + j] += dhR[a];
          dC[left * D + j] = dc * S[s[n] + 2u * D + j] + dcL[a];
          dC[right * D + j] = dc * S[s[n] + 3u * D + j] + dcR[a];
        }
      }
    }
  }
}
