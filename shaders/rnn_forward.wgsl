// rnn_forward: one level of the plain recursive network, every node of the level at once.
//   h = tanh(W_L h_L + W_R h_R + b)
//
// Reads:  H        [numNodes, D]  children's rows (row = level-major node id)
//         thetaT   the cell's tensors at params' offsets, W_L and W_R transposed: W[j, k] at k·D + j,
//                  so neighbouring threads (neighbouring outputs j) read neighbouring floats
//                  (shaders/transpose_weights.wgsl); b [D] as it is
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H        rows [range.start, range.start + range.count) with `=`
// Saves:  nothing beyond H (backward uses tanh' = 1 − h²)
//
// Work: a workgroup owns NT whole nodes. Thread t keeps an NT × JT block of outputs in registers:
// outputs j = j0 + q·WG + t (q < JT) of all NT nodes. Each step over k loads 2·JT weights and 2·NT
// child inputs and does 2·NT·JT FMAs, so a load feeds about NT·JT / (NT + JT) FMAs. The children's
// inputs are read straight from H at addresses the whole workgroup shares (broadcast loads, no
// workgroup memory, no barriers).

override D: u32;
override NT: u32 = 8u;   // nodes per workgroup, at most NT_MAX
override JT: u32 = 4u;   // outputs per thread and pass, at most JT_MAX
override WG: u32 = 8u;   // invocations per workgroup
const NT_MAX = 8u;
const JT_MAX = 8u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

//! include rnn_io

@group(0) @binding(0) var<storage, read_write> H: array<f32>;
@group(0) @binding(1) var<storage, read> thetaT: array<f32>;
@group(0) @binding(2) var<storage, read> children: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> range: Range;

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
  let nodes = min(NT, range.count - first);
  // Children's rows; a short last workgroup repeats its last node (computed, never stored).
  var xL = array<u32, NT_MAX>();
  var xR = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    let i = 2u * (range.start + first + min(n, nodes - 1u) - params.numLeaves);
    xL[n] = children[i] * D;
    xR[n] = children[i + 1u] * D;
  }
  for (var j0 = 0u; j0 < D; j0 += WG * JT) {
    // This thread's outputs in column 0 (past D: row D − 1, computed, never stored).
    var wL = array<u32, JT_MAX>();
    var wR = array<u32, JT_MAX>();
    for (var q = 0u; q < JT; q++) {
      let j = min(j0 + q * WG + t, D - 1u);
      wL[q] = params.offW_L + j;
      wR[q] = params.offW_R + j;
    }
    var acc = array<f32, NT_MAX * JT_MAX>();  // [node, q]; explicit zeros (see rlstm_forward)
    for (var k = 0u; k < D; k++) {
      var a = array<f32, JT_MAX>();
      var b = array<f32, JT_MAX>();
      for (var q = 0u; q < JT; q++) {
        a[q] = thetaT[wL[q] + k * D];
        b[q] = thetaT[wR[q] + k * D];
      }
      for (var n = 0u; n < NT; n++) {
        let hL = H[xL[n] + k];
        let hR = H[xR[n] + k];
        for (var q = 0u; q < JT; q++) {
          acc[n * JT_MAX + q] += a[q] * hL + b[q] * hR;
        }
      }
    }
    for (var q = 0u; q < JT; q++) {
      let j = j0 + q * WG + t;
      if (j < D) {
        let bias = thetaT[params.offb + j];
        for (var n = 0u; n < nodes; n++) {
          let row = range.start + first + n;
          H[row * D + j] = tanh(clamp(acc[n * JT_MAX + q] + bias, -TANH_CLAMP, TANH_CLAMP));
        }
      }
    }
  }
}
