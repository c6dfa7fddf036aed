// transpose_weights: the forward level kernels' copy of the cell's tensors, each square matrix
// transposed, each bias copied as it is:
//   thetaT[off + k·D + j] = theta[off + j·D + k]   for the matrices at offsets[0 … matrices)
//   thetaT[off + j]       = theta[off + j]         for the vectors at offsets[matrices … tensors)
//
// Why: a forward kernel's thread owns a quad of outputs j … j + 3 and walks k. In model.md's layout
// (row-major, y = W x) neighbouring threads then read addresses D floats apart; in the transposed
// copy, W[j … j + 3, k] is one vec4 and neighbouring threads read neighbouring vec4s (coalesced on
// a GPU). The backward kernels' threads own quads of k and walk j, which model.md's layout already
// serves that way, so they keep reading theta. The engine runs this kernel first in every step,
// so thetaT always follows theta (set by setParams, restored from a snapshot, or stepped by AdaGrad).
//
// Reads:  theta    flat parameters (the engine's layout: offsets and D multiples of 4)
//         offsets  [tensors] u32, element offsets of the cell's tensors, matrices first
// Writes: thetaT   those tensors' elements with `=`; nothing else (the rest is never read)
// One invocation per 4 × 4 block of a matrix (four vec4 loads, four vec4 stores) or per quad of a
// vector, workgroups numbered linearly over the folded dispatch.

override D: u32;
override WG: u32 = 256u;

struct Params {
  matrices: u32,
  tensors: u32,
}

//! include linear_index

@group(0) @binding(0) var<storage, read> theta: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> thetaT: array<vec4f>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = linearInvocation(wid, nwg, lid, WG);
  let Q = D / 4u;
  let blocks = params.matrices * Q * Q;
  if (t < blocks) {
    // Rows 4jq … 4jq + 3 and columns 4kq … 4kq + 3 of one matrix, in vec4s from its start.
    let base = offsets[t / (Q * Q)] / 4u;
    let jq = (t % (Q * Q)) / Q;
    let kq = t % Q;
    let r0 = theta[base + (4u * jq) * Q + kq];
    let r1 = theta[base + (4u * jq + 1u) * Q + kq];
    let r2 = theta[base + (4u * jq + 2u) * Q + kq];
    let r3 = theta[base + (4u * jq + 3u) * Q + kq];
    thetaT[base + (4u * kq) * Q + jq] = vec4f(r0.x, r1.x, r2.x, r3.x);
    thetaT[base + (4u * kq + 1u) * Q + jq] = vec4f(r0.y, r1.y, r2.y, r3.y);
    thetaT[base + (4u * kq + 2u) * Q + jq] = vec4f(r0.z, r1.z, r2.z, r3.z);
    thetaT[base + (4u * kq + 3u) * Q + jq] = vec4f(r0.w, r1.w, r2.w, r3.w);
    return;
  }
  let v = t - blocks;
  if (v < (params.tensors - params.matrices) * Q) {
    let at = offsets[params.matrices + v / Q] / 4u + v % Q;
    thetaT[at] = theta[at];
  }
}
