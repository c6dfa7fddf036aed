// treelstm_forward: one level of the binary Tree-LSTM (Tai et al. 2015), every node of the level at once.
//   i = σ(Ui_L h_L + Ui_R h_R + bi)        f_L = σ(Uf_LL h_L + Uf_LR h_R + bf)
//   o = σ(Uo_L h_L + Uo_R h_R + bo)        f_R = σ(Uf_RL h_L + Uf_RR h_R + bf)
//   u = tanh(Uu_L h_L + Uu_R h_R + bu)
//   c = i ⊙ u + f_L ⊙ c_L + f_R ⊙ c_R,  h = o ⊙ tanh(c)
//
// D is a multiple of 4 (the engine runs d at gpuDim(d), docs/engine.md): every row below is whole
// vec4s, and Q = D / 4 of them.
// Reads:  H, C     [numNodes, D]  children's rows (row = level-major node id)
//         thetaT   the cell's tensors at params' element offsets (multiples of 4), every matrix
//                  transposed: U[j, k] at k·D + j, so U[j … j + 3, k] is one vec4
//                  (shaders/transpose_weights.wgsl; the engine refreshes it first in every step)
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H, C     rows [range.start, range.start + range.count) with `=`
// Saves:  S        [numInternal, 5, D] with `=`: slots i, f_L, f_R, o, u
//
// Work: a workgroup owns GROUPS · NT whole nodes, NT per group of WG / GROUPS threads (at
// small D, several groups fill the lanes that Q quads leave empty); thread u of a group owns the
// quad of outputs j = 4q … 4q + 3 (q = u, u + WG / GROUPS, …) of the group's NT nodes and walks k a quad
// at a time: per quad of k it loads the nodes' h_L and h_R (vec4s the whole group shares) and,
// per k, one vec4 of each of the 10 matrices' column k (neighbouring threads read neighbouring
// vec4s: coalesced on a GPU), and does 40·NT FMAs per k. Every load is a vec4 (on CPU drivers a
// load costs about a dozen FMAs whatever its width, docs/bench.md). No gate reads the new c: no
// barrier.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 16u;  // invocations per workgroup (each owns quads of outputs)
override GROUPS: u32 = 1u;  // groups of WG / GROUPS threads per workgroup, each owning NT nodes
const NT_MAX = 8u;  // the wide shape's NT (src/cells: 4, or 8 on wide levels on a CPU driver)
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
  // Rows of the nodes and their children in vec4s; a short last workgroup repeats its last node
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
  let sBase = (range.start + first - p.numLeaves) * SLOTS * Q;  // S of the group's first node
  for (var q = g.lane; q < Q; q += g.threads) {
    // [node]: the quad's four outputs; explicit zero constructors (see rlstm_forward).
    var ai = array<vec4f, NT_MAX>(); var afL = array<vec4f, NT_MAX>();
    var afR = array<vec4f, NT_MAX>(); var ao = array<vec4f, NT_MAX>();
    var au = array<vec4f, NT_MAX>();
    for (var kq = 0u; kq < Q; kq++) {
      var hL = array<vec4f, NT_MAX>();
      var hR = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        hL[n] = H[xL[n] + kq];
        hR[n] = H[xR[n] + kq];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let e = (4u * kq + kk) * Q + q;  // column 4kq + kk, rows 4q … 4q + 3, in vec4s
        let iL = thetaT[p.offUi_L / 4u + e]; let iR = thetaT[p.offUi_R / 4u + e];
        let fLL = thetaT[p.offUf_LL / 4u + e]; let fLR = thetaT[p.offUf_LR / 4u + e];
        let fRL = thetaT[p.offUf_RL / 4u + e]; let fRR = thetaT[p.offUf_RR / 4u + e];
        let oL = thetaT[p.offUo_L / 4u + e]; let oR = thetaT[p.offUo_R / 4u + e];
        let uL = thetaT[p.offUu_L / 4u + e]; let uR = thetaT[p.offUu_R / 4u + e];
        for (var n = 0u; n < NT; n++) {
          let hl = hL[n][kk]; let hr = hR[n][kk];
          ai[n] += iL * hl + iR * hr;
          afL[n] += fLL * hl + fLR * hr;
          afR[n] += fRL * hl + fRR * hr;
          ao[n] += oL * hl + oR * hr;
          au[n] += uL * hl + uR * hr;
        }
      }
    }
    let bi = thetaT[p.offbi / 4u + q]; let bf = thetaT[p.offbf / 4u + q];
    let bo = thetaT[p.offbo / 4u + q]; let bu = thetaT[p.offbu / 4u + q];
    for (var n = 0u; n < nodes; n++) {
      let s = sBase + n * SLOTS * Q + q;
      let i = sigmoid(ai[n] + bi);
      let fL = sigmoid(afL[n] + bf);
      let fR = sigmoid(afR[n] + bf);
      let o = sigmoid(ao[n] + bo);
      let u = tanhc(au[n] + bu);
      let c = i * u + fL * C[xL[n] + q] + fR * C[xR[n] + q];
      C[row[n] + q] = c;
      H[row[n] + q] = o * tanhc(c);
      S[s] = i; S[s + Q] = fL; S[s + 2u * Q] = fR; S[s + 3u * Q] = o; S[s + 4u * Q] = u;
    }
  }
}
