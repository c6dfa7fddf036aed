// The RNN level kernels' uniforms, shared by rnn_forward, rnn_backward and their quad versions
// (each includes it with `//! include rnn_io`): the cell's tensor offsets (the engine checks them
// against the cell's tensors by name) and the level's range of rows.

struct Params {
  numLeaves: u32,
  offW_L: u32,
  offW_R: u32,
  offb: u32,
}
struct Range {
  start: u32,
  count: u32,
}
