// rnn_forward_quads: one level of the plain recursive network at small D, every node of the level
// at once.  h = tanh(W_L h_L + W_R h_R + b)
//
// D is a multiple of 4 up to 16 (the engine runs d at gpuDim(d), docs/engine.md); Q = D / 4.
// Reads:  H        [numNodes, D]  children's rows (row = level-major node id)
//         thetaT   the cell's tensors at params' offsets (multiples of 4), W_L and W_R transposed:
//                  W[j, k] at k·D + j, so W[4q … 4q + 3, k] is one vec4 and neighbouring threads
//                  read neighbouring vec4s (shaders/transpose_weights.wgsl); b [D] as it is
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H        rows [range.start, range.start + range.count) with `=`
//
// Work: at small D a thread per output (rnn_forward) reads the children a scalar at a time and
// does about one FMA per load. Here thread t owns the quad of outputs q = t mod Q of NT nodes
// (group t / Q; GROUPS groups per workgroup, so a workgroup owns GROUPS · NT nodes): per quad of k
// it loads the NT nodes' two children as vec4s and, per k, one vec4 of each matrix's column k, and
// does 32 · NT FMAs for 2 · NT + 8 loads.

override D: u32;
override NT: u32 = 4u;       // nodes per group, at most NT_MAX
override GROUPS: u32 = 8u;   // groups of Q threads per workgroup
override WG: u32 = 32u;      // GROUPS · Q invocations
const NT_MAX = 4u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

//! include rnn_io

//! include node_groups

@group(0) @binding(0) var<storage, read_write> H: array<vec4f>;
@group(0) @binding(1) var<storage, read> thetaT: array<vec4f>;
@group(0) @binding(2) var<storage, read> children: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> range: Range;

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
  // Children's rows in vec4s; a short group repeats its last node (computed, never stored).
  var xL = array<u32, NT_MAX>();
  var xR = array<u32, NT_MAX>();
  for (var n = 0u; n < NT; n++) {
    let i = 2u * (range.start + first + min(n, nodes - 1u) - params.numLeaves);
    xL[n] = children[i] * Q;
    xR[n] = children[i + 1u] * Q;
  }
  let wL = params.offW_L / 4u + q;  // column 0's rows 4q … 4q + 3 of W_L, in vec4s
  let wR = params.offW_R / 4u + q;
  var acc = array<vec4f, NT_MAX>();  // explicit zeros: see rlstm_forward
  for (var kq = 0u; kq < Q; kq++) {
    var hL = array<vec4f, NT_MAX>();
    var hR = array<vec4f, NT_MAX>();
    for (var n = 0u; n < NT; n++) {
      hL[n] = H[xL[n] + kq];
      hR[n] = H[xR[n] + kq];
    }
    for (var kk = 0u; kk < 4u; kk++) {
      let a = thetaT[wL + (4u * kq + kk) * Q];
      let b = thetaT[wR + (4u * kq + kk) * Q];
      for (var n = 0u; n < NT; n++) {
        acc[n] += a * hL[n][kk] + b * hR[n][kk];
      }
    }
  }
  let bias = thetaT[params.offb / 4u + q];
  for (var n = 0u; n < nodes; n++) {
    let row = range.start + first + n;
    H[row * Q + q] = tanh(clamp(acc[n] + bias, vec4f(-TANH_CLAMP), vec4f(TANH_CLAMP)));
  }
}
