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
// Tiling: a workgroup computes TILE nodes × TILE child outputs j, marching over k (the parent's
// units) in slabs of δ, W_L[k, j] and W_R[k, j] staged in workgroup memory.

override D: u32;
override TILE: u32 = 16u;

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

var<workgroup> dTile: array<f32, TILE * TILE>;   // [node, k] = δ
var<workgroup> wLTile: array<f32, TILE * TILE>;  // [k, j] = W_L[k, j]
var<workgroup> wRTile: array<f32, TILE * TILE>;

@compute @workgroup_size(TILE, TILE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let outTiles = (D + TILE - 1u) / TILE;
  let tileId = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  let nodeTile = tileId / outTiles;
  let outTile = tileId % outTiles;
  if (nodeTile * TILE >= range.count) {
    return;  // uniform: the whole workgroup is past the level
  }
  let n = nodeTile * TILE + lid.y;
  let nodeOk = n < range.count;
  let row = range.start + min(n, range.count - 1u);
  let i = row - params.numLeaves;
  let j = outTile * TILE + lid.x;

  var accL = 0.0;
  var accR = 0.0;
  for (var k0 = 0u; k0 < D; k0 += TILE) {
    // Stage δ[n, k0 + lid.x]; the first column of tiles also saves it for the weight gradients.
    let k = k0 + lid.x;
    var delta = 0.0;
    if (nodeOk && k < D) {
      let h = H[row * D + k];
      delta = dH[row * D + k] * (1.0 - h * h);
      if (outTile == 0u) {
        deltas[i * D + k] = delta;
      }
    }
    dTile[lid.y * TILE + lid.x] = delta;
    // Stage W[k0 + lid.y, j]: consecutive threads read consecutive j.
    let kw = k0 + lid.y;
    let wOk = kw < D && j < D;
    wLTile[lid.y * TILE + lid.x] = select(0.0, theta[params.offW_L + kw * D + j], wOk);
    wRTile[lid.y * TILE + lid.x] = select(0.0, theta[params.offW_R + kw * D + j], wOk);
    workgroupBarrier();
    for (var kk = 0u; kk < TILE; kk++) {
      let d = dTile[lid.y * TILE + kk];
      accL += d * wLTile[kk * TILE + lid.x];
      accR += d * wRTile[kk * TILE + lid.x];
    }
    workgroupBarrier();
  }
  if (nodeOk && j < D) {
    dH[children[2u * i] * D + j] = accL;
    dH[children[2u * i + 1u] * D + j] = accR;
  }
}
