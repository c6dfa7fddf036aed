// rlstm_backward: one level of the recursive LSTM, top-down, every node of the level at once.
//   δo = dh ⊙ tanh(c) ⊙ o(1 − o);  dc = dC + dh ⊙ o ⊙ (1 − tanh²c) + O_cᵀ δo  (total ∂J/∂c)
//   δg = dc ⊙ (1 − g²);  du_L = δg ⊙ i_L;  δi_L = δg ⊙ u_L ⊙ i_L(1 − i_L)
//   δf_L = dc ⊙ c_L ⊙ f_L(1 − f_L)                               (and the same for R)
//   dc_L = dc ⊙ f_L + Uiᵀδi_L + Ui_sibᵀδi_R + Ufᵀδf_L + Uf_sibᵀδf_R
//   dh_L = W_Lᵀdu_L + O_Lᵀδo + Wiᵀδi_L + Wi_sibᵀδi_R + Wfᵀδf_L + Wf_sibᵀδf_R  (R: swap L, R)
//
// Reads:  dH       rows of this level (complete: every parent's level ran before)
//         dC       rows of this level: the gradient on c from the parent alone (zero for roots)
//         C, S     this level's c and saved gates (rlstm_forward); C of the children for δf
//         theta    every matrix [D, D] row-major at params' offsets; children [numInternal, 2] u32
// Writes: dC       this level's rows with `=`: the total dc (read first as the parent's part)
//         dH, dC   the children's rows with `=` (each child has one parent: no races)
//         deltas   [numInternal, 8, D] with `=`: slots δi_L, δi_R, δf_L, δf_R, du_L, du_R, δo, δg
// H is bound for the contract but not read (tanh(c) and o come from C and S).
//
// Work: a workgroup owns NT whole nodes; thread t computes outputs j = t, t + WG, … of all NT nodes.
// Phase 1 writes δo and the direct part of dc; phase 2 adds O_cᵀδo (δo staged in TK-wide slabs) and
// writes the gate deltas; phase 3 stages δi, δf, du, δo slabs and sums the transposed mat-vecs for
// the children. Wᵀ products read W[k, j] with j across threads: coalesced.

override D: u32;
override NT: u32 = 4u;   // nodes per workgroup, at most NT_MAX
override WG: u32 = 64u;  // invocations per workgroup
override TK: u32 = 16u;  // k-slab width
const NT_MAX = 8u;
const TANH_CLAMP = 15.0;

struct Params {
  numLeaves: u32, offWi: u32, offWi_sib: u32, offUi: u32, offUi_sib: u32, offbi: u32,
  offWf: u32, offWf_sib: u32, offUf: u32, offUf_sib: u32, offbf: u32, offW_L: u32, offW_R: u32, offb: u32,
  offO_L: u32, offO_R: u32, offO_c: u32, offbo: u32,
}
struct Range {
  start: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read_write> dH: array<f32>;
@group(0) @binding(1) var<storage, read_write> dC: array<f32>;
@group(0) @binding(2) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(3) var<storage, read> H: array<f32>;
@group(0) @binding(4) var<storage, read> C: array<f32>;
@group(0) @binding(5) var<storage, read> S: array<f32>;
@group(0) @binding(6) var<storage, read> theta: array<f32>;
@group(0) @binding(7) var<storage, read> children: array<u32>;
@group(0) @binding(8) var<uniform> params: Params;
@group(0) @binding(9) var<uniform> range: Range;

var<workgroup> ds: array<f32, 7 * NT * TK>;  // [slot q < 7 of deltas, node, kk]

fn tanhc(x: f32) -> f32 { return tanh(clamp(x, -TANH_CLAMP, TANH_CLAMP)); }
fn child(row: u32, side: u32) -> u32 { return children[2u * (row - params.numLeaves) + side]; }

// Stages slots [0, slots) of deltas, columns [k0, k0 + TK), of the workgroup's nodes into ds.
fn stage(t: u32, first: u32, k0: u32, slots: u32, slot0: u32) {
  for (var e = t; e < slots * NT * TK; e += WG) {
    let n = first + (e / TK) % NT;
    let k = k0 + e % TK;
    let i = range.start + min(n, range.count - 1u) - params.numLeaves;
    let at = (i * 8u + slot0 + e / (NT * TK)) * D;
    ds[e] = select(0.0, deltas[at + min(k, D - 1u)], n < range.count && k < D);
  }
}

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
  // Phase 1: δo, and dc's parent and h = o ⊙ tanh(c) terms.
  for (var j = t; j < D; j += WG) {
    for (var n = first; n < min(first + NT, range.count); n++) {
      let row = range.start + n;
      let s = (row - p.numLeaves) * 8u * D + j;
      let dh = dH[row * D + j];
      let o = S[s + 6u * D];
      let tc = tanhc(C[row * D + j]);
      deltas[s + 6u * D] = dh * tc * o * (1.0 - o);
      dC[row * D + j] += dh * o * (1.0 - tc * tc);
    }
  }
  storageBarrier();
  // Phase 2: dc += O_cᵀ δo, then the gate and candidate deltas.
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    var acc = array<f32, NT_MAX>();  // explicit zeros: see rlstm_forward
    for (var k0 = 0u; k0 < D; k0 += TK) {
      stage(t, first, k0, 1u, 6u);
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let w = theta[p.offO_c + (k0 + kk) * D + j];
          for (var n = 0u; n < NT; n++) {
            acc[n] += w * ds[n * TK + kk];
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        let s = (row - p.numLeaves) * 8u * D + j;
        let dc = dC[row * D + j] + acc[n];
        dC[row * D + j] = dc;
        let iL = S[s]; let iR = S[s + D]; let fL = S[s + 2u * D]; let fR = S[s + 3u * D];
        let g = S[s + 7u * D];
        let dg = dc * (1.0 - g * g);
        deltas[s] = dg * S[s + 4u * D] * iL * (1.0 - iL);
        deltas[s + D] = dg * S[s + 5u * D] * iR * (1.0 - iR);
        deltas[s + 2u * D] = dc * C[child(row, 0u) * D + j] * fL * (1.0 - fL);
        deltas[s + 3u * D] = dc * C[child(row, 1u) * D + j] * fR * (1.0 - fR);
        deltas[s + 4u * D] = dg * iL;
        deltas[s + 5u * D] = dg * iR;
        deltas[s + 7u * D] = dg;
      }
    }
  }
  storageBarrier();
  // Phase 3: the children's dh and dc.
  for (var j0 = 0u; j0 < D; j0 += WG) {
    let j = j0 + t;
    var dhL = array<f32, NT_MAX>(); var dhR = array<f32, NT_MAX>();
    var dcL = array<f32, NT_MAX>(); var dcR = array<f32, NT_MAX>();
    for (var k0 = 0u; k0 < D; k0 += TK) {
      stage(t, first, k0, 7u, 0u);
      workgroupBarrier();
      if (j < D) {
        for (var kk = 0u; kk < min(TK, D - k0); kk++) {
          let w = (k0 + kk) * D + j;
          let wi = theta[p.offWi + w]; let wis = theta[p.offWi_sib + w];
          let ui = theta[p.offUi + w]; let uis = theta[p.offUi_sib + w];
          let wf = theta[p.offWf + w]; let wfs = theta[p.offWf_sib + w];
          let uf = theta[p.offUf + w]; let ufs = theta[p.offUf_sib + w];
          let wl = theta[p.offW_L + w]; let wr = theta[p.offW_R + w];
          let oL = theta[p.offO_L + w]; let oR = theta[p.offO_R + w];
          for (var n = 0u; n < NT; n++) {
            let x = n * TK + kk;
            let diL = ds[x]; let diR = ds[NT * TK + x];
            let dfL = ds[2u * NT * TK + x]; let dfR = ds[3u * NT * TK + x];
            let duL = ds[4u * NT * TK + x]; let duR = ds[5u * NT * TK + x];
            let dO = ds[6u * NT * TK + x];
            dcL[n] += ui * diL + uis * diR + uf * dfL + ufs * dfR;
            dcR[n] += ui * diR + uis * diL + uf * dfR + ufs * dfL;
            dhL[n] += wl * duL + oL * dO + wi * diL + wis * diR + wf * dfL + wfs * dfR;
            dhR[n] += wr * duR + oR * dO + wi * diR + wis * diL + wf * dfR + wfs * dfL;
          }
        }
      }
      workgroupBarrier();
    }
    for (var n = 0u; n < NT; n++) {
      if (j < D && first + n < range.count) {
        let row = range.start + first + n;
        let s = (row - p.numLeaves) * 8u * D + j;
        let dc = dC[row * D + j];
        let left = child(row, 0u);
        let right = child(row, 1u);
        dH[left * D + j] = dhL[n];
        dH[right * D + j] = dhR[n];
        dC[left * D + j] = dc * S[s + 2u * D] + dcL[n];
        dC[right * D + j] = dc * S[s + 3u * D] + dcR[n];
      }
    }
  }
}
