// node_norms: per-node gradient norms, gh = ‖dH[row]‖₂ and gc = ‖dC[row]‖₂.
//
// Reads:  dH, dC   [numNodes, D] (dC is the node's total ∂J/∂c; unused when params.hasC = 0)
// Writes: norms    [numNodes, 2] with `=`: (gh, gc), gc = 0 without C
// One invocation per node; the sum runs in a fixed order.

override D: u32;
override WG: u32 = 64u;

struct Params {
  numNodes: u32,
  hasC: u32,
}

//! include linear_index

@group(0) @binding(0) var<storage, read_write> norms: array<f32>;
@group(0) @binding(1) var<storage, read> dH: array<f32>;
@group(0) @binding(2) var<storage, read> dC: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = linearInvocation(wid, nwg, lid, WG);
  if (row >= params.numNodes) {
    return;
  }
  // Scaled sums of squares: safe from overflow and underflow for any f32 gradient.
  var mh = 0.0;
  var mc = 0.0;
  for (var k = 0u; k < D; k++) {
    mh = max(mh, abs(dH[row * D + k]));
    if (params.hasC != 0u) {
      mc = max(mc, abs(dC[row * D + k]));
    }
  }
  var sh = 0.0;
  var sc = 0.0;
  for (var k = 0u; k < D; k++) {
    if (mh > 0.0) {
      let x = dH[row * D + k] / mh;
      sh += x * x;
    }
    if (mc > 0.0) {
      let y = dC[row * D + k] / mc;
      sc += y * y;
    }
  }
  norms[2u * row] = mh * sqrt(sh);
  norms[2u * row + 1u] = mc * sqrt(sc);
}
