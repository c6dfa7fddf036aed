// rnn_backward_quads: one level of the plain recursive network at small D, top-down, every node
// of the level at once.  δ = dH ⊙ (1 − h²);  dH_L = W_Lᵀ δ;  dH_R = W_Rᵀ δ
//
// D is a multiple of 4 up to 16 (the engine runs d at gpuDim(d), docs/engine.md); Q = D / 4.
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         H        rows of this level (h, for tanh')
//         theta    W_L, W_R [D, D] row-major at params' offsets (multiples of 4)
//         children [numInternal, 2] u32
// Writes: dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         deltas   [numInternal, D]: δ of each node of the level, with `=` (for the weight gradients)
//
// Work: thread t owns the quad of child units q = t mod Q of NT nodes (group t / Q, GROUPS groups
// per workgroup). Per quad of the node's units k it forms δ[k … k + 3] of its NT nodes from two
// vec4 loads each, then per k adds W[k, 4q … 4q + 3] · δ[k] (one vec4 of each matrix) to the
// children's sums: 32 · NT FMAs for 2 · NT + 8 loads (rnn_backward: about one FMA per load at small D).

override D: u32;
override NT: u32 = 4u;       // nodes per group, at most NT_MAX
override GROUPS: u32 = 8u;   // groups of Q threads per workgroup
override WG: u32 = 32u;      // GROUPS · Q invocations
const NT_MAX = 4u;

//! include rnn_io

//! include node_groups

@group(0) @binding(0) var<storage, read_write> dH: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> deltas: array<vec4f>;
@group(0) @binding(2) var<storage, read> H: array<vec4f>;
@group(0) @binding(3) var<storage, read> theta: array<vec4f>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let g = nodeGroup(workgroupFirst(wid, nwg), t);  // groups of Q = D / 4 threads (WG = GROUPS · Q)
  if (g.nodes == 0u) {
    return;  // no barriers here: a group past the level is done
  }
  let Q = D / 4u;
  let q = g.lane;
  let first = g.first;
  let nodes = g.nodes;
  // The nodes' rows in vec4s; a short group repeats its last node (computed, never stored).
  var x = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    x[n] = (range.start + first + min(n, nodes - 1u)) * Q;
  }
  var accL = array<vec4f, NT_MAX>();  // explicit zeros: see rlstm_forward
  var accR = array<vec4f, NT_MAX>();
  for (var kq = 0u; kq < Q; kq++) {
    var delta = array<vec4f, NT_MAX>();
    for (var n = 0u; n < NT; n++) {
      let h = H[x[n] + kq];
      delta[n] = dH[x[n] + kq] * (1.0 - h * h);
    }
    for (var kk = 0u; kk < 4u; kk++) {
      let e = (4u * kq + kk) * Q + q;  // W[k, 4q … 4q + 3] in vec4s
      let a = theta[params.offW_L / 4u + e];
      let b = theta[params.offW_R / 4u + e];
      for (var n = 0u; n < NT; n++) {
        accL[n] += a * delta[n][kk];
        accR[n] += b * delta[n][kk];
      }
    }
  }
  for (var n = 0u; n < nodes; n++) {
    let row = range.start + first + n;
    let h = H[row * Q + q];
    deltas[(row - params.numLeaves) * Q + q] = dH[row * Q + q] * (1.0 - h * h);
    let c = 2u * (row - params.numLeaves);
    dH[children[c] * Q + q] += accL[n];
    dH[children[c + 1u] * Q + q] += accR[n];
  }
}
