// gemm: C = A · B for row-major matrices, vec4 along each row: the benchmark's matrix-product
// ceiling, a register-blocked product in the level kernels' own style.
//
// Reads:  A [M, K] as vec4 [M, K/4];  B [K, N] as vec4 [K, N/4]  (K and N multiples of 4: the
//         host pads them with zeros)
// Writes: C [M, N] as vec4 [M, N/4], with `=` (every element of the first M rows written once)
// Saves:  nothing
//
// Blocking: a workgroup of WX × WY threads owns a (WY·RM) × (WX·4·CN) tile of C; each thread keeps
// RM = 8 rows × CN = 2 vec4s of columns (8 × 8) in registers and walks K a quad at a time: per quad
// it loads one vec4 of A for each of its 8 rows and two vec4s of B for each of the quad's 4 rows,
// 16 loads feeding 256 FMAs. Nothing is staged in workgroup memory: on CPU drivers a workgroup
// load costs as much as a storage one (docs/bench.md), and on GPUs neighbouring threads share
// their rows of A and B through the caches. Tiles are numbered linearly over the dispatch's
// x, y, z (folded past maxComputeWorkgroupsPerDimension): tile = rowTile · colTiles + colTile.

override WX: u32 = 8u;   // threads along N (each CN vec4s of columns)
override WY: u32 = 8u;   // threads along M (each RM rows)
const RM = 8u;           // rows of C per thread
const CN = 2u;           // vec4s of columns of C per thread

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

@compute @workgroup_size(WX, WY)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let tile = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  let row0 = (tile / params.colTiles) * WY * RM + lid.y * RM;  // this thread's first row
  let c0 = ((tile % params.colTiles) * WX + lid.x) * CN;       // and first vec4 column
  if (row0 >= params.M || c0 >= params.N4) {
    return;
  }
  // Rows and columns past the edge are clamped on read (computed, never stored).
  var ra = array<u32, RM>();
  for (var i = 0u; i < RM; i++) {
    ra[i] = min(row0 + i, params.M - 1u) * params.K4;
  }
  let c1 = min(c0 + 1u, params.N4 - 1u);
  var acc0 = array<vec4f, RM>();  // columns c0, explicit zeros
  var acc1 = array<vec4f, RM>();  // columns c0 + 1
  for (var kq = 0u; kq < params.K4; kq++) {
    let k = 4u * kq;
    let b00 = B[k * params.N4 + c0];
    let b01 = B[k * params.N4 + c1];
    let b10 = B[(k + 1u) * params.N4 + c0];
    let b11 = B[(k + 1u) * params.N4 + c1];
    let b20 = B[(k + 2u) * params.N4 + c0];
    let b21 = B[(k + 2u) * params.N4 + c1];
    let b30 = B[(k + 3u) * params.N4 + c0];
    let b31 = B[(k + 3u) * params.N4 + c1];
    for (var i = 0u; i < RM; i++) {
      let a = A[ra[i] + kq];
      acc0[i] += a.x * b00 + a.y * b10 + a.z * b20 + a.w * b30;
      acc1[i] += a.x * b01 + a.y * b11 + a.z * b21 + a.w * b31;
    }
  }
  for (var i = 0u; i < RM; i++) {
    let r = row0 + i;
    if (r < params.M) {
      C[r * params.N4 + c0] = acc0[i];
      if (c0 + 1u < params.N4) {
        C[r * params.N4 + c0 + 1u] = acc1[i];
      }
    }
  }
}
