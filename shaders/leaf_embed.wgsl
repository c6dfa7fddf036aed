// leaf_embed: the leaves of a minibatch take their word vectors, h = E[word] (c = 0 is a cleared C).
//
// Reads:  theta      E [V, D] row-major at params.offE
//         leafWords  [numLeaves] u32, vocabulary row of each leaf row
// Writes: H          rows [0, numLeaves) with `=`
// Saves:  nothing
// D is a multiple of 4 (the engine's gpuDim) and offE too: one invocation per (leaf, quad of
// units), one vec4 each way; workgroups numbered linearly over the folded dispatch.

override D: u32;
override WG: u32 = 256u;

struct Params {
  numLeaves: u32,
  offE: u32,
}

//! include linear_index

@group(0) @binding(0) var<storage, read_write> H: array<vec4f>;
@group(0) @binding(1) var<storage, read> theta: array<vec4f>;
@group(0) @binding(2) var<storage, read> leafWords: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = linearInvocation(wid, nwg, lid, WG);
  let Q = D / 4u;
  if (t >= params.numLeaves * Q) {
    return;
  }
  let leaf = t / Q;
  let q = t % Q;
  H[t] = theta[params.offE / 4u + leafWords[leaf] * Q + q];
}
