// outer_reduce: weight gradients as sums of outer products over all rows at once, in a fixed
// order (no atomics: bit-reproducible). For each tensor T of the table:
//   dT[o, k] = scale · Σ_r Σ_terms deltas[r, slot·rows + o] · x_src(r)[k]
// where x_src(r) is a gathered row of H or C (left/right child, or the row itself) or the
// constant 1 (a bias: cols = 1). A cell's tensors run over internal nodes; the classifier's over roots.
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (children or roots)
//         table   [numTensors, 12] u32: outOffset, rows, cols, tileStart, numTerms, (slot, src) × 2
// Writes: dTheta  every element of every tensor of the table, with `=`
// Tiling: a workgroup owns a TILE×TILE block (o, k) of one tensor and marches over r in
// TILE-row slabs of deltas and inputs staged in workgroup memory.

override TILE: u32 = 16u;
const MAX_TERMS = 2u;
const SRC_H_LEFT = 0u;
const SRC_H_RIGHT = 1u;
const SRC_C_LEFT = 2u;
const SRC_C_RIGHT = 3u;
const SRC_C_SELF = 4u;
const SRC_ONE = 5u;

struct Params {
  R: u32,
  dStride: u32,
  iStride: u32,
  numTensors: u32,
  selfBase: u32,  // row of r's own node: selfBase + r (numLeaves for internal nodes)
  D: u32,
  scale: f32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> dTheta: array<f32>;
@group(0) @binding(1) var<storage, read> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read> table: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> dTile: array<f32, MAX_TERMS * TILE * TILE>;  // [term, r, o]
var<workgroup> xTile: array<f32, MAX_TERMS * TILE * TILE>;  // [term, r, k]

fn input(src: u32, r: u32, k: u32) -> f32 {
  switch src {
    case SRC_H_LEFT: { return H[idx[r * params.iStride] * params.D + k]; }
    case SRC_H_RIGHT: { return H[idx[r * params.iStride + 1u] * params.D + k]; }
    case SRC_C_LEFT: { return C[idx[r * params.iStride] * params.D + k]; }
    case SRC_C_RIGHT: { return C[idx[r * params.iStride + 1u] * params.D + k]; }
    case SRC_C_SELF: { return C[(params.selfBase + r) * params.D + k]; }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(TILE, TILE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let tileId = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  // Which tensor: the last whose first tile is at or before tileId (the table is short).
  var e = 0u;
  for (var t = 1u; t < params.numTensors; t++) {
    if (table[t * 12u + 3u] <= tileId) {
      e = t;
    }
  }
  let base = e * 12u;
  let outOffset = table[base];
  let rows = table[base + 1u];
  let cols = table[base + 2u];
  let colTiles = (cols + TILE - 1u) / TILE;
  let local = tileId - table[base + 3u];
  if (local >= ((rows + TILE - 1u) / TILE) * colTiles) {
    return;  // uniform: past the last tile
  }
  let numTerms = table[base + 4u];
  let o0 = (local / colTiles) * TILE;
  let k0 = (local % colTiles) * TILE;

  var acc = 0.0;
  for (var r0 = 0u; r0 < params.R; r0 += TILE) {
    // Thread (lid.y = r, lid.x = o or k) stages one delta and one input per term.
    let r = r0 + lid.y;
    for (var term = 0u; term < MAX_TERMS; term++) {
      let live = term < numTerms && r < params.R;
      let slot = table[base + 5u + 2u * term];
      let src = table[base + 6u + 2u * term];
      let o = o0 + lid.x;
      let k = k0 + lid.x;
      let at = (term * TILE + lid.y) * TILE + lid.x;
      dTile[at] = select(0.0, deltas[r * params.dStride + slot * rows + o], live && o < rows);
      var x = 0.0;
      if (live && k < cols) {
        x = input(src, r, k);
      }
      xTile[at] = x;
    }
    workgroupBarrier();
    for (var term = 0u; term < MAX_TERMS; term++) {
      for (var rr = 0u; rr < TILE; rr++) {
        let at = (term * TILE + rr) * TILE;
        acc += dTile[at + lid.y] * xTile[at + lid.x];
      }
    }
    workgroupBarrier();
  }
  let o = o0 + lid.y;
  let k = k0 + lid.x;
  if (o < rows && k < cols) {
    dTheta[outOffset + o * cols + k] = params.scale * acc;
  }
}
