// adagrad: one AdaGrad step with L2 over the whole flat parameter buffer (docs/model.md).
//   g = dθ + λ·θ;  G += g²;  θ −= lr · g / (√G + ε)
//
// Reads:  dTheta  the batch's mean-loss gradient (flat layout, src/engine/layout.ts)
// Writes: theta   updated in place;  accum  G, updated in place (starts at 0)
//         status  [2] u32, atomicMax: size − i for the first i whose new θ (word 0) or G (word 1)
//                 is NaN or ±Inf; 0 when all are finite (cleared by the engine every step)
// One invocation per parameter; padding between tensors stays 0 (θ = dθ = 0 there).
// Frozen: flat indices [frozenStart, frozenEnd) (E under --freeze-embeddings) are left as they are:
// no step, no L2, G stays 0. An empty range (start = end) freezes nothing.

override WG: u32 = 256u;

struct Params {
  size: u32,
  lr: f32,
  l2: f32,
  eps: f32,
  frozenStart: u32,
  frozenEnd: u32,
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read_write> accum: array<f32>;
@group(0) @binding(2) var<storage, read> dTheta: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;

// Exponent bits all ones: NaN or ±Inf. Integer arithmetic, so no compiler may assume it away.
fn nonFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u; }

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * WG + lid;
  if (i >= params.size || (i >= params.frozenStart && i < params.frozenEnd)) {
    return;
  }
  let w = theta[i];
  let g = dTheta[i] + params.l2 * w;
  let G = accum[i] + g * g;
  let next = w - params.lr * g / (sqrt(G) + params.eps);
  accum[i] = G;
  theta[i] = next;
  if (nonFinite(next)) {
    atomicMax(&status[0], params.size - i);
  }
  if (nonFinite(G)) {
    atomicMax(&status[1], params.size - i);
  }
}
