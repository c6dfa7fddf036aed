// Agreement of the TF.js peer with treegrad's Float64 reference, for the benchmark page to confirm a
// backend (webgpu runs only there) computes the same thing before it is timed.
import { compare } from '../../src/check/compare.ts';
import type { Params } from '../../src/params/params.ts';
import { tensorNames } from '../../src/params/shapes.ts';
import { referenceGrad } from '../../src/reference/grad.ts';
import type { Tree } from '../../src/trees/tree.ts';
import { type TfjsBackend, tfjsModel } from './tfjs.ts';

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
      grads[name] = compare(name, a, e, { atol: 0, rtol: 0 }).normwise;
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
