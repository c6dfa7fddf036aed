// Launch shapes of the RLSTM level kernels (shaders/rlstm_forward.wgsl, shaders/rlstm_backward.wgsl):
// the override constants for a hidden size and how many nodes one workgroup owns.
//
// Both kernels give a workgroup NT whole nodes; each thread keeps an NT × JT block of outputs in
// registers (JT outputs per pass of WG threads), so every weight element is read once per workgroup
// and reused NT times, and every input once per thread and reused JT times. Inputs are read as
// loads the whole workgroup shares, so workgroup memory holds nothing.

/** Largest hidden size the RLSTM kernels support. */
export const RLSTM_MAX_D = 512;
/**
 * Nodes per workgroup: enough reuse of each weight, yet a narrow level (1–5 nodes in a batch-5
 * training step) still spreads over a few workgroups and computes few padding nodes. NT = 8 is
 * about 20 % faster on levels of hundreds of nodes on lavapipe and slower on narrow ones.
 */
const NT = { rlstm_forward: 4, rlstm_backward: 4 } as const;
/** Outputs per thread and pass (forward: 7 accumulators per node and output, NT · JT · 7 registers). */
const JT = 2;

/** Override constants of one RLSTM kernel and the number of nodes each of its workgroups owns. */
export interface RlstmLaunch {
  constants: Record<string, number>;
  nodesPerWorkgroup: number;
}

function launch(kernel: keyof typeof NT, D: number): RlstmLaunch {
  if (!Number.isInteger(D) || D < 1 || D > RLSTM_MAX_D) {
    throw new RangeError(`${kernel}: hidden size D must be an integer in 1..${RLSTM_MAX_D}, got ${D}`);
  }
  // Whole 8-wide waves of threads, at most 256; past WG · JT outputs a thread loops.
  const jt = Math.min(JT, Math.ceil(D / 8));
  const WG = Math.min(256, 8 * Math.ceil(D / (8 * jt)));
  return { constants: { D, NT: NT[kernel], JT: jt, WG }, nodesPerWorkgroup: NT[kernel] };
}

/**
 * Launch of rlstm_forward for hidden size D (1..512): override constants {D, NT, JT, WG} and the
 * nodes per workgroup; dispatch ⌈count / nodesPerWorkgroup⌉ workgroups, folded by computeDispatch.
 */
export function rlstmForwardLaunch(D: number): RlstmLaunch {
  return launch('rlstm_forward', D);
}

/**
 * Launch of rlstm_backward for hidden size D (1..512): override constants {D, NT, JT, WG} and the
 * nodes per workgroup; dispatch ⌈count / nodesPerWorkgroup⌉ workgroups, folded by computeDispatch.
 */
export function rlstmBackwardLaunch(D: number): RlstmLaunch {
  return launch('rlstm_backward', D);
}
