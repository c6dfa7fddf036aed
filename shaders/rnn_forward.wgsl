// rnn_forward: one level of the plain recursive network, every node of the level at once.
//   h = tanh(W_L h_L + W_R h_R + b)
//
// Reads:  H        [numNodes, D]  children's rows (row = level-major node id)
//         theta    flat parameters; W_L, W_R [D, D] row-major (y = W x), b [D] at params' offsets
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H        rows [range.start, range.start + range.count) with `=`
// Saves:  nothing beyond H (backward uses tanh' = 1 − h²)
//
// Work: a workgroup owns NT whole nodes; thread t computes outputs j = t, t + WG, … of all NT
// nodes, so each weight element is read once per workgroup and used NT times. The children's h
// march over k in TK-wide slabs staged in workgroup memory.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 64u;  // invocations per workgroup
override TK: u32 = 32u;  // k-slab width
const NT_MAX = 8u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

struct Params {
  numLeaves: u32,
  offW_L: u32,
  offW_R: u32,
  offb: u32,
}
struct Range {
  start: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> H: array<f32>;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> children: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> range: Range;

var<workgroup> xs: array<f32, 2 * NT * TK>;  // [side (h_L, h_R), node, kk]

fn child(row: u32, side: u32) -> u32 { return children[2u * (row - params.numLeaves) + side]; }

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
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    var acc = array<f32, NT_MAX>();  // explicit zeros on every pass (see rlstm_forward)
    for (var k0 = 0u; k0 < D; k0 += TK) {
      for (var e = t; e < 2u * NT * TK; e += WG) {
        let n = first + (e / TK) % NT;
        let k = k0 + e % TK;
        var v = 0.0;
        if (n < range.count && k < D) {
          v = H[child(range.start + n, e / (NT * TK)) * D + k];
        }
        xs[e] = v;
      }
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let wl = theta[params.offW_L + j * D + k0 + kk];
          let wr = theta[params.offW_R + j * D + k0 + kk];
          for (var n = 0u; n < NT; n++) {
            acc[n] += wl * xs[n * TK + kk] + wr * xs[(NT + n) * TK + kk];
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        H[row * D + j] = tanh(clamp(acc[n] + theta[params.offb + j], -TANH_CLAMP, TANH_CLAMP));
      }
    }
  }
}
