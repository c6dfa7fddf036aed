// gather_matmul: Y[r, :] = W · X[idx[r], :] for every row r (y = W x, W is [outDim, inDim]).
// The level kernels' core: a level gathers its children's rows of H through an index buffer.
//
// Reads:  X   [numX, inDim] row-major
//         W   [outDim, inDim] row-major
//         idx [rows] u32, row of X for each output row
// Writes: Y   [rows, outDim] row-major, with `=` (every element written once)
// Saves:  nothing
//
// Tiling: one workgroup computes a TILE×TILE block of Y (TILE rows × TILE outputs), marching over
// inDim in TILE-wide slabs staged in workgroup memory. Tiles are numbered linearly over the
// dispatch's x, y, z (folded past maxComputeWorkgroupsPerDimension): tileId = rowTile·outTiles + outTile.

override TILE: u32 = 16u;

struct Params {
  rows: u32,
  inDim: u32,
  outDim: u32,
  outTiles: u32,  // ceil(outDim / TILE)
}

@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read> idx: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> xTile: array<f32, TILE * TILE>;  // [row, k]
var<workgroup> wTile: array<f32, TILE * TILE>;  // [out, k]

@compute @workgroup_size(TILE, TILE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let tileId = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  let rowTile = tileId / params.outTiles;
  let outTile = tileId % params.outTiles;
  // Uniform across the workgroup: whole workgroups past the last tile leave together.
  if (rowTile * TILE >= params.rows) {
    return;
  }
  let row = rowTile * TILE + lid.y;
  let out = outTile * TILE + lid.x;
  let rowOk = row < params.rows;
  var src = 0u;
  if (rowOk) {
    src = idx[row];
  }
  // Stage loads: thread (lid.x, lid.y) brings X[row, k0 + lid.x] and W[wOut, k0 + lid.x].
  let wOut = outTile * TILE + lid.y;

  var acc = 0.0;
  for (var k0 = 0u; k0 < params.inDim; k0 += TILE) {
    let k = k0 + lid.x;
    let kOk = k < params.inDim;
    xTile[lid.y * TILE + lid.x] = select(0.0, X[src * params.inDim + k], rowOk && kOk);
    wTile[lid.y * TILE + lid.x] = select(0.0, W[wOut * params.inDim + k], wOut < params.outDim && kOk);
    workgroupBarrier();
    for (var j = 0u; j < TILE; j++) {
      acc += xTile[lid.y * TILE + j] * wTile[lid.x * TILE + j];
    }
    workgroupBarrier();
  }
  if (rowOk && out < params.outDim) {
    Y[row * params.outDim + out] = acc;
  }
}
