// rnn_backward: one level of the plain recursive network, top-down, every node of the level at once.
//   δ = dH ⊙ (1 − h²);  dH_L = W_Lᵀ δ;  dH_R = W_Rᵀ δ
//
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         H        rows of this level (h, for tanh')
//         theta    W_L, W_R [D, D] row-major at params' offsets
//         children [numInternal, 2] u32
// Writes: dH       the children's rows with `=` (each child has one parent: no races)
//         deltas   [numInternal, D]: δ of each node of the level, with `=` (for the weight gradients)
// dH holds each tree's own loss gradient (not divided by the batch size).
//
// Work: a workgroup owns NT whole nodes; thread t computes child units j = t, t + WG, … of all NT
// nodes, reading W[k, j] across threads (consecutive j: coalesced). δ marches over k in TK-wide
// slabs staged in workgroup memory.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 64u;  // invocations per workgroup
override TK: u32 = 32u;  // k-slab width
const NT_MAX = 8u;

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

@group(0) @binding(0) var<storage, read_write> dH: array<f32>;
@group(0) @binding(1) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

var<workgroup> ds: array<f32, NT * TK>;  // [node, kk] = δ

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
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    var accL = array<f32, NT_MAX>();
    var accR = array<f32, NT_MAX>();
    for (var k0 = 0u; k0 < D; k0 += TK) {
      for (var e = t; e < NT * TK; e += WG) {
        let n = first + e / TK;
        let k = k0 + e % TK;
        var delta = 0.0;
        if (n < range.count && k < D) {
          let row = range.start + n;
          let h = H[row * D + k];
          delta = dH[row * D + k] * (1.0 - h * h);
          if (j0 == 0u) {
            deltas[(row - params.numLeaves) * D + k] = delta;
          }
        }
        ds[e] = delta;
      }
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let wl = theta[params.offW_L + (k0 + kk) * D + j];
          let wr = theta[params.offW_R + (k0 + kk) * D + j];
          for (var n = 0u; n < NT; n++) {
            let d = ds[n * TK + kk];
            accL[n] += wl * d;
            accR[n] += wr * d;
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        dH[child(row, 0u) * D + j] = accL[n];
        dH[child(row, 1u) * D + j] = accR[n];
      }
    }
  }
}
