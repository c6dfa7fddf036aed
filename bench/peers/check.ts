// Agreement of the TF.js peer with treegrad's Float64 reference, for the benchmark page to confirm a
// backend (webgpu runs only there) computes the same thing before it is timed.
import type { Params } from '../../src/params/params.ts';
import { tensorNames } from '../../src/params/shapes.ts';
import { referenceGrad } from '../../src/reference/grad.ts';
import type { Tree } from '../../src/trees/tree.ts';
import { type TfjsBackend, tfjsModel } from './tfjs.ts';

/** Norm-wise relative error ‖a − e‖ / ‖e‖ (the absolute ‖a − e‖ where e is all zeros). */
export function relError(a: ArrayLike<number>, e: ArrayLike<number>): number {
  if (a.length !== e.length) throw new RangeError(`lengths differ: ${a.length} vs ${e.length}`);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < e.length; i++) {
    diff += ((a[i] as number) - (e[i] as number)) ** 2;
    ref += (e[i] as number) ** 2;
  }
  return Math.sqrt(diff) / (ref > 0 ? Math.sqrt(ref) : 1);
}

/** How closely one TF.js step matches the reference: loss and every gradient tensor. */
export interface TfjsAgreement {
  readonly loss: number;
  readonly referenceLoss: number;
  /** |loss − reference| / reference. */
  readonly lossError: number;
  /** Norm-wise relative error of each gradient tensor, by name in canonical order. */
  readonly grads: Record<string, number>;
  /** The largest of lossError and every gradient error. */
  readonly worst: number;
}

/**
 * Runs one TF.js step on `backend` and compares it with referenceGrad (float32 against Float64:
 * expect errors around 1e-6, and well under 1e-4). Builds and disposes its own model.
 */
export async function tfjsAgreement(
  backend: TfjsBackend,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
): Promise<TfjsAgreement> {
  const ref = referenceGrad(params, trees, labels);
  const model = await tfjsModel(backend, params, trees, labels);
  try {
    const loss = await model.step();
    const got = await model.grads();
    const grads: Record<string, number> = {};
    for (const name of tensorNames(params.cell)) {
      const a = got[name];
      const e = ref.paramGrads[name];
      if (a === undefined || e === undefined) throw new Error(`gradient "${name}" missing`);
      grads[name] = relError(a, e);
    }
    const lossError = Math.abs(loss - ref.loss) / Math.abs(ref.loss);
    return {
      loss,
      referenceLoss: ref.loss,
      lossError,
      grads,
      worst: Math.max(lossError, ...Object.values(grads)),
    };
  } finally {
    model.dispose();
  }
}
