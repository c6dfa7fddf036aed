// reduce_partials: adds outer_reduce's per-chunk partial sums in chunk order (bit-reproducible)
// and writes the scaled total into the gradient buffer.
//   dT[i] = scale · Σ_{c = 0 … numChunks−1} partials[c, partialOffset(T) + i]
//
// Reads:  partials [numChunks, partialStride];  table (as outer_reduce's: outOffset at 0,
//         partialOffset at 9, 12 u32 per tensor)
// Writes: dTheta   every element of every tensor of the table, with `=`
// One invocation per element of the table's tensors.

override WG: u32 = 256u;

struct Params {
  elements: u32,
  numChunks: u32,
  numTensors: u32,
  scale: f32,
}

//! include linear_index

@group(0) @binding(0) var<storage, read_write> dTheta: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearInvocation(wid, nwg, lid, WG);
  if (i >= params.elements) {
    return;
  }
  // The tensor holding element i: the last whose partialOffset is at or before i.
  var e = 0u;
  for (var t = 1u; t < params.numTensors; t++) {
    if (table[t * 12u + 9u] <= i) {
      e = t;
    }
  }
  var sum = 0.0;
  for (var c = 0u; c < params.numChunks; c++) {
    sum += partials[c * params.elements + i];
  }
  dTheta[table[e * 12u] + i - table[e * 12u + 9u]] = params.scale * sum;
}
