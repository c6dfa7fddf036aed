// treelstm_backward: one level of the binary Tree-LSTM, top-down, every node of the level at once.
//   dc = dC + dh ⊙ o ⊙ (1 − tanh²c)                       (total ∂J/∂c)
//   δi = dc ⊙ u ⊙ i(1 − i);  δu = dc ⊙ i ⊙ (1 − u²);  δo = dh ⊙ tanh(c) ⊙ o(1 − o)
//   δf_L = dc ⊙ c_L ⊙ f_L(1 − f_L);  δf_R = dc ⊙ c_R ⊙ f_R(1 − f_R)
//   dc_L = dc ⊙ f_L,  dc_R = dc ⊙ f_R
//   dh_L = Ui_Lᵀδi + Uf_LLᵀδf_L + Uf_RLᵀδf_R + Uo_Lᵀδo + Uu_Lᵀδu   (R: Ui_R, Uf_LR, Uf_RR, Uo_R, Uu_R)
//
// D is a multiple of 4 (the engine runs d at gpuDim(d), docs/engine.md): every row below is whole
// vec4s, and Q = D / 4 of them.
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         dC       rows of this level: the gradient on c from the parent alone (zero for roots)
//         C, S     this level's c and saved gates (treelstm_forward); C of the children for δf
//         theta    every matrix [D, D] row-major at params' offsets (multiples of 4)
//         children [numInternal, 2] u32
// Writes: dC       this level's rows with `=`: the total dc (read first as the parent's part)
//         dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         dC       the children's rows with `=`
//         deltas   [numInternal, 5, D] with `=`: slots δi, δf_L, δf_R, δo, δu
// H is bound for the contract but not read (tanh(c) and o come from C and S).
//
// Work: a workgroup owns GROUPS · NT whole nodes, NT per group of WG / GROUPS threads (at
// small D, several groups fill the lanes that Q quads leave empty); thread u of a group owns the
// quad of units j = 4q … 4q + 3 (q = u, u + WG / GROUPS, …) of the group's NT nodes. Phase 1 is element-wise: the deltas, the total dc and the
// children's dc. After one barrier, phase 2 sums the transposed mat-vecs for the children's dh,
// walking k a quad at a time: per quad it loads the nodes' deltas at k … k + 3 (vec4s the whole
// workgroup shares) and, per k, one vec4 of W[k, j … j + 3] of each matrix. Every load is a vec4;
// no workgroup memory.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 16u;  // invocations per workgroup (each owns quads of units)
override GROUPS: u32 = 1u;  // groups of WG / GROUPS threads per workgroup, each owning NT nodes
const NT_MAX = 8u;  // the wide shape's NT (src/cells: 4, or 8 on wide levels on a CPU driver)
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

//! include node_groups

@group(0) @binding(0) var<storage, read_write> dH: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> dC: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> deltas: array<vec4f>;
@group(0) @binding(3) var<storage, read> H: array<vec4f>;
@group(0) @binding(4) var<storage, read> C: array<vec4f>;
@group(0) @binding(5) var<storage, read> S: array<vec4f>;
@group(0) @binding(6) var<storage, read> theta: array<vec4f>;
@group(0) @binding(7) var<storage, read> children: array<u32>;
@group(0) @binding(8) var<uniform> params: Params;
@group(0) @binding(9) var<uniform> range: Range;

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
  // In vec4s: the nodes' rows, their children's, and their deltas'; a short last workgroup repeats
  // its last node (computed, never stored).
  var row = array<u32, NT_MAX>();
  var left = array<u32, NT_MAX>();
  var right = array<u32, NT_MAX>();
  var s = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    let r = range.start + min(first + n, range.count - 1u);
    row[n] = r * Q;
    left[n] = children[2u * (r - p.numLeaves)] * Q;
    right[n] = children[2u * (r - p.numLeaves) + 1u] * Q;
    s[n] = (r - p.numLeaves) * SLOTS * Q;
  }
  // Phase 1: deltas, the total dc, and the children's dc.
  for (var q = g.lane; q < Q; q += g.threads) {
    for (var n = 0u; n < nodes; n++) {
      let e = s[n] + q;
      let i = S[e]; let fL = S[e + Q]; let fR = S[e + 2u * Q]; let o = S[e + 3u * Q]; let u = S[e + 4u * Q];
      let dh = dH[row[n] + q];
      let tc = tanhc(C[row[n] + q]);
      let dc = dC[row[n] + q] + dh * o * (1.0 - tc * tc);
      dC[row[n] + q] = dc;
      deltas[e] = dc * u * i * (1.0 - i);
      deltas[e + Q] = dc * C[left[n] + q] * fL * (1.0 - fL);
      deltas[e + 2u * Q] = dc * C[right[n] + q] * fR * (1.0 - fR);
      deltas[e + 3u * Q] = dh * tc * o * (1.0 - o);
      deltas[e + 4u * Q] = dc * i * (1.0 - u * u);
      dC[left[n] + q] = dc * fL;
      dC[right[n] + q] = dc * fR;
    }
  }
  storageBarrier();  // every delta of the workgroup's nodes is visible to every thread
  // Phase 2: the children's dh.
  for (var q = g.lane; q < Q; q += g.threads) {
    var dhL = array<vec4f, NT_MAX>(); var dhR = array<vec4f, NT_MAX>();  // explicit zeros (see rlstm_forward)
    for (var kq = 0u; kq < Q; kq++) {
      var di = array<vec4f, NT_MAX>(); var dfL = array<vec4f, NT_MAX>(); var dfR = array<vec4f, NT_MAX>();
      var dO = array<vec4f, NT_MAX>(); var du = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        let x = s[n] + kq;
        di[n] = deltas[x]; dfL[n] = deltas[x + Q]; dfR[n] = deltas[x + 2u * Q];
        dO[n] = deltas[x + 3u * Q]; du[n] = deltas[x + 4u * Q];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let e = (4u * kq + kk) * Q + q;  // W[k, 4q … 4q + 3] in vec4s
        let iL = theta[p.offUi_L / 4u + e]; let iR = theta[p.offUi_R / 4u + e];
        let fLL = theta[p.offUf_LL / 4u + e]; let fLR = theta[p.offUf_LR / 4u + e];
        let fRL = theta[p.offUf_RL / 4u + e]; let fRR = theta[p.offUf_RR / 4u + e];
        let oL = theta[p.offUo_L / 4u + e]; let oR = theta[p.offUo_R / 4u + e];
        let uL = theta[p.offUu_L / 4u + e]; let uR = theta[p.offUu_R / 4u + e];
        for (var n = 0u; n < NT; n++) {
          let a = di[n][kk]; let bL = dfL[n][kk]; let bR = dfR[n][kk]; let c = dO[n][kk]; let g = du[n][kk];
          dhL[n] += iL * a + fLL * bL + fRL * bR + oL * c + uL * g;
          dhR[n] += iR * a + fLR * bL + fRR * bR + oR * c + uR * g;
        }
      }
    }
    for (var n = 0u; n < nodes; n++) {
      dH[left[n] + q] += dhL[n];
      dH[right[n] + q] += dhR[n];
    }
  }
}
