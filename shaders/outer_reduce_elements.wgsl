// outer_reduce_elements: outer_reduce's weight gradients at small d, one invocation per element of
// the table's tensors. Same table, uniforms, bindings and results' places as outer_reduce
// (shaders/outer_reduce.wgsl); src/engine/reduce.ts picks one of the two by d.
//   dT[o, k] = scale · Σ_terms Σ_r deltas[r, slot·rows + o] · x_src(r)[k]
//
// Reads:  deltas  [R, dStride];  H, C [numNodes, D];  idx [R, iStride] u32 (children or roots)
//         table   [numTensors, 12] u32 (outer_reduce's; the tile fields are not used: every
//                 tensor, biases included, is its own elements)
// Writes: one chunk:  dTheta, every element of every tensor of the table, with `=` (scaled)
//         chunks > 1: partials [numChunks, partialStride], the chunk's unscaled sums, with `=`
// Work: invocation i of a chunk owns element i among the table's elements (partialOffset order)
// and walks the chunk's rows in order, term by term: two loads and one FMA a row, no workgroup
// memory, no barriers. Tiles of workgroup memory cost more than they save when a tensor is only
// d × d = 64 … 784 elements: their staging and barriers are per slab of rows, their reuse per d.
// Workgroups: chunk · tiles + w, where `tiles` is the number of WG-wide workgroups per chunk.
// The input slots SRC_* are given by TypeScript's SRC table (src/cells/types.ts) by name.

override WG: u32 = 64u;
override SRC_H_LEFT: u32;
override SRC_H_RIGHT: u32;
override SRC_C_LEFT: u32;
override SRC_C_RIGHT: u32;
override SRC_C_SELF: u32;
override SRC_ONE: u32;

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
  tiles: u32,  // workgroups per chunk
  partialStride: u32,  // elements of the table's tensors
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
  let i = (w % params.tiles) * WG + t;
  if (chunk >= params.numChunks || i >= params.partialStride) {
    return;
  }
  // The tensor holding element i: the last whose partialOffset is at or before i.
  var e = 0u;
  for (var n = 1u; n < params.numTensors; n++) {
    if (table[n * 12u + 9u] <= i) {
      e = n;
    }
  }
  let base = e * 12u;
  let rows = table[base + 1u];
  let cols = table[base + 2u];
  let local = i - table[base + 9u];
  let o = local / cols;
  let k = local % cols;
  let rBegin = chunk * params.chunkRows;
  let rEnd = min(params.R, rBegin + params.chunkRows);
  var acc = 0.0;
  for (var term = 0u; term < table[base + 4u]; term++) {
    let at = table[base + 5u + 2u * term] * rows + o;  // this element's column of deltas
    let src = table[base + 6u + 2u * term];
    let fromC = src == SRC_C_LEFT || src == SRC_C_RIGHT || src == SRC_C_SELF;
    for (var r = rBegin; r < rEnd; r++) {
      let row = srcRow(src, r);
      var x = 1.0;
      if (row != 0xffffffffu) {
        if (fromC) {
          x = C[row * params.D + k];
        } else {
          x = H[row * params.D + k];
        }
      }
      acc += deltas[r * params.dStride + at] * x;
    }
  }
  if (params.numChunks == 1u) {
    dTheta[table[base] + local] = params.scale * acc;
  } else {
    partials[chunk * params.partialStride + i] = acc;
  }
}
