// Validation before timing: a variant's loss and every gradient tensor against the Float64
// reference on a small case, norm-wise per tensor. A variant that disagrees is reported, not timed.
import { TENSOR_TOLERANCE, checkNormwise } from '../src/check/compare.ts';
import type { GradResult } from '../src/reference/grad.ts';
import type { Runner } from './runners.ts';

/** The outcome of one variant's check. */
export interface Verdict {
  ok: boolean;
  /** Largest norm-wise error ‖a − e‖ / ‖e‖, and which tensor. */
  worst: number;
  worstName: string;
  error?: string;
}

/**
 * Compares named values to the reference's: the loss and each gradient tensor the reference has,
 * norm-wise within TENSOR_TOLERANCE (checkNormwise); NaN, a missing tensor or a length mismatch fails.
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
    const check = checkNormwise(name, a, e, TENSOR_TOLERANCE);
    const { normwise } = check.comparison;
    if (!(normwise <= worst)) {
      worst = Number.isNaN(normwise) ? Number.POSITIVE_INFINITY : normwise;
      worstName = name;
    }
    if (check.failure) failures.push(check.failure);
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
