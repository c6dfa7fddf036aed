// Validation of the PyTorch peer's training mode before it is timed: a few AdaGrad steps in
// PyTorch (float32) against the same steps in Float64 on treegrad's reference gradients.
import { compare } from '../../src/check/compare.ts';
import type { Params } from '../../src/params/params.ts';
import { referenceGrad } from '../../src/reference/grad.ts';
import type { Tree } from '../../src/trees/tree.ts';
import { type TorchPeer, type TorchTrainOptions, torchTrain } from './torch.ts';

/** Norm-wise relative error allowed on each tensor's change over the checked steps (float32 vs Float64). */
export const TRAIN_RTOL = 1e-3;

/** AdaGrad's settings (docs/model.md): g = ∂J + λθ, G += g², θ −= lr·g/(√G + ε). */
export type AdaGradSettings = Pick<TorchTrainOptions, 'lr' | 'l2' | 'eps'>;

/**
 * `steps` AdaGrad steps in Float64 from `params` on minibatches of `batch` trees in the order
 * given (wrapping around, as the peer does); returns the final parameters by name.
 */
export function referenceTraining(
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
  batch: number,
  steps: number,
  o: AdaGradSettings,
): Record<string, Float64Array> {
  const theta: Record<string, Float64Array> = {};
  const G: Record<string, Float64Array> = {};
  for (const [name, v] of Object.entries(params.tensors)) {
    theta[name] = Float64Array.from(v);
    G[name] = new Float64Array(v.length);
  }
  for (let s = 0; s < steps; s++) {
    const lo = (s * batch) % trees.length;
    const hi = Math.min(lo + batch, trees.length);
    const { paramGrads } = referenceGrad(
      { ...params, tensors: theta },
      trees.slice(lo, hi),
      labels.slice(lo, hi),
    );
    for (const [name, w] of Object.entries(theta)) {
      const d = paramGrads[name]!;
      const acc = G[name]!;
      for (let i = 0; i < w.length; i++) {
        const g = d[i]! + o.l2 * w[i]!;
        acc[i]! += g * g;
        w[i]! -= (o.lr * g) / (Math.sqrt(acc[i]!) + o.eps);
      }
    }
  }
  return theta;
}

/** Norm-wise relative error of each tensor's change θ_steps − θ_0, PyTorch against Float64. */
export interface TrainingAgreement {
  /** By tensor name. */
  updates: Record<string, number>;
  worst: number;
  worstName: string;
}

/** Runs `steps` AdaGrad steps in the peer and in Float64 and compares the parameter changes. */
export async function trainingAgreement(
  peer: TorchPeer,
  params: Params,
  trees: readonly Tree[],
  labels: readonly number[],
  batch: number,
  steps: number,
  o: AdaGradSettings,
): Promise<TrainingAgreement> {
  const expected = referenceTraining(params, trees, labels, batch, steps, o);
  const got = await torchTrain(peer, params, trees, labels, {
    ...o,
    batch,
    steps,
    warmup: 0,
    returnParams: true,
  });
  const updates: Record<string, number> = {};
  let worst = 0;
  let worstName = '';
  for (const [name, start] of Object.entries(params.tensors)) {
    const a = got.params?.[name];
    if (!a) throw new Error(`the PyTorch peer returned no "${name}"`);
    const e = expected[name]!;
    const err = compare(
      name,
      a.map((x, i) => x - start[i]!),
      e.map((x, i) => x - start[i]!),
      { atol: 0, rtol: TRAIN_RTOL },
    ).normwise;
    updates[name] = err;
    if (!(err <= worst)) [worst, worstName] = [Number.isNaN(err) ? Number.POSITIVE_INFINITY : err, name];
  }
  return { updates, worst, worstName };
}
