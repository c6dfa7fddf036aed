// rlstm_forward: one level of the recursive LSTM, every node of the level at once (docs/model.md).
//   i_L = σ(Wi h_L + Wi_sib h_R + Ui c_L + Ui_sib c_R + bi),  i_R with L ↔ R;  f_L, f_R with Wf…, bf
//   u_L = W_L h_L,  u_R = W_R h_R,  g = tanh(i_L ⊙ u_L + i_R ⊙ u_R + b)
//   c = f_L ⊙ c_L + f_R ⊙ c_R + g
//   o = σ(O_L h_L + O_R h_R + O_c c + bo),  h = o ⊙ tanh(c)
//
// Reads:  H, C     [numNodes, D]  children's rows (row = level-major node id)
//         theta    flat parameters; every matrix [D, D] row-major (y = W x), at params' element offsets
//         children [numInternal, 2] u32, child rows of internal node i = row − numLeaves
// Writes: H, C     rows [range.start, range.start + range.count) with `=`
// Saves:  S        [numInternal, 8, D] with `=`: slots i_L, i_R, f_L, f_R, u_L, u_R, o, g
//
// Work: a workgroup owns NT whole nodes; thread t computes outputs j = t, t + WG, … of all NT nodes,
// so each weight element is read once per workgroup and used NT times. The children's h and c march
// over k in TK-wide slabs staged in workgroup memory. Phase 1 computes everything but the peephole
// O_c c: it writes c to C and parks the partial output-gate sum in S's o slot. After a storage
// barrier, phase 2 stages the new c rows back in slabs, adds O_c c and writes o and h.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 64u;  // invocations per workgroup
override TK: u32 = 16u;  // k-slab width
const NT_MAX = 8u;
const TANH_CLAMP = 15.0;  // tanh(±15) rounds to ±1 in f32; avoids exp overflow in tanh

struct Params {
  numLeaves: u32, offWi: u32, offWi_sib: u32, offUi: u32, offUi_sib: u32, offbi: u32,
  offWf: u32, offWf_sib: u32, offUf: u32, offUf_sib: u32, offbf: u32, offW_L: u32, offW_R: u32, offb: u32,
  offO_L: u32, offO_R: u32, offO_c: u32, offbo: u32,
}
struct Range {
  start: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> H: array<f32>;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
@group(0) @binding(3) var<storage, read> theta: array<f32>;
@group(0) @binding(4) var<storage, read> children: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> range: Range;

// Phase 1: [input q ∈ {h_L, h_R, c_L, c_R}, node, kk]; phase 2: [node, kk] = the new c.
var<workgroup> xs: array<f32, 4 * NT * TK>;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanhc(x: f32) -> f32 { return tanh(clamp(x, -TANH_CLAMP, TANH_CLAMP)); }
fn child(row: u32, side: u32) -> u32 { return children[2u * (row - params.numLeaves) + side]; }

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  let first = (wid.x + (wid.y + wid.z * nwg.y) * nwg.x) * NT;  // first node of this workgroup in the range
  if (first >= range.count) {
    return;  // uniform: the whole workgroup is past the level
  }
  let p = params;
  // Phase 1: gates, candidate, c, and O_L h_L + O_R h_R + bo.
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    // Accumulators start from explicit zero constructors: Dawn on SwiftShader was seen to keep a
    // bare `var a: array<…>;` from the previous iteration instead of zeroing it again.
    var aiL = array<f32, NT_MAX>(); var aiR = array<f32, NT_MAX>(); var afL = array<f32, NT_MAX>();
    var afR = array<f32, NT_MAX>(); var uL = array<f32, NT_MAX>(); var uR = array<f32, NT_MAX>();
    var ao = array<f32, NT_MAX>();
    for (var k0 = 0u; k0 < D; k0 += TK) {
      for (var e = t; e < 4u * NT * TK; e += WG) {
        let q = e / (NT * TK);
        let n = first + (e / TK) % NT;
        let k = k0 + e % TK;
        var v = 0.0;
        if (n < range.count && k < D) {
          let at = child(range.start + n, q & 1u) * D + k;
          v = select(C[at], H[at], q < 2u);
        }
        xs[e] = v;
      }
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let w = j * D + k0 + kk;
          let wi = theta[p.offWi + w]; let wis = theta[p.offWi_sib + w];
          let ui = theta[p.offUi + w]; let uis = theta[p.offUi_sib + w];
          let wf = theta[p.offWf + w]; let wfs = theta[p.offWf_sib + w];
          let uf = theta[p.offUf + w]; let ufs = theta[p.offUf_sib + w];
          let wl = theta[p.offW_L + w]; let wr = theta[p.offW_R + w];
          let oL = theta[p.offO_L + w]; let oR = theta[p.offO_R + w];
          for (var n = 0u; n < NT; n++) {
            let hL = xs[n * TK + kk]; let hR = xs[(NT + n) * TK + kk];
            let cL = xs[(2u * NT + n) * TK + kk]; let cR = xs[(3u * NT + n) * TK + kk];
            aiL[n] += wi * hL + wis * hR + ui * cL + uis * cR;
            aiR[n] += wi * hR + wis * hL + ui * cR + uis * cL;
            afL[n] += wf * hL + wfs * hR + uf * cL + ufs * cR;
            afR[n] += wf * hR + wfs * hL + uf * cR + ufs * cL;
            uL[n] += wl * hL;
            uR[n] += wr * hR;
            ao[n] += oL * hL + oR * hR;
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        let s = (row - p.numLeaves) * 8u * D + j;
        let iL = sigmoid(aiL[n] + theta[p.offbi + j]); let iR = sigmoid(aiR[n] + theta[p.offbi + j]);
        let fL = sigmoid(afL[n] + theta[p.offbf + j]); let fR = sigmoid(afR[n] + theta[p.offbf + j]);
        let g = tanhc(iL * uL[n] + iR * uR[n] + theta[p.offb + j]);
        C[row * D + j] = fL * C[child(row, 0u) * D + j] + fR * C[child(row, 1u) * D + j] + g;
        S[s] = iL; S[s + D] = iR; S[s + 2u * D] = fL; S[s + 3u * D] = fR;
        S[s + 4u * D] = uL[n]; S[s + 5u * D] = uR[n]; S[s + 7u * D] = g;
        S[s + 6u * D] = ao[n] + theta[p.offbo + j];  // partial: O_c c comes in phase 2
      }
    }
  }
  storageBarrier();  // the new c rows are visible to the whole workgroup
  // Phase 2: o = σ(partial + O_c c), h = o ⊙ tanh(c).
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    var ac = array<f32, NT_MAX>();
    for (var k0 = 0u; k0 < D; k0 += TK) {
      for (var e = t; e < NT * TK; e += WG) {
        let n = first + e / TK;
        let k = k0 + e % TK;
        let at = (range.start + min(n, range.count - 1u)) * D + min(k, D - 1u);
        xs[e] = select(0.0, C[at], n < range.count && k < D);
      }
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let w = theta[p.offO_c + j * D + k0 + kk];
          for (var n = 0u; n < NT; n++) {
            ac[n] += w * xs[n * TK + kk];
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        let s = (row - p.numLeaves) * 8u * D + j + 6u * D;
        let o = sigmoid(S[s] + ac[n]);
        S[s] = o;
        H[row * D + j] = o * tanhc(C[row * D + j]);
      }
    }
  }
}
