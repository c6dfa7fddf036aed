// outer_reduce_vec4: a cell's weight gradients as sums of outer products over all its internal
// nodes, in a fixed order (no atomics: bit-reproducible). For each tensor T of the table:
//   dT[o, k] = scale · Σ_terms Σ_r deltas[r, slot·rows + o] · x_src(r)[k]
// where x_src(r) is a gathered row of H or C (left or right child, or the node itself) or the
// constant 1 (a bias: cols = 1).
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (children)
//         D, dStride and every slot's first column are multiples of 4 (the engine runs d at
//         gpuDim(d), docs/engine.md), so every load is a whole, aligned vec4
//         table   [numTensors, 12] u32: outOffset, rows, cols, firstBlock, numTerms,
//                 (slot, src) × 2, partialOffset (the tensor's place among the table's elements)
// Writes: one chunk:  dTheta, every element of every tensor of the table, with `=` (scaled)
//         chunks > 1: partials [numChunks, partialStride], the chunk's unscaled sums, with `=`;
//                     reduce_partials then adds the chunks in order (still bit-reproducible)
// Work: invocation b of a chunk owns block b of the table's blocks, 4·BO rows × 4·BK columns of
// one tensor, and walks the chunk's rows in order, term by term. Per row: one index, BO vec4 loads
// of deltas and BK vec4 loads of the input feed 16·BO·BK FMAs, with no workgroup memory and no
// barriers. On CPU drivers a load costs about a dozen FMAs whatever its width (docs/bench.md), so
// the block is as large as the registers allow and every load is a vec4.
// Workgroups: ⌈blocks · chunks / WG⌉; invocation g owns block g mod blocks of chunk g / blocks.
// Slots, uniform and the shared bindings: shaders/include/outer_reduce_io.wgsl.

override WG: u32 = 64u;
override BO: u32 = 2u;  // quads of rows per invocation: 1 or 2
override BK: u32 = 1u;  // quads of columns per invocation: 1 or 2
//! include outer_reduce_io
@group(0) @binding(1) var<storage, read> deltas: array<vec4f>;
@group(0) @binding(2) var<storage, read> H: array<vec4f>;
@group(0) @binding(3) var<storage, read> C: array<vec4f>;

// The vec4 at float index `at` (a multiple of 4) of H or C.
fn input4(fromC: bool, at: u32) -> vec4f {
  if (fromC) {
    return C[at / 4u];
  }
  return H[at / 4u];
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let place = blockOf(wid, nwg, t, BO, BK);
  if (!place.valid) {
    return;  // past the last chunk or block
  }
  let chunk = place.chunk;
  let base = place.base;
  let rows = place.rows;
  let cols = place.cols;
  let o0 = place.o0;
  let k0 = place.k0;
  // Past a tensor's edge (rows or columns not a multiple of the block): clamp the quad read, never store it.
  let oq1 = min(o0 + 4u, ((rows + 3u) / 4u - 1u) * 4u);
  let kq1 = min(k0 + 4u, select(((cols + 3u) / 4u - 1u) * 4u, 0u, cols == 1u));
  let span = chunkRows(chunk);
  let rBegin = span.x;
  let rEnd = span.y;
  // a<q><c>: rows o0 + 4q + (0 … 3) (one vec4 per row), columns k0 + 4c + (0 … 3).
  var a00 = vec4f(); var a01 = vec4f(); var a02 = vec4f(); var a03 = vec4f();
  var a10 = vec4f(); var a11 = vec4f(); var a12 = vec4f(); var a13 = vec4f();
  var b00 = vec4f(); var b01 = vec4f(); var b02 = vec4f(); var b03 = vec4f();
  var b10 = vec4f(); var b11 = vec4f(); var b12 = vec4f(); var b13 = vec4f();
  for (var term = 0u; term < table[base + 4u]; term++) {
    let dCol = table[base + 5u + 2u * term] * rows;  // the slot's first column of deltas
    let src = table[base + 6u + 2u * term];
    let fromC = src == SRC_C_LEFT || src == SRC_C_RIGHT || src == SRC_C_SELF;
    for (var r = rBegin; r < rEnd; r++) {
      let row = srcRow(src, r);
      var x0 = vec4f(1.0);
      var x1 = vec4f(1.0);
      if (row != 0xffffffffu) {
        x0 = input4(fromC, row * params.D + k0);
        if (BK > 1u) {
          x1 = input4(fromC, row * params.D + kq1);
        }
      }
      let at = r * params.dStride + dCol;
      let d0 = deltas[(at + o0) / 4u];
      a00 += d0.x * x0; a01 += d0.y * x0; a02 += d0.z * x0; a03 += d0.w * x0;
      if (BK > 1u) {
        b00 += d0.x * x1; b01 += d0.y * x1; b02 += d0.z * x1; b03 += d0.w * x1;
      }
      if (BO > 1u) {
        let d1 = deltas[(at + oq1) / 4u];
        a10 += d1.x * x0; a11 += d1.y * x0; a12 += d1.z * x0; a13 += d1.w * x0;
        if (BK > 1u) {
          b10 += d1.x * x1; b11 += d1.y * x1; b12 += d1.z * x1; b13 += d1.w * x1;
        }
      }
    }
  }
  let acc = array<vec4f, 16>(a00, a01, a02, a03, a10, a11, a12, a13, b00, b01, b02, b03, b10, b11, b12, b13);
  for (var c = 0u; c < BK; c++) {
    for (var q = 0u; q < BO; q++) {
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
          let o = o0 + 4u * q + i;
          let k = k0 + 4u * c + j;
          if (o < rows && k < cols) {
            let at = o * cols + k;
            let v = acc[8u * c + 4u * q + i][j];
            if (params.numChunks == 1u) {
              dTheta[table[base] + at] = params.scale * v;
            } else {
              partials[chunk * params.partialStride + table[base + 9u] + at] = v;
            }
          }
        }
      }
    }
  }
}
