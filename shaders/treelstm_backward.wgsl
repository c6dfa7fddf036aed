// treelstm_backward: one level of the binary Tree-LSTM, top-down, every node of the level at once.
//   dc = dC + dh ⊙ o ⊙ (1 − tanh²c)                       (total ∂J/∂c)
//   δi = dc ⊙ u ⊙ i(1 − i);  δu = dc ⊙ i ⊙ (1 − u²);  δo = dh ⊙ tanh(c) ⊙ o(1 − o)
//   δf_L = dc ⊙ c_L ⊙ f_L(1 − f_L);  δf_R = dc ⊙ c_R ⊙ f_R(1 − f_R)
//   dc_L = dc ⊙ f_L,  dc_R = dc ⊙ f_R
//   dh_L = Ui_Lᵀδi + Uf_LLᵀδf_L + Uf_RLᵀδf_R + Uo_Lᵀδo + Uu_Lᵀδu   (R: Ui_R, Uf_LR, Uf_RR, Uo_R, Uu_R)
//
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         dC       rows of this level: the gradient on c from the parent alone (zero for roots)
//         C, S     this level's c and saved gates (treelstm_forward); C of the children for δf
//         theta    every matrix [D, D] row-major at params' offsets; children [numInternal, 2] u32
// Writes: dC       this level's rows with `=`: the total dc (read first as the parent's part)
//         dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         dC       the children's rows with `=`
//         deltas   [numInternal, 5, D] with `=`: slots δi, δf_L, δf_R, δo, δu
// H is bound for the contract but not read (tanh(c) and o come from C and S).
//
// Work: a workgroup owns NT whole nodes. Phase 1 is element-wise: the deltas, the total dc and the
// children's dc. After one barrier, phase 2 sums the transposed mat-vecs for the children's dh:
// thread t keeps an NT × JT block of units j = j0 + q·WG + t (q < JT) in registers, reads W[k, j]
// (consecutive j across threads: coalesced), and the deltas δ[n, k] as loads the whole workgroup
// shares (no workgroup memory).

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 2u;   // units per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;
const SLOTS = 5u;
const TANH_CLAMP = 15.0;

struct Params {
  numLeaves: u32, offUi_L: u32, offUi_R: u32, offbi: u32, offUf_LL: u32, offUf_LR: u32, offUf_RL: u32,
  offUf_RR: u32, offbf: u32, offUo_L: u32, offUo_R: u32, offbo: u32, offUu_L: u32, offUu_R: u32, offbu: u32,
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
    s[n] = (row[n] - p.numLeaves) * SLOTS * D;
  }
  // Phase 1: deltas, the total dc, and the children's dc.
  for (var j = t; j < D; j += WG) {
    for (var n = 0u; n < nodes; n++) {
      let e = s[n] + j;
      let i = S[e]; let fL = S[e + D]; let fR = S[e + 2u * D]; let o = S[e + 3u * D]; let u = S[e + 4u * D];
      let dh = dH[row[n] * D + j];
      let tc = tanhc(C[row[n] * D + j]);
      let dc = dC[row[n] * D + j] + dh * o * (1.0 - tc * tc);
      dC[row[n] * D + j] = dc;
      let left = child(row[n], 0u);
      let right = child(row[n], 1u);
      deltas[e] = dc * u * i * (1.0 - i);
      deltas[e + D] = dc * C[left * D + j] * fL * (1.0 - fL);
      deltas[e + 2u * D] = dc * C[right * D + j] * fR * (1.0 - fR);
      deltas[e + 3u * D] = dh * tc * o * (1.0 - o);
      deltas[e + 4u * D] = dc * i * (1.0 - u * u);
      dC[left * D + j] = dc * fL;
      dC[right * D + j] = dc * fR;
    }
  }
  storageBarrier();  // every delta of the workgroup's nodes is visible to every thread
  // Phase 2: the children's dh.
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();  // this thread's units (past D: unit D − 1, never stored)
    for (var q = 0u; q < JT; q++) {
      w[q] = min(j0 + q * WG + t, D - 1u);
    }
    var dhL = array<f32, NT_MAX * JT_MAX>(); var dhR = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      for (var q = 0u; q < JT; q++) {
        let e = k * D + w[q];
        let iL = theta[p.offUi_L + e]; let iR = theta[p.offUi_R + e];
        let fLL = theta[p.offUf_LL + e]; let fLR = theta[p.offUf_LR + e];
        let fRL = theta[p.offUf_RL + e]; let fRR = theta[p.offUf_RR + e];
        let oL = theta[p.offUo_L + e]; let oR = theta[p.offUo_R + e];
        let uL = theta[p.offUu_L + e]; let uR = theta[p.offUu_R + e];
        for (var n = 0u; n < NT; n++) {
          let x = s[n] + k;
          let di = deltas[x]; let dfL = deltas[x + D]; let dfR = deltas[x + 2u * D];
          let dO = deltas[x + 3u * D]; let du = deltas[x + 4u * D];
          let a = n * JT_MAX + q;
          dhL[a] += iL * di + fLL * dfL + fRL * dfR + oL * dO + uL * du;
          dhR[a] += iR * di + fLR * dfL + fRR * dfR + oR * dO + uR * du;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let a = n * JT_MAX + q;
          dH[child(row[n], 0u) * D + j] += dhL[a];
          dH[child(row[n], 1u) * D + j] += dhR[a];
        }
      }
    }
  }
}
