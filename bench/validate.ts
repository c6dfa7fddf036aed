// Validation before timing: a variant's loss and every gradient tensor against the Float64
// reference on a small case, norm-wise per tensor. A variant that disagrees is reported, not timed.
import { compare } from '../src/check/compare.ts';
import type { GradResult } from '../src/reference/grad.ts';
import type { Runner } from './runners.ts';

/** Norm-wise tolerance per tensor: ‖a − e‖ ≤ RTOL·‖e‖ + ATOL·√n (the floor covers near-zero tensors). */
export const RTOL = 1e-4;
/** Absolute floor per element (float32 sums of O(1) terms). */
export const ATOL = 1e-7;

/** The outcome of one variant's check. */
export interface Verdict {
  ok: boolean;
  /** Largest error relative to its tolerance's RTOL scale (norm-wise), and which tensor. */
  worst: number;
  worstName: string;
  error?: string;
}

/**
 * Compares named values to the reference's: the loss and each gradient tensor the reference has.
 * Norm-wise error e = ‖a − e‖/‖e‖ must be ≤ RTOL + ATOL·√n/‖e‖; NaN, a missing tensor or a
 * length mismatch fails.
 */
export function checkAgainst(
  loss: number,
  grads: Readonly<Record<string, ArrayLike<number>>>,
  expected: GradResult,
): Verdict {
  const failures: string[] = [];
  let worst = 0;
  let worstName = 'loss';
  const check = (name: string, a: ArrayLike<number>, e: ArrayLike<number>) => {
    if (a.length !== e.length) {
      failures.push(`${name}: ${a.length} values, expected ${e.length}`);
      return;
    }
    const c = compare(name, a, e, { atol: 0, rtol: RTOL });
    let ref = 0;
    for (let i = 0; i < e.length; i++) ref += e[i]! * e[i]!;
    const bound = RTOL + (ATOL * Math.sqrt(e.length)) / Math.max(Math.sqrt(ref), 1e-300);
    if (!(c.normwise <= worst)) {
      worst = Number.isNaN(c.normwise) ? Number.POSITIVE_INFINITY : c.normwise;
      worstName = name;
    }
    if (!(c.normwise <= bound))
      failures.push(`${name} norm-wise ${c.normwise.toExponential(2)} > ${bound.toExponential(2)}`);
  };
  check('loss', [loss], [expected.loss]);
  for (const [name, e] of Object.entries(expected.paramGrads)) {
    const a = grads[name];
    if (!a) failures.push(`${name}: missing`);
    else check(`d${name}`, a, e);
  }
  const verdict: Verdict = { ok: failures.length === 0, worst, worstName };
  if (failures.length > 0) verdict.error = `disagrees with the reference: ${failures.join('; ')}`;
  return verdict;
}

/** Runs one step of `runner` and checks it; an exception becomes a failed verdict. */
export async function validateRunner(runner: Runner, expected: GradResult): Promise<Verdict> {
  try {
    const loss = await runner.step();
    return checkAgainst(loss, await runner.grads(), expected);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, worst: Number.NaN, worstName: '', error: `failed to run: ${message}` };
  }
}
