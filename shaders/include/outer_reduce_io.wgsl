// The weight-gradient reductions' interface, shared by outer_reduce_vec4 and outer_reduce_blocks
// (each includes it with `//! include outer_reduce_io`): the input slots, the uniform, the bindings and
// the row each input slot reads, and where a block and a chunk lie. The input slots SRC_* are given by TypeScript's SRC table
// (src/cells/types.ts) by name, without defaults, so a slot missing on either side fails when the
// pipeline is built.

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
  blocks: u32,  // blocks over all the table's tensors: invocations per chunk
  partialStride: u32,  // elements of the table's tensors (a chunk's stride in partials)
  _pad: u32,
}

// Bindings 1–3 (deltas, H, C) are each kernel's own: f32 or vec4f elements.
@group(0) @binding(0) var<storage, read_write> dTheta: array<f32>;
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

// The table entry whose blocks hold block `at`: the last whose first block is at or before it
// (the table is short).
fn tensorOfTile(at: u32) -> u32 {
  var e = 0u;
  for (var n = 1u; n < params.numTensors; n++) {
    if (table[n * 12u + 3u] <= at) {
      e = n;
    }
  }
  return e;
}

// The block and the chunk of rows that invocation t of workgroup (wid, nwg) owns, in blocks of
// 4·bo rows × 4·bk columns of each tensor: invocation g (over all workgroups; WG is the including
// kernel's) owns block g mod blocks of chunk g / blocks, so a table of fewer blocks than a
// workgroup (a small D) still fills its lanes with other chunks. The tensor's table entry
// (base = entry · 12), its rows and columns, and the block's first row and column; valid is false
// past the last chunk.
struct Block {
  chunk: u32,
  base: u32,
  rows: u32,
  cols: u32,
  o0: u32,
  k0: u32,
  valid: bool,
}

fn blockOf(wid: vec3u, nwg: vec3u, t: u32, bo: u32, bk: u32) -> Block {
  let g = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * WG + t;
  let chunk = g / params.blocks;
  let b = g % params.blocks;
  let base = tensorOfTile(b) * 12u;
  let rows = table[base + 1u];
  let cols = table[base + 2u];
  let colBlocks = (cols + 4u * bk - 1u) / (4u * bk);
  let local = b - table[base + 3u];
  let valid = chunk < params.numChunks;
  let o0 = (local / colBlocks) * 4u * bo;
  return Block(chunk, base, rows, cols, o0, (local % colBlocks) * 4u * bk, valid);
}

// The rows [x, y) of chunk `chunk`.
fn chunkRows(chunk: u32) -> vec2u {
  let begin = chunk * params.chunkRows;
  return vec2u(begin, min(params.R, begin + params.chunkRows));
}
