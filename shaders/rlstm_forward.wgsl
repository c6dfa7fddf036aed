// rlstm_forward: one level of the recursive LSTM, every node of the level at once (docs/model.md).
//   i_L = σ(Wi h_L + Wi_sib h_R + Ui c_L + Ui_sib c_R + bi),  i_R with L ↔ R;  f_L, f_R with Wf…, bf
//   u_L = W_L h_L,  u_R = W_R h_R,  g = tanh(i_L ⊙ u_L + i_R ⊙ u_R + b)
//   c = f_L ⊙ c_L + f_R ⊙ c_R + g
//   o = σ(O_L h_L + O_R h_R + O_c c + bo),  h = o ⊙ tanh(c)
//
// D is a multiple of 4 (the engine runs d at gpuDim(d), docs/engine.md): every row below is whole
// vec4s, and Q = D / 4 of them.
// Reads:  H, C     [numNodes, D]  children's rows (row = level-major node id)
//         thetaT   the cell's tensors at params' element offsets (multiples of 4), every matrix
//                  transposed: W[j, k] at k·D + j, so W[j … j + 3, k] is one vec4
//                  (shaders/transpose_weights.wgsl; the engine refreshes it first in every step)
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H, C     rows [range.start, range.start + range.count) with `=`
// Saves:  S        [numInternal, 8, D] with `=`: slots i_L, i_R, f_L, f_R, u_L, u_R, o, g
//
// Work: a workgroup owns GROUPS · NT whole nodes, NT per group of WG / GROUPS threads (at
// small D, several groups fill the lanes that Q quads leave empty). Thread u of a group owns the
// quad of outputs j = 4q … 4q + 3 (q = u, u + WG / GROUPS, …) of the group's NT nodes, and walks k a
// quad at a time: per quad of k it loads the NT nodes' four inputs (h_L, h_R, c_L, c_R: addresses
// the whole group shares) and, per k, one vec4 of each of the 12 matrices' column k (neighbouring
// threads read neighbouring vec4s: coalesced on a GPU), and does 80·NT FMAs per k. Every load is a
// vec4: on CPU drivers a load costs about a dozen FMAs whatever its width (docs/bench.md). Phase 1
// computes everything but the peephole O_c c: it writes c to C and parks the partial output-gate
// sum in S's o slot. After one barrier, phase 2 adds O_c c (c read back from C the same way) and
// writes o and h.

override D: u32;
override NT: u32 = 2u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 16u;  // invocations per workgroup (each owns quads of outputs)
override GROUPS: u32 = 1u;  // groups of WG / GROUPS threads per workgroup, each owning NT nodes
const NT_MAX = 8u;  // the wide shape's NT (src/cells: 4, or 8 on wide levels on a CPU driver)
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

//! include node_groups

@group(0) @binding(0) var<storage, read_write> H: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> S: array<vec4f>;
@group(0) @binding(3) var<storage, read> thetaT: array<vec4f>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

fn sigmoid(x: vec4f) -> vec4f { return 1.0 / (1.0 + exp(-x)); }
fn tanhc(x: vec4f) -> vec4f { return tanh(clamp(x, vec4f(-TANH_CLAMP), vec4f(TANH_CLAMP))); }

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let wgFirst = workgroupFirst(wid, nwg);
  if (wgFirst >= range.count) {
    return;  // uniform: the whole workgroup is past the level
  }
  let g = nodeGroup(wgFirst, t);
  // A group past the level (no nodes) computes the level's last node, stores nothing, and still
  // meets every barrier.
  let first = g.first;
  let nodes = g.nodes;
  let p = params;
  let Q = D / 4u;
  // Rows of the nodes and their children, in vec4s; a short last workgroup repeats its last node
  // (computed, never stored).
  var row = array<u32, NT_MAX>();
  var xL = array<u32, NT_MAX>();
  var xR = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    let r = range.start + min(first + n, range.count - 1u);
    row[n] = r * Q;
    xL[n] = children[2u * (r - p.numLeaves)] * Q;
    xR[n] = children[2u * (r - p.numLeaves) + 1u] * Q;
  }
  let sBase = (range.start + first - p.numLeaves) * 8u * Q;  // S of the group's first node
  // Phase 1: gates, candidate, c, and O_L h_L + O_R h_R + bo.
  for (var q = g.lane; q < Q; q += g.threads) {
    // [node]: the quad's four outputs. Explicit zero constructors: Dawn on SwiftShader was seen to
    // keep a bare `var a: array<…>;` from the previous iteration instead of zeroing it again.
    var aiL = array<vec4f, NT_MAX>(); var aiR = array<vec4f, NT_MAX>();
    var afL = array<vec4f, NT_MAX>(); var afR = array<vec4f, NT_MAX>();
    var uL = array<vec4f, NT_MAX>(); var uR = array<vec4f, NT_MAX>();
    var ao = array<vec4f, NT_MAX>();
    for (var kq = 0u; kq < Q; kq++) {
      var hL = array<vec4f, NT_MAX>(); var hR = array<vec4f, NT_MAX>();
      var cL = array<vec4f, NT_MAX>(); var cR = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        hL[n] = H[xL[n] + kq]; hR[n] = H[xR[n] + kq];
        cL[n] = C[xL[n] + kq]; cR[n] = C[xR[n] + kq];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let e = (4u * kq + kk) * Q + q;  // column 4kq + kk, rows 4q … 4q + 3, in vec4s
        let wi = thetaT[p.offWi / 4u + e]; let wis = thetaT[p.offWi_sib / 4u + e];
        let ui = thetaT[p.offUi / 4u + e]; let uis = thetaT[p.offUi_sib / 4u + e];
        let wf = thetaT[p.offWf / 4u + e]; let wfs = thetaT[p.offWf_sib / 4u + e];
        let uf = thetaT[p.offUf / 4u + e]; let ufs = thetaT[p.offUf_sib / 4u + e];
        let wl = thetaT[p.offW_L / 4u + e]; let wr = thetaT[p.offW_R / 4u + e];
        let oL = thetaT[p.offO_L / 4u + e]; let oR = thetaT[p.offO_R / 4u + e];
        for (var n = 0u; n < NT; n++) {
          let hl = hL[n][kk]; let hr = hR[n][kk]; let cl = cL[n][kk]; let cr = cR[n][kk];
          aiL[n] += wi * hl + wis * hr + ui * cl + uis * cr;
          aiR[n] += wi * hr + wis * hl + ui * cr + uis * cl;
          afL[n] += wf * hl + wfs * hr + uf * cl + ufs * cr;
          afR[n] += wf * hr + wfs * hl + uf * cr + ufs * cl;
          uL[n] += wl * hl;
          uR[n] += wr * hr;
          ao[n] += oL * hl + oR * hr;
        }
      }
    }
    let bi = thetaT[p.offbi / 4u + q]; let bf = thetaT[p.offbf / 4u + q];
    let b = thetaT[p.offb / 4u + q]; let bo = thetaT[p.offbo / 4u + q];
    for (var n = 0u; n < nodes; n++) {
      let s = sBase + n * 8u * Q + q;
      let iL = sigmoid(aiL[n] + bi); let iR = sigmoid(aiR[n] + bi);
      let fL = sigmoid(afL[n] + bf); let fR = sigmoid(afR[n] + bf);
      let g = tanhc(iL * uL[n] + iR * uR[n] + b);
      C[row[n] + q] = fL * C[xL[n] + q] + fR * C[xR[n] + q] + g;
      S[s] = iL; S[s + Q] = iR; S[s + 2u * Q] = fL; S[s + 3u * Q] = fR;
      S[s + 4u * Q] = uL[n]; S[s + 5u * Q] = uR[n]; S[s + 7u * Q] = g;
      S[s + 6u * Q] = ao[n] + bo;  // partial: O_c c comes in phase 2
    }
  }
  storageBarrier();  // the new c rows are visible to the whole workgroup
  // Phase 2: o = σ(partial + O_c c), h = o ⊙ tanh(c).
  for (var q = g.lane; q < Q; q += g.threads) {
    var ac = array<vec4f, NT_MAX>();
    for (var kq = 0u; kq < Q; kq++) {
      var c = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        c[n] = C[row[n] + kq];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let w = thetaT[p.offO_c / 4u + (4u * kq + kk) * Q + q];
        for (var n = 0u; n < NT; n++) {
          ac[n] += w * c[n][kk];
        }
      }
    }
    for (var n = 0u; n < nodes; n++) {
      let s = sBase + n * 8u * Q + 6u * Q + q;
      let o = sigmoid(S[s] + ac[n]);
      S[s] = o;
      H[row[n] + q] = o * tanhc(C[row[n] + q]);
    }
  }
}
