// embed_grad: the embedding gradient, a segment sum over the plan's word → leaves list.
//   dE[w] = scale · Σ_{leaf rows l of word w} dH[l]   (fixed order: ascending rows)
//
// Reads:  dH           leaf rows (each tree's own loss)
//         wordOffsets  [V + 1] u32, wordLeaves [numLeaves] u32 (CSR, grouped by word)
// Writes: dTheta       dE [V, D] at params.offE with `=` (words absent from the batch get 0)
// D is a multiple of 4 (the engine's gpuDim) and offE too: one invocation per (word, quad of
// units), vec4 loads and stores.

override D: u32;
override WG: u32 = 256u;

struct Params {
  vocab: u32,
  offE: u32,
  scale: f32,
  _pad: u32,
}

//! include linear_index

@group(0) @binding(0) var<storage, read_write> dTheta: array<vec4f>;
@group(0) @binding(1) var<storage, read> dH: array<vec4f>;
@group(0) @binding(2) var<storage, read> wordOffsets: array<u32>;
@group(0) @binding(3) var<storage, read> wordLeaves: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = linearInvocation(wid, nwg, lid, WG);
  let Q = D / 4u;
  if (t >= params.vocab * Q) {
    return;
  }
  let w = t / Q;
  let q = t % Q;
  var acc = vec4f();
  for (var e = wordOffsets[w]; e < wordOffsets[w + 1u]; e++) {
    acc += dH[wordLeaves[e] * Q + q];
  }
  dTheta[params.offE / 4u + t] = params.scale * acc;
}
