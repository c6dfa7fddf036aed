// Launch shapes of the RLSTM level kernels (shaders/rlstm_forward.wgsl, shaders/rlstm_backward.wgsl):
// the override constants for a hidden size and how many nodes one workgroup owns.
import { type LevelShape, quadThreads } from '../types.ts';
//
// Both kernels give a workgroup NT whole nodes; each thread owns a quad of outputs (4 units) of all
// NT nodes, so every weight vec4 is read once per workgroup and reused NT times, and every input
// vec4 once per thread and reused 4 times. Inputs are read as loads the whole workgroup shares, so
// workgroup memory holds nothing. D must be a multiple of 4: the engine runs d at gpuDim(d).

/** Largest hidden size the RLSTM kernels support. */
export const RLSTM_MAX_D = 512;
/**
 * Nodes per workgroup: enough reuse of each weight, yet a narrow level (1–5 nodes in a batch-5
 * training step) still spreads over a few workgroups and computes few padding nodes. On lavapipe,
 * a batch-5 step of keyword dataset 5 at d = 50: NT = 4 against 2, forward 1.1–1.3× and backward
 * 1.1–1.3× faster.
 */
const NT = 4;
/**
 * Nodes per workgroup of the wide shape, which the engine runs on levels of many nodes on a CPU
 * driver: each weight vec4 feeds twice the FMAs. 64 trees at d = 50: on lavapipe forward
 * 46 → 42 ms and backward 51 → 48 ms; on SwiftShader forward 470–530 → 360–390 ms and backward
 * 470–490 → 360–380 ms. Not on a GPU, where 8 nodes' accumulators would not fit the registers.
 */
const NT_WIDE = 8;

/** Override constants of one RLSTM kernel and the number of nodes each of its workgroups owns. */
export type RlstmLaunch = LevelShape;

function checkD(kernel: string, D: number): void {
  if (!Number.isInteger(D) || D < 1 || D > RLSTM_MAX_D) {
    throw new RangeError(`${kernel}: hidden size D must be an integer in 1..${RLSTM_MAX_D}, got ${D}`);
  }
}

function launch(kernel: string, D: number, wide: boolean): RlstmLaunch {
  checkD(kernel, D);
  if (D % 4 !== 0) throw new RangeError(`${kernel}: D must be a multiple of 4 (gpuDim), got ${D}`);
  const { WG, GROUPS } = quadThreads(D);
  const nt = wide ? NT_WIDE : NT;
  return { constants: { D, NT: nt, WG, GROUPS }, nodesPerWorkgroup: GROUPS * nt };
}

/**
 * Launch of rlstm_forward for hidden size D (a multiple of 4 up to 512), `wide` for the wide
 * shape: override constants {D, NT, WG, GROUPS} and the nodes per workgroup; dispatch
 * ⌈count / nodesPerWorkgroup⌉ workgroups, folded by computeDispatch.
 */
export function rlstmForwardLaunch(D: number, wide = false): RlstmLaunch {
  return launch('rlstm_forward', D, wide);
}

/** Launch of rlstm_backward, as rlstmForwardLaunch's. */
export function rlstmBackwardLaunch(D: number, wide = false): RlstmLaunch {
  return launch('rlstm_backward', D, wide);
}
