// gemm: C = A · B for row-major matrices, vec4 along each row: the benchmark's matrix-product
// ceiling, a tiled register-blocked product like the level kernels' ideal.
//
// Reads:  A [M, K] as vec4 [M, K/4];  B [K, N] as vec4 [K, N/4]  (K and N multiples of 4: the
//         host pads them with zeros)
// Writes: C [M, N] as vec4 [M, N/4], with `=` (every element of the first M rows written once)
// Saves:  nothing
//
// Tiling: a workgroup of WX × WY threads owns a (WY·RM) × (WX·4) tile of C; each thread keeps
// RM rows × one vec4 of columns in registers. K marches in TK-wide slabs: the tile's rows of A and
// columns of B are staged in workgroup memory (vec4), then every thread runs RM·TK vec4 FMAs on
// them, one B vec4 read per k feeding RM FMAs and one A vec4 per 4 k feeding 4. Tiles are numbered
// linearly over the dispatch's x, y, z (folded past maxComputeWorkgroupsPerDimension):
// tile = rowTile · colTiles + colTile.

override WX: u32 = 8u;   // threads along N (each 4 columns)
override WY: u32 = 8u;   // threads along M (each RM rows)
const RM = 4u;           // rows of C per thread
const TK = 32u;          // K per slab
const MAX_ROWS = 64u;    // WY · RM at most
const MAX_COLS4 = 16u;   // WX at most

struct Params {
  M: u32,
  K4: u32,  // K / 4
  N4: u32,  // N / 4
  colTiles: u32,
}

@group(0) @binding(0) var<storage, read_write> C: array<vec4f>;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> As: array<vec4f, MAX_ROWS * TK / 4u>;  // [row, k / 4]
var<workgroup> Bs: array<vec4f, TK * MAX_COLS4>;      // [k, col / 4]

@compute @workgroup_size(WX, WY)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let tile = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  let rows = WY * RM;
  let row0 = (tile / params.colTiles) * rows;
  let col4 = (tile % params.colTiles) * WX + lid.x;  // this thread's vec4 column
  if (row0 >= params.M) {
    return;  // uniform: past the last tile
  }
  let threads = WX * WY;
  var acc: array<vec4f, RM>;
  for (var k0 = 0u; k0 < params.K4; k0 += TK / 4u) {
    // Stage A[row0 …, k0 …] ([rows, TK/4] vec4) and B[4·k0 …, tile columns] ([TK, WX] vec4).
    for (var s = t; s < rows * TK / 4u; s += threads) {
      let r = row0 + s / (TK / 4u);
      let k = k0 + s % (TK / 4u);
      As[s] = select(vec4f(), A[r * params.K4 + k], r < params.M && k < params.K4);
    }
    for (var s = t; s < TK * WX; s += threads) {
      let k = 4u * k0 + s / WX;
      let c = col4 - lid.x + s % WX;
      Bs[s] = select(vec4f(), B[k * params.N4 + c], k < 4u * params.K4 && c < params.N4);
    }
    workgroupBarrier();
    for (var k = 0u; k < TK / 4u; k++) {
      let b0 = Bs[(4u * k) * WX + lid.x];
      let b1 = Bs[(4u * k + 1u) * WX + lid.x];
      let b2 = Bs[(4u * k + 2u) * WX + lid.x];
      let b3 = Bs[(4u * k + 3u) * WX + lid.x];
      for (var i = 0u; i < RM; i++) {
        let a = As[(lid.y * RM + i) * (TK / 4u) + k];
        acc[i] += a.x * b0 + a.y * b1 + a.z * b2 + a.w * b3;
      }
    }
    workgroupBarrier();
  }
  if (col4 < params.N4) {
    for (var i = 0u; i < RM; i++) {
      let r = row0 + lid.y * RM + i;
      if (r < params.M) {
        C[r * params.N4 + col4] = acc[i];
      }
    }
  }
}
