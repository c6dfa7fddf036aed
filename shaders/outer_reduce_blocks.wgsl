// outer_reduce_blocks: the classifier's weight gradients, one invocation per 4 × 4 block of a
// tensor, with scalar loads (its C rows and its deltas' stride C need not be multiples of 4). Same
// table, uniforms, shared bindings and results' places as outer_reduce_vec4, which computes the
// cell's (shaders/outer_reduce_vec4.wgsl has the table's layout); src/engine/reduce.ts picks it.
//   dT[o, k] = scale · Σ_terms Σ_r deltas[r, slot·rows + o] · x_src(r)[k]
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (the targets' rows)
//         table   [numTensors, 12] u32, with firstBlock = the tensor's first block
// Writes: one chunk:  dTheta, every element of every tensor of the table, with `=` (scaled)
//         chunks > 1: partials [numChunks, partialStride], the chunk's unscaled sums, with `=`
// Work: invocation b of a chunk owns block b of the table's blocks (rows o0 … o0 + 3, columns
// k0 … k0 + 3 of one tensor, clipped at its edges) and walks the chunk's rows in order, term by
// term: one index, 4 input and 4 delta loads feed 16 FMAs, with no workgroup memory and no
// barriers.
// Workgroups: ⌈blocks · chunks / WG⌉; invocation g owns block g mod blocks of chunk g / blocks.
// Slots, uniform and the shared bindings: shaders/include/outer_reduce_io.wgsl.

override WG: u32 = 64u;
//! include outer_reduce_io
@group(0) @binding(1) var<storage, read> deltas: array<f32>;
@group(0) @binding(2) var<storage, read> H: array<f32>;
@group(0) @binding(3) var<storage, read> C: array<f32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let place = blockOf(wid, nwg, t, 1u, 1u);
  if (!place.valid) {
    return;  // past the last chunk or block
  }
  let chunk = place.chunk;
  let base = place.base;
  let rows = place.rows;
  let cols = place.cols;
  let o0 = place.o0;
  let k0 = place.k0;
  let span = chunkRows(chunk);
  let rBegin = span.x;
  let rEnd = span.y;
  // acc<a>: row o0 + a, columns k0 … k0 + 3.
  var acc0 = vec4f();
  var acc1 = vec4f();
  var acc2 = vec4f();
  var acc3 = vec4f();
  for (var term = 0u; term < table[base + 4u]; term++) {
    let dCol = table[base + 5u + 2u * term] * rows + o0;  // this block's first column of deltas
    let src = table[base + 6u + 2u * term];
    let fromC = src == SRC_C_LEFT || src == SRC_C_RIGHT || src == SRC_C_SELF;
    for (var r = rBegin; r < rEnd; r++) {
      let row = srcRow(src, r);
      var x = vec4f(1.0);
      if (row != 0xffffffffu) {
        for (var c = 0u; c < 4u; c++) {
          let k = min(k0 + c, cols - 1u);  // past the edge: a repeated column, never stored
          if (fromC) {
            x[c] = C[row * params.D + k];
          } else {
            x[c] = H[row * params.D + k];
          }
        }
      }
      let at = r * params.dStride + dCol;
      let last = rows - 1u - o0;  // past the edge: a repeated row, never stored
      acc0 += deltas[at] * x;
      acc1 += deltas[at + min(1u, last)] * x;
      acc2 += deltas[at + min(2u, last)] * x;
      acc3 += deltas[at + min(3u, last)] * x;
    }
  }
  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var a = 0u; a < 4u; a++) {
    for (var c = 0u; c < 4u; c++) {
      let o = o0 + a;
      let k = k0 + c;
      if (o < rows && k < cols) {
        let at = o * cols + k;
        if (params.numChunks == 1u) {
          dTheta[table[base] + at] = params.scale * acc[a][c];
        } else {
          partials[chunk * params.partialStride + table[base + 9u] + at] = acc[a][c];
        }
      }
    }
  }
}
