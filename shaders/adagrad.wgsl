// adagrad: one AdaGrad step with L2 over the whole flat parameter buffer (docs/model.md).
//   g = dθ + λ·θ;  G += g²;  θ −= lr · g / (√G + ε)
//
// Reads:  dTheta  the batch's mean-loss gradient (flat layout, src/engine/layout.ts)
// Writes: theta   updated in place;  accum  G, updated in place (starts at 0)
// One invocation per parameter; padding between tensors stays 0 (θ = dθ = 0 there).

override WG: u32 = 256u;

struct Params {
  size: u32,
  lr: f32,
  l2: f32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read_write> accum: array<f32>;
@group(0) @binding(2) var<storage, read> dTheta: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * WG + lid;
  if (i >= params.size) {
    return;
  }
  let w = theta[i];
  let g = dTheta[i] + params.l2 * w;
  let G = accum[i] + g * g;
  accum[i] = G;
  theta[i] = w - params.lr * g / (sqrt(G) + params.eps);
}
