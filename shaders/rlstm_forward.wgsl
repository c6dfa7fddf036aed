// rlstm_forward: one level of the recursive LSTM, every node of the level at once (docs/model.md).
//   i_L = σ(Wi h_L + Wi_sib h_R + Ui c_L + Ui_sib c_R + bi),  i_R with L ↔ R;  f_L, f_R with Wf…, bf
//   u_L = W_L h_L,  u_R = W_R h_R,  g = tanh(i_L ⊙ u_L + i_R ⊙ u_R + b)
//   c = f_L ⊙ c_L + f_R ⊙ c_R + g
//   o = σ(O_L h_L + O_R h_R + O_c c + bo),  h = o ⊙ tanh(c)
//
// Reads:  H, C     [numNodes, D]  children's rows (row = level-major node id)
//         theta    flat parameters; every matrix [D, D] row-major (y = W x), at params' element offsets
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H, C     rows [range.start, range.start + range.count) with `=`
// Saves:  S        [numInternal, 8, D] with `=`: slots i_L, i_R, f_L, f_R, u_L, u_R, o, g
//
// Work: a workgroup owns NT whole nodes. Thread t keeps an NT × JT block of outputs in registers:
// outputs j = j0 + q·WG + t (q < JT) of all NT nodes. Each step over k loads 12·JT weights and the
// 4·NT children's inputs (h_L, h_R, c_L, c_R: addresses the whole workgroup shares, read straight
// from H and C) and does 20·NT·JT FMAs. Phase 1 computes everything but the peephole O_c c: it
// writes c to C and parks the partial output-gate sum in S's o slot. After one barrier, phase 2
// adds O_c c (c read back from C the same way) and writes o and h.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 2u;   // outputs per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

struct Params {
  numLeaves: u32, offWi: u32, offWi_sib: u32, offUi: u32, offUi_sib: u32, offbi: u32,
  offWf: u32, offWf_sib: u32, offUf: u32, offUf_sib: u32, offbf: u32, offW_L: u32, offW_R: u32, offb: u32,
  offO_L: u32, offO_R: u32, offO_c: u32, offbo: u32,
}
struct Range {
  start: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> H: array<f32>;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanhc(x: f32) -> f32 { return tanh(clamp(x, -TANH_CLAMP, TANH_CLAMP)); }

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
  // Rows of the nodes and their children; a short last workgroup repeats its last node (never stored).
  var row = array<u32, NT_MAX>();
  var xL = array<u32, NT_MAX>();
  var xR = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    row[n] = range.start + first + min(n, nodes - 1u);
    xL[n] = children[2u * (row[n] - p.numLeaves)] * D;
    xR[n] = children[2u * (row[n] - p.numLeaves) + 1u] * D;
  }
  // Phase 1: gates, candidate, c, and O_L h_L + O_R h_R + bo.
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();  // weight row offsets of this thread's outputs (past D: row D − 1)
    for (var q = 0u; q < JT; q++) {
      w[q] = min(j0 + q * WG + t, D - 1u) * D;
    }
    // [node · JT_MAX + q]. Explicit zero constructors: Dawn on SwiftShader was seen to keep a bare
    // `var a: array<…>;` from the previous iteration instead of zeroing it again.
    var aiL = array<f32, NT_MAX * JT_MAX>(); var aiR = array<f32, NT_MAX * JT_MAX>();
    var afL = array<f32, NT_MAX * JT_MAX>(); var afR = array<f32, NT_MAX * JT_MAX>();
    var uL = array<f32, NT_MAX * JT_MAX>(); var uR = array<f32, NT_MAX * JT_MAX>();
    var ao = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      for (var q = 0u; q < JT; q++) {
        let e = w[q] + k;
        let wi = theta[p.offWi + e]; let wis = theta[p.offWi_sib + e];
        let ui = theta[p.offUi + e]; let uis = theta[p.offUi_sib + e];
        let wf = theta[p.offWf + e]; let wfs = theta[p.offWf_sib + e];
        let uf = theta[p.offUf + e]; let ufs = theta[p.offUf_sib + e];
        let wl = theta[p.offW_L + e]; let wr = theta[p.offW_R + e];
        let oL = theta[p.offO_L + e]; let oR = theta[p.offO_R + e];
        for (var n = 0u; n < NT; n++) {
          let hL = H[xL[n] + k]; let hR = H[xR[n] + k];
          let cL = C[xL[n] + k]; let cR = C[xR[n] + k];
          let a = n * JT_MAX + q;
          aiL[a] += wi * hL + wis * hR + ui * cL + uis * cR;
          aiR[a] += wi * hR + wis * hL + ui * cR + uis * cL;
          afL[a] += wf * hL + wfs * hR + uf * cL + ufs * cR;
          afR[a] += wf * hR + wfs * hL + uf * cR + ufs * cL;
          uL[a] += wl * hL;
          uR[a] += wr * hR;
          ao[a] += oL * hL + oR * hR;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let a = n * JT_MAX + q;
          let s = (row[n] - p.numLeaves) * 8u * D + j;
          let iL = sigmoid(aiL[a] + theta[p.offbi + j]); let iR = sigmoid(aiR[a] + theta[p.offbi + j]);
          let fL = sigmoid(afL[a] + theta[p.offbf + j]); let fR = sigmoid(afR[a] + theta[p.offbf + j]);
          let g = tanhc(iL * uL[a] + iR * uR[a] + theta[p.offb + j]);
          C[row[n] * D + j] = fL * C[xL[n] + j] + fR * C[xR[n] + j] + g;
          S[s] = iL; S[s + D] = iR; S[s + 2u * D] = fL; S[s + 3u * D] = fR;
          S[s + 4u * D] = uL[a]; S[s + 5u * D] = uR[a]; S[s + 7u * D] = g;
          S[s + 6u * D] = ao[a] + theta[p.offbo + j];  // partial: O_c c comes in phase 2
        }
      }
    }
  }
  storageBarrier();  // the new c rows are visible to the whole workgroup
  // Phase 2: o = σ(partial + O_c c), h = o ⊙ tanh(c).
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();
    for (var q = 0u; q < JT; q++) {
      w[q] = p.offO_c + min(j0 + q * WG + t, D - 1u) * D;
    }
    var ac = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      for (var n = 0u; n < NT; n++) {
        let c = C[row[n] * D + k];
        for (var q = 0u; q < JT; q++) {
          ac[n * JT_MAX + q] += theta[w[q] + k] * c;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let s = (row[n] - p.numLeaves) * 8u * D + j + 6u * D;
          let o = sigmoid(S[s] + ac[n * JT_MAX + q]);
          S[s] = o;
          H[row[n] * D + j] = o * tanhc(C[row[n] * D + j]);
        }
      }
    }
  }
}
