// rnn_backward: one level of the plain recursive network, top-down, every node of the level at once.
//   δ = dH ⊙ (1 − h²);  dH_L = W_Lᵀ δ;  dH_R = W_Rᵀ δ
//
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         H        rows of this level (h, for tanh')
//         theta    W_L, W_R [D, D] row-major at params' offsets
//         children [numInternal, 2] u32
// Writes: dH       the children's rows with `+=`, onto their own classifier's part (or the zeros
//                  the engine clears dH to): each child has one parent, so no races
//         deltas   [numInternal, D]: δ of each node of the level, with `=` (for the weight gradients)
// dH holds each tree's own loss gradient (not divided by the batch size).
//
// Work: a workgroup owns NT whole nodes. Thread t keeps an NT × JT block of child units in
// registers: units j = j0 + q·WG + t (q < JT) of all NT nodes, reading W[k, j] (consecutive j across
// threads: coalesced). δ[n, k] is formed where it is used, from loads the whole workgroup shares
// (no workgroup memory, no barriers); each thread writes δ of its own units.

override D: u32;
override NT: u32 = 8u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 4u;   // child units per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;

//! include rnn_io

@group(0) @binding(0) var<storage, read_write> dH: array<f32>;
@group(0) @binding(1) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

fn child(row: u32, side: u32) -> u32 { return children[2u * (row - params.numLeaves) + side]; }

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let first = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * NT;
  if (first >= range.count) {
    return;  // uniform: the whole workgroup is past the level
  }
  let nodes = min(NT, range.count - first);
  // Rows of the workgroup's nodes; a short last workgroup repeats its last node (never stored).
  var x = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    x[n] = (range.start + first + min(n, nodes - 1u)) * D;
  }
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    var jc = array<u32, JT_MAX>();  // this thread's units (past D: unit D − 1, never stored)
    for (var q = 0u; q < JT; q++) {
      jc[q] = min(j0 + q * WG + t, D - 1u);
    }
    var accL = array<f32, NT_MAX * JT_MAX>();  // [node, q]; explicit zeros (see rlstm_forward)
    var accR = array<f32, NT_MAX * JT_MAX>();
    for (var k = 0u; k < D; k++) {
      var a = array<f32, JT_MAX>();
      var b = array<f32, JT_MAX>();
      for (var q = 0u; q < JT; q++) {
        a[q] = theta[params.offW_L + k * D + jc[q]];
        b[q] = theta[params.offW_R + k * D + jc[q]];
      }
      for (var n = 0u; n < NT; n++) {
        let h = H[x[n] + k];
        let delta = dH[x[n] + k] * (1.0 - h * h);
        for (var q = 0u; q < JT; q++) {
          accL[n * JT_MAX + q] += a[q] * delta;
          accR[n * JT_MAX + q] += b[q] * delta;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        for (var n = 0u; n < nodes; n++) {
          let row = range.start + first + n;
          let h = H[row * D + j];
          deltas[(row - params.numLeaves) * D + j] = dH[row * D + j] * (1.0 - h * h);
          dH[child(row, 0u) * D + j] += accL[n * JT_MAX + q];
          dH[child(row, 1u) * D + j] += accR[n * JT_MAX + q];
        }
      }
    }
  }
}
