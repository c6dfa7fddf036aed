// classifier: softmax, loss and gradient at every target node (each tree's root; with a loss at
// every labelled node, those nodes too).
//   p = softmax(Wc h_n + bc);  loss_n = −log p[label_n];  dlogits = p − onehot(label_n);
//   dH[n] = Wcᵀ dlogits   (each tree's own loss: not divided by the batch size)
//
// Reads:  H        target rows
//         theta    Wc [C, D] row-major at offWc, bc [C] at offbc
//         targets  [T] u32, row of each target;  labels [T] u32
// Writes: probs    [T, C] with `=`;  dlogits [T, C] with `=`;  loss [T] with `=`
//         dH       target rows with `=` (targets are distinct rows; cheap, so forward-only steps
//                  compute it too); the backward levels then add each parent's part
// One workgroup per target; threads loop over classes and units.

override D: u32;
override C: u32;
override WG: u32 = 64u;

struct Params {
  numTargets: u32,
  offWc: u32,
  offbc: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> probs: array<f32>;
@group(0) @binding(1) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(2) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read_write> dH: array<f32>;
@group(0) @binding(4) var<storage, read> H: array<f32>;
@group(0) @binding(5) var<storage, read> theta: array<f32>;
@group(0) @binding(6) var<storage, read> targets: array<u32>;
@group(0) @binding(7) var<storage, read> labels: array<u32>;
@group(0) @binding(8) var<uniform> params: Params;

var<workgroup> logits: array<f32, C>;
// log(1 + x) for x ≥ 0, accurate where 1 + x rounds away most of x.
fn log1p(x: f32) -> f32 {
  if (x < 1e-3) {
    return x * (1.0 - x * (0.5 - x / 3.0));
  }
  return log(1.0 + x);
}

var<workgroup> grads: array<f32, C>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = wid.x + (wid.y + wid.z * nwg.y) * nwg.x;
  if (t >= params.numTargets) {
    return;  // uniform: one target per workgroup
  }
  let row = targets[t];
  // Logits.
  for (var c = lid; c < C; c += WG) {
    var acc = theta[params.offbc + c];
    for (var k = 0u; k < D; k++) {
      acc += theta[params.offWc + c * D + k] * H[row * D + k];
    }
    logits[c] = acc;
  }
  workgroupBarrier();
  // Softmax and loss: C is small; one invocation does it in a fixed order. With m the largest
  // logit and rest = Σ_{c ≠ argmax} exp(l_c − m): loss = m − l_label + log1p(rest), and
  // dlogits[label] = −Σ_{c ≠ label} p_c, both free of the cancellation that p ≈ 1 brings.
  if (lid == 0u) {
    var top = 0u;
    for (var c = 1u; c < C; c++) {
      if (logits[c] > logits[top]) {
        top = c;
      }
    }
    let m = logits[top];
    var rest = 0.0;
    for (var c = 0u; c < C; c++) {
      if (c != top) {
        rest += exp(logits[c] - m);
      }
    }
    let label = labels[t];
    loss[t] = m - logits[label] + log1p(rest);
    var others = 0.0;
    for (var c = 0u; c < C; c++) {
      let p = exp(logits[c] - m) / (1.0 + rest);
      probs[t * C + c] = p;
      if (c != label) {
        grads[c] = p;
        others += p;
      }
    }
    grads[label] = -others;
    for (var c = 0u; c < C; c++) {
      dlogits[t * C + c] = grads[c];
    }
  }
  workgroupBarrier();
  for (var j = lid; j < D; j += WG) {
    var acc = 0.0;
    for (var c = 0u; c < C; c++) {
      acc += theta[params.offWc + c * D + j] * grads[c];
    }
    dH[row * D + j] = acc;
  }
}
