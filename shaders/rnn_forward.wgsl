// rnn_forward: one level of the plain recursive network, every node of the level at once.
//   h = tanh(W_L h_L + W_R h_R + b)
//
// Reads:  H        [numNodes, D]  children's rows (row = level-major node id)
//         theta    flat parameters; W_L, W_R [D, D] row-major (y = W x), b [D] at params' offsets
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H        rows [range.start, range.start + range.count) with `=`
// Saves:  nothing beyond H (backward uses tanh' = 1 − h²)
//
// Tiling: a workgroup computes TILE nodes × TILE outputs, marching over k in TILE-wide slabs of
// h_L, h_R, W_L and W_R staged in workgroup memory. Tiles are numbered linearly over the (folded)
// dispatch: tileId = nodeTile · outTiles + outTile.

override D: u32;
override TILE: u32 = 16u;
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

var<workgroup> hLTile: array<f32, TILE * TILE>;  // [node, k]
var<workgroup> hRTile: array<f32, TILE * TILE>;
var<workgroup> wLTile: array<f32, TILE * TILE>;  // [out, k]
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
  let left = children[2u * i];
  let right = children[2u * i + 1u];
  let j = outTile * TILE + lid.x;      // output this thread computes
  let wRow = outTile * TILE + lid.y;   // weight row this thread stages

  var acc = 0.0;
  for (var k0 = 0u; k0 < D; k0 += TILE) {
    let k = k0 + lid.x;
    let kOk = k < D;
    let t = lid.y * TILE + lid.x;
    hLTile[t] = select(0.0, H[left * D + k], nodeOk && kOk);
    hRTile[t] = select(0.0, H[right * D + k], nodeOk && kOk);
    wLTile[t] = select(0.0, theta[params.offW_L + wRow * D + k], wRow < D && kOk);
    wRTile[t] = select(0.0, theta[params.offW_R + wRow * D + k], wRow < D && kOk);
    workgroupBarrier();
    for (var kk = 0u; kk < TILE; kk++) {
      acc += hLTile[lid.y * TILE + kk] * wLTile[lid.x * TILE + kk]
           + hRTile[lid.y * TILE + kk] * wRTile[lid.x * TILE + kk];
    }
    workgroupBarrier();
  }
  if (nodeOk && j < D) {
    H[row * D + j] = tanh(clamp(acc + theta[params.offb + j], -TANH_CLAMP, TANH_CLAMP));
  }
}
