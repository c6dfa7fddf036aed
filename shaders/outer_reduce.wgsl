// outer_reduce: weight gradients as sums of outer products over all rows at once, in a fixed
// order (no atomics: bit-reproducible). For each tensor T of the table:
//   dT[o, k] = scale · Σ_r Σ_terms deltas[r, slot·rows + o] · x_src(r)[k]
// where x_src(r) is a gathered row of H or C (left/right child, or the row itself) or the
// constant 1 (a bias: cols = 1). A cell's tensors run over internal nodes; the classifier's over roots.
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (children or roots)
//         table   [numTensors, 12] u32: outOffset, rows, cols, tileStart, numTerms, (slot, src) × 2,
//                 partialOffset (the tensor's place among the table's elements)
// Writes: one chunk:  dTheta, every element of every tensor of the table, with `=` (scaled)
//         chunks > 1: partials [numChunks, partialStride], the chunk's unscaled sums, with `=`;
//                     reduce_partials then adds the chunks in order (still bit-reproducible)
// Work: a workgroup of 64 threads owns a BLOCK×BLOCK block (o, k) of one tensor and one chunk of
// rows; BLOCK follows d (src/engine/reduce.ts), so small tensors waste no work. The threads form
// GROUPS = 64 / (BLOCK/4)² groups, each thread a 4×4 sub-block in registers; r marches in RT-row
// slabs of deltas and inputs staged in workgroup memory, group g taking rows g, g + GROUPS, … of
// each slab. At the end the groups' sums are added in group order. Workgroups: chunk · tiles + tile.
// The input slots SRC_* are given by TypeScript's SRC table (src/cells/types.ts) by name.

override BLOCK: u32 = 32u;  // block edge: 8, 16 or 32
override SRC_H_LEFT: u32;
override SRC_H_RIGHT: u32;
override SRC_C_LEFT: u32;
override SRC_C_RIGHT: u32;
override SRC_C_SELF: u32;
override SRC_ONE: u32;
const WG = 64u;
const SUB = 4u;        // sub-block edge per thread
const MAX_QUADS = 8u;  // BLOCK / SUB at most
const RT = 16u;        // rows per slab
const MAX_TERMS = 2u;

struct Params {
  R: u32,
  dStride: u32,
  iStride: u32,
  numTensors: u32,
  selfBase: u32,  // row of r's own node: selfBase + r (numLeaves for internal nodes)
  D: u32,
  scale: f32,
  chunkRows: u32,
  numChunks: u32,
  tiles: u32,
  partialStride: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> dTheta: array<f32>;
@group(0) @binding(1) var<storage, read> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;
@group(0) @binding(4) var<storage, read> idx: array<u32>;
@group(0) @binding(5) var<storage, read> table: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;

var<workgroup> dTile: array<vec4f, MAX_TERMS * RT * MAX_QUADS>;  // [term, r, o / 4]
var<workgroup> xTile: array<vec4f, MAX_TERMS * RT * MAX_QUADS>;  // [term, r, k / 4]
var<workgroup> sums: array<f32, WG * SUB * SUB>;                 // [group, o, k] of the block

// Row of H or C that input `src` reads for row r (0xffffffff: the constant 1).
fn srcRow(src: u32, r: u32) -> u32 {
  if (src == SRC_H_LEFT || src == SRC_C_LEFT) {
    return idx[r * params.iStride];
  }
  if (src == SRC_H_RIGHT || src == SRC_C_RIGHT) {
    return idx[r * params.iStride + 1u];
  }
  if (src == SRC_C_SELF) {
    return params.selfBase + r;
  }
  return 0xffffffffu;  // SRC_ONE
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let w = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  let chunk = w / params.tiles;
  let tileId = w % params.tiles;
  if (chunk >= params.numChunks) {
    return;  // uniform: past the last chunk
  }
  let rBegin = chunk * params.chunkRows;
  let rEnd = min(params.R, rBegin + params.chunkRows);
  // Which tensor: the last whose first tile is at or before tileId (the table is short).
  var e = 0u;
  for (var i = 1u; i < params.numTensors; i++) {
    if (table[i * 12u + 3u] <= tileId) {
      e = i;
    }
  }
  let base = e * 12u;
  let outOffset = table[base];
  let rows = table[base + 1u];
  let cols = table[base + 2u];
  let colTiles = (cols + BLOCK - 1u) / BLOCK;
  let local = tileId - table[base + 3u];
  if (local >= ((rows + BLOCK - 1u) / BLOCK) * colTiles) {
    return;  // uniform: past the last block
  }
  let numTerms = table[base + 4u];
  let o0 = (local / colTiles) * BLOCK;
  let k0 = (local % colTiles) * BLOCK;
  let quads = BLOCK / SUB;     // threads along an edge of the block
  let size = quads * quads;    // threads per group
  let groups = WG / size;
  let g = t / size;
  let ty = (t % size) / quads;  // this thread's rows o0 + ty·SUB + a
  let tx = t % quads;           // and columns k0 + tx·SUB + b

  // acc[a] holds row o0 + ty·SUB + a, columns k0 + tx·SUB + (0 … 3), over the group's rows.
  var acc0 = vec4f();
  var acc1 = vec4f();
  var acc2 = vec4f();
  var acc3 = vec4f();
  for (var r0 = rBegin; r0 < rEnd; r0 += RT) {
    // Stage four lanes per step: lanes along o for deltas and along k for inputs.
    for (var s = t; s < numTerms * RT * quads; s += WG) {
      let term = s / (RT * quads);
      let r = r0 + (s / quads) % RT;
      let lane = (s % quads) * SUB;
      let slot = table[base + 5u + 2u * term];
      let src = table[base + 6u + 2u * term];
      var d = vec4f();
      var x = vec4f();
      if (r < rEnd) {
        let row = srcRow(src, r);
        let fromC = src == SRC_C_LEFT || src == SRC_C_RIGHT || src == SRC_C_SELF;
        for (var c = 0u; c < SUB; c++) {
          if (o0 + lane + c < rows) {
            d[c] = deltas[r * params.dStride + slot * rows + o0 + lane + c];
          }
          let k = k0 + lane + c;
          if (k < cols) {
            if (row == 0xffffffffu) {
              x[c] = 1.0;
            } else if (fromC) {
              x[c] = C[row * params.D + k];
            } else {
              x[c] = H[row * params.D + k];
            }
          }
        }
      }
      dTile[s] = d;
      xTile[s] = x;
    }
    workgroupBarrier();
    for (var term = 0u; term < numTerms; term++) {
      for (var rr = g; rr < RT; rr += groups) {
        let at = (term * RT + rr) * quads;
        let dv = dTile[at + ty];
        let xv = xTile[at + tx];
        acc0 += dv.x * xv;
        acc1 += dv.y * xv;
        acc2 += dv.z * xv;
        acc3 += dv.w * xv;
      }
    }
    workgroupBarrier();
  }
  // The groups' sums, added in group order.
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var a = 0u; a < SUB; a++) {
    for (var b = 0u; b < SUB; b++) {
      sums[(g * BLOCK + ty * SUB + a) * BLOCK + tx * SUB + b] = accs[a][b];
    }
  }
  workgroupBarrier();
  for (var i = t; i < BLOCK * BLOCK; i += WG) {
    let o = o0 + i / BLOCK;
    let k = k0 + i % BLOCK;
    if (o < rows && k < cols) {
      var sum = sums[i];
      for (var h = 1u; h < groups; h++) {
        sum += sums[h * BLOCK * BLOCK + i];
      }
      if (params.numChunks == 1u) {
        dTheta[outOffset + o * cols + k] = params.scale * sum;
      } else {
        partials[chunk * params.partialStride + table[base + 9u] + o * cols + k] = sum;
      }
    }
  }
}
