// adagrad: one AdaGrad step with L2 over the whole flat parameter buffer (docs/model.md).
//   g = dθ + λ·θ;  G += g²;  θ −= lr · g / (√G + ε)
//
// Reads:  dTheta  the batch's mean-loss gradient (flat layout, src/engine/layout.ts)
// Writes: theta   updated in place;  accum  G, updated in place (starts at 0)
//         status  [2] u32, atomicMax: size − i for the first i whose new θ (word 0) or G (word 1)
//                 is NaN or ±Inf; 0 when all are finite (cleared by the engine every step)
// One invocation per quad of parameters (the layout pads every tensor to whole quads, so size and
// the frozen range are multiples of 4; on lavapipe 130 → 60 µs a step at d = 50); padding
// between tensors stays 0 (θ = dθ = 0 there).
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

//! include linear_index

@group(0) @binding(0) var<storage, read_write> theta: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> accum: array<vec4f>;
@group(0) @binding(2) var<storage, read> dTheta: array<vec4f>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;

// Exponent bits all ones: NaN or ±Inf. Integer arithmetic, so no compiler may assume it away.
fn nonFinite(x: vec4f) -> vec4<bool> {
  return (bitcast<vec4u>(x) & vec4u(0x7f800000u)) == vec4u(0x7f800000u);
}

// size − i for the quad's first non-finite component i (quad q holds 4q … 4q + 3), or 0.
fn firstBad(bad: vec4<bool>, q: u32) -> u32 {
  let at = select(select(select(select(0u, 4u, bad.w), 3u, bad.z), 2u, bad.y), 1u, bad.x);
  return select(0u, params.size - (4u * q + at - 1u), at > 0u);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let q = linearInvocation(wid, nwg, lid, WG);
  let i = 4u * q;
  if (i >= params.size || (i >= params.frozenStart && i < params.frozenEnd)) {
    return;
  }
  let w = theta[q];
  let g = dTheta[q] + params.l2 * w;
  let G = accum[q] + g * g;
  let next = w - params.lr * g / (sqrt(G) + params.eps);
  accum[q] = G;
  theta[q] = next;
  let badTheta = nonFinite(next);
  if (any(badTheta)) {
    atomicMax(&status[0], firstBad(badTheta, q));
  }
  let badG = nonFinite(G);
  if (any(badG)) {
    atomicMax(&status[1], firstBad(badG, q));
  }
}
