// rlstm_backward: one level of the recursive LSTM, top-down, every node of the level at once.
//   δo = dh ⊙ tanh(c) ⊙ o(1 − o);  dc = dC + dh ⊙ o ⊙ (1 − tanh²c) + O_cᵀ δo  (total ∂J/∂c)
//   δg = dc ⊙ (1 − g²);  du_L = δg ⊙ i_L;  δi_L = δg ⊙ u_L ⊙ i_L(1 − i_L)
//   δf_L = dc ⊙ c_L ⊙ f_L(1 − f_L)                               (and the same for R)
//   dc_L = dc ⊙ f_L + Uiᵀδi_L + Ui_sibᵀδi_R + Ufᵀδf_L + Uf_sibᵀδf_R
//   dh_L = W_Lᵀdu_L + O_Lᵀδo + Wiᵀδi_L + Wi_sibᵀδi_R + Wfᵀδf_L + Wf_sibᵀδf_R  (R: swap L, R)
//
// D is a multiple of 4 (the engine runs d at gpuDim(d), docs/engine.md): every row below is whole
// vec4s, and Q = D / 4 of them.
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         dC       rows of this level: the gradient on c from the parent alone (zero for roots)
//         C, S     this level's c and saved gates (rlstm_forward); C of the children for δf
//         theta    every matrix [D, D] row-major at params' offsets (multiples of 4)
//         children [numInternal, 2] u32
// Writes: dC       this level's rows with `=`: the total dc (read first as the parent's part)
//         dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         dC       the children's rows with `=`
//         deltas   [numInternal, 8, D] with `=`: slots δi_L, δi_R, δf_L, δf_R, du_L, du_R, δo, δg
// H is bound for the contract but not read (tanh(c) and o come from C and S).
//
// Work: a workgroup owns GROUPS · NT whole nodes, NT per group of WG / GROUPS threads (at
// small D, several groups fill the lanes that Q quads leave empty); thread u of a group owns the
// quad of units j = 4q … 4q + 3 (q = u, u + WG / GROUPS, …) of the group's NT nodes. Phase 1 writes δo and the direct part of dc; after a barrier,
// phase 2 adds O_cᵀδo and writes the gate deltas; after another, phase 3 sums the transposed
// mat-vecs for the children. A transposed product walks k a quad at a time: per quad it loads the
// nodes' deltas at k … k + 3 (vec4s the whole workgroup shares) and, per k, one vec4 of W[k, j…j+3]
// of each matrix; every load is a vec4 (on CPU drivers a load costs about a dozen FMAs whatever its
// width, docs/bench.md). No workgroup memory.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 16u;  // invocations per workgroup (each owns quads of units)
override GROUPS: u32 = 1u;  // groups of WG / GROUPS threads per workgroup, each owning NT nodes
const NT_MAX = 8u;  // the wide shape's NT (src/cells: 4, or 8 on wide levels on a CPU driver)
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
  // In vec4s: the nodes' rows, their children's, and their deltas' (and saved values'); a short
  // last workgroup repeats its last node (computed, never stored).
  var row = array<u32, NT_MAX>();
  var left = array<u32, NT_MAX>();
  var right = array<u32, NT_MAX>();
  var s = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    let r = range.start + min(first + n, range.count - 1u);
    row[n] = r * Q;
    left[n] = children[2u * (r - p.numLeaves)] * Q;
    right[n] = children[2u * (r - p.numLeaves) + 1u] * Q;
    s[n] = (r - p.numLeaves) * 8u * Q;
  }
  // Phase 1: δo, and dc's parent and h = o ⊙ tanh(c) terms.
  for (var q = g.lane; q < Q; q += g.threads) {
    for (var n = 0u; n < nodes; n++) {
      let dh = dH[row[n] + q];
      let o = S[s[n] + 6u * Q + q];
      let tc = tanhc(C[row[n] + q]);
      deltas[s[n] + 6u * Q + q] = dh * tc * o * (1.0 - o);
      dC[row[n] + q] += dh * o * (1.0 - tc * tc);
    }
  }
  storageBarrier();
  // Phase 2: dc += O_cᵀ δo, then the gate and candidate deltas.
  for (var q = g.lane; q < Q; q += g.threads) {
    var acc = array<vec4f, NT_MAX>();  // explicit zeros: see rlstm_forward
    for (var kq = 0u; kq < Q; kq++) {
      var dO = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        dO[n] = deltas[s[n] + 6u * Q + kq];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let w = theta[p.offO_c / 4u + (4u * kq + kk) * Q + q];
        for (var n = 0u; n < NT; n++) {
          acc[n] += w * dO[n][kk];
        }
      }
    }
    for (var n = 0u; n < nodes; n++) {
      let e = s[n] + q;
      let dc = dC[row[n] + q] + acc[n];
      dC[row[n] + q] = dc;
      let iL = S[e]; let iR = S[e + Q]; let fL = S[e + 2u * Q]; let fR = S[e + 3u * Q];
      let g = S[e + 7u * Q];
      let dg = dc * (1.0 - g * g);
      deltas[e] = dg * S[e + 4u * Q] * iL * (1.0 - iL);
      deltas[e + Q] = dg * S[e + 5u * Q] * iR * (1.0 - iR);
      deltas[e + 2u * Q] = dc * C[left[n] + q] * fL * (1.0 - fL);
      deltas[e + 3u * Q] = dc * C[right[n] + q] * fR * (1.0 - fR);
      deltas[e + 4u * Q] = dg * iL;
      deltas[e + 5u * Q] = dg * iR;
      deltas[e + 7u * Q] = dg;
    }
  }
  storageBarrier();
  // Phase 3: the children's dh and dc.
  for (var q = g.lane; q < Q; q += g.threads) {
    var dhL = array<vec4f, NT_MAX>(); var dhR = array<vec4f, NT_MAX>();
    var dcL = array<vec4f, NT_MAX>(); var dcR = array<vec4f, NT_MAX>();
    for (var kq = 0u; kq < Q; kq++) {
      var diL = array<vec4f, NT_MAX>(); var diR = array<vec4f, NT_MAX>();
      var dfL = array<vec4f, NT_MAX>(); var dfR = array<vec4f, NT_MAX>();
      var duL = array<vec4f, NT_MAX>(); var duR = array<vec4f, NT_MAX>();
      var dO = array<vec4f, NT_MAX>();
      for (var n = 0u; n < NT; n++) {
        let x = s[n] + kq;
        diL[n] = deltas[x]; diR[n] = deltas[x + Q];
        dfL[n] = deltas[x + 2u * Q]; dfR[n] = deltas[x + 3u * Q];
        duL[n] = deltas[x + 4u * Q]; duR[n] = deltas[x + 5u * Q];
        dO[n] = deltas[x + 6u * Q];
      }
      for (var kk = 0u; kk < 4u; kk++) {
        let e = (4u * kq + kk) * Q + q;  // W[k, 4q … 4q + 3] in vec4s
        let wi = theta[p.offWi / 4u + e]; let wis = theta[p.offWi_sib / 4u + e];
        let ui = theta[p.offUi / 4u + e]; let uis = theta[p.offUi_sib / 4u + e];
        let wf = theta[p.offWf / 4u + e]; let wfs = theta[p.offWf_sib / 4u + e];
        let uf = theta[p.offUf / 4u + e]; let ufs = theta[p.offUf_sib / 4u + e];
        let wl = theta[p.offW_L / 4u + e]; let wr = theta[p.offW_R / 4u + e];
        let oL = theta[p.offO_L / 4u + e]; let oR = theta[p.offO_R / 4u + e];
        for (var n = 0u; n < NT; n++) {
          let iL = diL[n][kk]; let iR = diR[n][kk]; let fL = dfL[n][kk]; let fR = dfR[n][kk];
          let uL = duL[n][kk]; let uR = duR[n][kk]; let o = dO[n][kk];
          dcL[n] += ui * iL + uis * iR + uf * fL + ufs * fR;
          dcR[n] += ui * iR + uis * iL + uf * fR + ufs * fL;
          dhL[n] += wl * uL + oL * o + wi * iL + wis * iR + wf * fL + wfs * fR;
          dhR[n] += wr * uR + oR * o + wi * iR + wis * iL + wf * fR + wfs * fL;
        }
      }
    }
    for (var n = 0u; n < nodes; n++) {
      let dc = dC[row[n] + q];
      dH[left[n] + q] += dhL[n];
      dH[right[n] + q] += dhR[n];
      dC[left[n] + q] = dc * S[s[n] + 2u * Q + q] + dcL[n];
      dC[right[n] + q] = dc * S[s[n] + 3u * Q + q] + dcR[n];
    }
  }
}
