// outer_reduce: weight gradients as sums of outer products over all rows at once, in a fixed
// order (no atomics: bit-reproducible). For each tensor T of the table:
//   dT[o, k] = scale · Σ_terms Σ_r deltas[r, slot·rows + o] · x_src(r)[k]
// where x_src(r) is a gathered row of H or C (left/right child, or the row itself) or the
// constant 1 (a bias: cols = 1). A cell's tensors run over internal nodes; the classifier's over roots.
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (children or roots)
//         table   [numTensors, 12] u32: outOffset, rows, cols, tileStart, numTerms, (slot, src) × 2,
//                 partialOffset (the tensor's place among the table's elements), biasEntry + 1
//                 (0: none; a bias with the same delta slots rides along as column `cols` of this
//                 tensor's last tiles, x = 1, and has no tiles of its own)
// Writes: one chunk:  dTheta, every element of every tensor of the table, with `=` (scaled)
//         chunks > 1: partials [numChunks, partialStride], the chunk's unscaled sums, with `=`;
//                     reduce_partials then adds the chunks in order (still bit-reproducible)
// Work: a GEMM, dT = δᵀ · X with the rows r as its K. A workgroup owns one tile (o, k) of one
// tensor, 4·RM·EDGE_O rows × 4·EDGE_K columns, fitted to d by src/engine/reduce.ts so that little
// of it is padding, and one chunk of rows. Thread (ty, tx) keeps 4·RM rows (quads ty, ty + EDGE_O)
// × 4 columns (quad tx) in RM·4 vec4 registers. Per term, rows march in RT-row slabs: the slab's
// deltas [RT, 4·RM·EDGE_O] and inputs [RT, 4·EDGE_K] are staged in workgroup memory as vec4, then
// each thread runs 4·RM vec4 FMAs per row on one input and RM delta loads. Small tiles take GROUPS
// copies of the threads, group g taking its own RT/GROUPS contiguous rows of each slab; the groups'
// sums are added in group order at the end. Workgroups: chunk · tiles + tile.
// Slots, uniform and bindings: shaders/include/outer_reduce_io.wgsl.

override EDGE_O: u32 = 8u;  // threads along o, each RM quads (4 rows) of the tile
override EDGE_K: u32 = 8u;  // threads along k, each one quad (4 columns)
override RM: u32 = 1u;      // quads of rows per thread: 1 or 2
override GROUPS: u32 = 1u;  // thread groups splitting each slab's rows: a power of two ≤ RT
override WG: u32 = EDGE_O * EDGE_K * GROUPS;
const MAX_EDGE = 16u;  // quads along a tile's edge (EDGE_K, RM·EDGE_O) at most
const RT = 32u;  // rows per slab

//! include outer_reduce_io
@group(0) @binding(1) var<storage, read> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;

var<workgroup> dTile: array<vec4f, RT * MAX_EDGE>;  // [r, o / 4]; at the end the groups' sums (RM = 1)
var<workgroup> xTile: array<vec4f, RT * MAX_EDGE>;  // [r, k / 4]

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
  let base = tensorOfTile(tileId) * 12u;  // the tensor holding this tile
  let rows = table[base + 1u];
  let cols = table[base + 2u];
  let bias = table[base + 10u];  // the bias entry + 1, or 0
  let width = cols + min(bias, 1u);  // columns computed, the bias's included
  let quadsO = EDGE_O * RM;  // quads along o
  let colTiles = (width + 4u * EDGE_K - 1u) / (4u * EDGE_K);
  let local = tileId - table[base + 3u];
  if (local >= ((rows + 4u * quadsO - 1u) / (4u * quadsO)) * colTiles) {
    return;  // uniform: past the last tile
  }
  let o0 = (local / colTiles) * 4u * quadsO;
  let k0 = (local % colTiles) * 4u * EDGE_K;
  let g = t / (EDGE_O * EDGE_K);
  let tx = (t % (EDGE_O * EDGE_K)) / EDGE_O;  // this thread's columns k0 + 4·tx + (0 … 3)
  let ty = t % EDGE_O;                        // and rows o0 + 4·(ty + EDGE_O·m) + (0 … 3)
  let rowsPerGroup = RT / GROUPS;

  // acc<a> holds row o0 + 4·ty + a and acc<4 + a> row o0 + 4·(ty + EDGE_O) + a (RM = 2), columns
  // k0 + 4·tx + (0 … 3), over the group's rows. Named registers, not an array: a compiler that
  // does not unroll would keep an array in memory.
  var acc0 = vec4f();
  var acc1 = vec4f();
  var acc2 = vec4f();
  var acc3 = vec4f();
  var acc4 = vec4f();
  var acc5 = vec4f();
  var acc6 = vec4f();
  var acc7 = vec4f();
  for (var term = 0u; term < table[base + 4u]; term++) {
    let dCol = table[base + 5u + 2u * term] * rows;  // the slot's first column of deltas
    let src = table[base + 6u + 2u * term];
    let fromC = src == SRC_C_LEFT || src == SRC_C_RIGHT || src == SRC_C_SELF;
    for (var r0 = rBegin; r0 < rEnd; r0 += RT) {
      // Stage the slab: items s < RT·quadsO are quads of deltas, the rest quads of inputs.
      for (var s = t; s < RT * (quadsO + EDGE_K); s += WG) {
        let isX = s >= RT * quadsO;
        let i = s - select(0u, RT * quadsO, isX);
        let r = r0 + i / select(quadsO, EDGE_K, isX);
        let lane = 4u * (i % select(quadsO, EDGE_K, isX));
        var v = vec4f();
        if (r < rEnd) {
          if (isX) {
            let row = srcRow(src, r);
            for (var c = 0u; c < 4u; c++) {
              let k = k0 + lane + c;
              if (k < cols) {
                if (row == 0xffffffffu) {
                  v[c] = 1.0;
                } else if (fromC) {
                  v[c] = C[row * params.D + k];
                } else {
                  v[c] = H[row * params.D + k];
                }
              } else if (k < width) {
                v[c] = 1.0;  // the bias's column
              }
            }
          } else {
            let at = r * params.dStride + dCol;
            for (var c = 0u; c < 4u; c++) {
              let o = o0 + lane + c;
              if (o < rows) {
                v[c] = deltas[at + o];
              }
            }
          }
        }
        if (isX) {
          xTile[i] = v;
        } else {
          dTile[i] = v;
        }
      }
      workgroupBarrier();
      for (var rr = g * rowsPerGroup; rr < (g + 1u) * rowsPerGroup; rr++) {
        let xv = xTile[rr * EDGE_K + tx];
        let dv = dTile[rr * quadsO + ty];
        acc0 += dv.x * xv;
        acc1 += dv.y * xv;
        acc2 += dv.z * xv;
        acc3 += dv.w * xv;
        if (RM > 1u) {
          let dw = dTile[rr * quadsO + ty + EDGE_O];
          acc4 += dw.x * xv;
          acc5 += dw.y * xv;
          acc6 += dw.z * xv;
          acc7 += dw.w * xv;
        }
      }
      workgroupBarrier();
    }
  }
  // The groups' sums (only when RM = 1), added in group order by group 0.
  if (GROUPS > 1u) {
    dTile[4u * t] = acc0;
    dTile[4u * t + 1u] = acc1;
    dTile[4u * t + 2u] = acc2;
    dTile[4u * t + 3u] = acc3;
    workgroupBarrier();
    if (g == 0u) {
      for (var h = 1u; h < GROUPS; h++) {
        let at = 4u * (h * EDGE_O * EDGE_K + t);
        acc0 += dTile[at];
        acc1 += dTile[at + 1u];
        acc2 += dTile[at + 2u];
        acc3 += dTile[at + 3u];
      }
    }
  }
  if (g > 0u) {
    return;
  }
  let acc = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  for (var m = 0u; m < RM; m++) {
    for (var a = 0u; a < 4u; a++) {
      let o = o0 + 4u * (ty + EDGE_O * m) + a;
      for (var b = 0u; b < 4u; b++) {
        let k = k0 + 4u * tx + b;
        if (o < rows && k < width) {
          // Column `cols` is the bias's element o (its entry's offsets), the others this tensor's.
          let into = select(base, (bias - 1u) * 12u, k == cols);
          let at = select(o * cols + k, o, k == cols);
          if (params.numChunks == 1u) {
            dTheta[table[into] + at] = params.scale * acc[4u * m + a][b];
          } else {
            partials[chunk * params.partialStride + table[into + 9u] + at] = acc[4u * m + a][b];
          }
        }
      }
    }
  }
}
