// treelstm_forward: one level of the binary Tree-LSTM (Tai et al. 2015), every node of the level at once.
//   i = σ(Ui_L h_L + Ui_R h_R + bi)        f_L = σ(Uf_LL h_L + Uf_LR h_R + bf)
//   o = σ(Uo_L h_L + Uo_R h_R + bo)        f_R = σ(Uf_RL h_L + Uf_RR h_R + bf)
//   u = tanh(Uu_L h_L + Uu_R h_R + bu)
//   c = i ⊙ u + f_L ⊙ c_L + f_R ⊙ c_R,  h = o ⊙ tanh(c)
//
// Reads:  H, C     [numNodes, D]  children's rows (row = level-major node id)
//         theta    flat parameters; every matrix [D, D] row-major (y = W x), at params' element offsets
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H, C     rows [range.start, range.start + range.count) with `=`
// Saves:  S        [numInternal, 5, D] with `=`: slots i, f_L, f_R, o, u
//
// Work: a workgroup owns NT whole nodes. Thread t keeps an NT × JT block of outputs in registers:
// outputs j = j0 + q·WG + t (q < JT) of all NT nodes. Each step over k loads 10·JT weights and the
// 2·NT children's h (addresses the whole workgroup shares, read straight from H) and does 10·NT·JT
// FMAs. No gate reads the new c, so there is no barrier.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 2u;   // outputs per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;
const SLOTS = 5u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

struct Params {
  numLeaves: u32, offUi_L: u32, offUi_R: u32, offbi: u32, offUf_LL: u32, offUf_LR: u32, offUf_RL: u32,
  offUf_RR: u32, offbf: u32, offUo_L: u32, offUo_R: u32, offbo: u32, offUu_L: u32, offUu_R: u32, offbu: u32,
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
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var w = array<u32, JT_MAX>();  // weight row offsets of this thread's outputs (past D: row D − 1)
    for (var q = 0u; q < JT; q++) {
      w[q] = min(j0 + q * WG + t, D - 1u) * D;
    }
    // [node · JT_MAX + q]; explicit zero constructors (see rlstm_forward).
    var ai = array<f32, NT_MAX * JT_MAX>(); var afL = array<f32, NT_MAX * JT_MAX>();
    var afR = array<f32, NT_MAX * JT_MAX>(); var ao = array<f32, NT_MAX * JT_MAX>();
    var au = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      for (var q = 0u; q < JT; q++) {
        let e = w[q] + k;
        let iL = theta[p.offUi_L + e]; let iR = theta[p.offUi_R + e];
        let fLL = theta[p.offUf_LL + e]; let fLR = theta[p.offUf_LR + e];
        let fRL = theta[p.offUf_RL + e]; let fRR = theta[p.offUf_RR + e];
        let oL = theta[p.offUo_L + e]; let oR = theta[p.offUo_R + e];
        let uL = theta[p.offUu_L + e]; let uR = theta[p.offUu_R + e];
        for (var n = 0u; n < NT; n++) {
          let hL = H[xL[n] + k]; let hR = H[xR[n] + k];
          let a = n * JT_MAX + q;
          ai[a] += iL * hL + iR * hR;
          afL[a] += fLL * hL + fLR * hR;
          afR[a] += fRL * hL + fRR * hR;
          ao[a] += oL * hL + oR * hR;
          au[a] += uL * hL + uR * hR;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let a = n * JT_MAX + q;
          let s = (row[n] - p.numLeaves) * SLOTS * D + j;
          let i = sigmoid(ai[a] + theta[p.offbi + j]);
          let fL = sigmoid(afL[a] + theta[p.offbf + j]);
          let fR = sigmoid(afR[a] + theta[p.offbf + j]);
          let o = sigmoid(ao[a] + theta[p.offbo + j]);
          let u = tanhc(au[a] + theta[p.offbu + j]);
          let c = i * u + fL * C[xL[n] + j] + fR * C[xR[n] + j];
          C[row[n] * D + j] = c;
          H[row[n] * D + j] = o * tanhc(c);
          S[s] = i; S[s + D] = fL; S[s + 2u * D] = fR; S[s + 3u * D] = o; S[s + 4u * D] = u;
        }
      }
    }
  }
}
