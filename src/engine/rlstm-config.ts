// Launch shapes of the RLSTM level kernels (shaders/rlstm_forward.wgsl, shaders/rlstm_backward.wgsl):
// the override constants for a hidden size and how many nodes one workgroup owns.
//
// Both kernels give a workgroup NT whole nodes; thread t computes outputs t, t + WG, … of all of
// them, so every weight element is read once per workgroup and reused NT times. Inputs are staged in
// TK-wide slabs, so workgroup memory is independent of D: forward 4·NT·TK floats, backward 7·NT·TK
// (at NT = 8, TK = 16: 2 KiB and 3.5 KiB, well inside WebGPU's guaranteed 16 KiB).

/** Largest hidden size the RLSTM kernels support. */
export const RLSTM_MAX_D = 512;
/** Upper bound of NT compiled into the kernels (their per-thread accumulator arrays). */
const NT_MAX = 8;
/** Width of the k-slabs staged in workgroup memory. */
const TK = 16;

/** Override constants of one RLSTM kernel and the number of nodes each of its workgroups owns. */
export interface RlstmLaunch {
  constants: Record<string, number>;
  nodesPerWorkgroup: number;
}

function launch(kernel: string, D: number): RlstmLaunch {
  if (!Number.isInteger(D) || D < 1 || D > RLSTM_MAX_D) {
    throw new RangeError(`${kernel}: hidden size D must be an integer in 1..${RLSTM_MAX_D}, got ${D}`);
  }
  // One thread per output up to 256, in whole 32-wide waves; larger D loops over outputs.
  const WG = Math.min(256, 32 * Math.ceil(D / 32));
  // Big matrices repay more reuse per read; small ones gain more from spreading a level wider.
  const NT = D >= 128 ? NT_MAX : 4;
  return { constants: { D, NT, WG, TK }, nodesPerWorkgroup: NT };
}

/**
 * Launch of rlstm_forward for hidden size D (1..512): override constants {D, NT, WG, TK} and the
 * nodes per workgroup; dispatch ⌈count / nodesPerWorkgroup⌉ workgroups, folded by computeDispatch.
 */
export function rlstmForwardLaunch(D: number): RlstmLaunch {
  return launch('rlstm_forward', D);
}

/**
 * Launch of rlstm_backward for hidden size D (1..512): override constants {D, NT, WG, TK} and the
 * nodes per workgroup; dispatch ⌈count / nodesPerWorkgroup⌉ workgroups, folded by computeDispatch.
 */
export function rlstmBackwardLaunch(D: number): RlstmLaunch {
  return launch('rlstm_backward', D);
}
