// Float checks against the Float64 reference: |a − e| ≤ atol + rtol·|e| per element, and the
// norm-wise check ‖a − e‖ ≤ rtol·‖e‖ + atol·√n per tensor. The tests, the benchmark and its
// peers all check with these.

/** Tolerances of one tensor. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The outcome of comparing one tensor. */
export interface Comparison {
  name: string;
  ok: boolean;
  /** Largest |a − e|. */
  maxAbs: number;
  /** Index where |a − e| − (atol + rtol·|e|) is largest, and the values there. */
  worstIndex: number;
  actual: number;
  expected: number;
  /** ‖a − e‖₂ / ‖e‖₂ (the absolute ‖a − e‖₂ where e is all zeros). */
  normwise: number;
  /** ‖a − e‖₂ and ‖e‖₂. */
  diffNorm: number;
  refNorm: number;
  /** Largest |a − e| / |e| over elements with e ≠ 0. */
  maxRel: number;
}

/** Compares elementwise with |a − e| ≤ atol + rtol·|e|; NaN and length mismatches fail. */
export function compare(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): Comparison {
  if (actual.length !== expected.length) {
    throw new Error(`${name}: length ${actual.length}, expected ${expected.length}`);
  }
  let worstIndex = -1;
  let worstExcess = Number.NEGATIVE_INFINITY;
  let maxAbs = 0;
  let diff2 = 0;
  let ref2 = 0;
  let ok = true;
  let maxRel = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Math.abs(a - e);
    const excess = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d - (tol.atol + tol.rtol * Math.abs(e));
    if (excess > 0) ok = false;
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
    if (e !== 0 && !(d / Math.abs(e) <= maxRel)) maxRel = d / Math.abs(e);
    diff2 += (a - e) ** 2;
    ref2 += e * e;
  }
  return {
    name,
    ok,
    maxAbs,
    worstIndex,
    actual: actual[worstIndex] ?? Number.NaN,
    expected: expected[worstIndex] ?? Number.NaN,
    normwise: Math.sqrt(diff2) / (ref2 > 0 ? Math.sqrt(ref2) : 1),
    diffNorm: Math.sqrt(diff2),
    refNorm: Math.sqrt(ref2),
    maxRel,
  };
}

/** One line: `OK` or `NOT OK`, the name, max |a − e| and the worst index with its values. */
export function describe(c: Comparison, tol: Tolerance): string {
  return (
    `${c.ok ? 'OK' : 'NOT OK'} ${c.name}: max|a−e| ${c.maxAbs.toExponential(2)}, ` +
    `normwise ${c.normwise.toExponential(2)}, worst [${c.worstIndex}] ${c.actual} vs ${c.expected} ` +
    `(atol ${tol.atol}, rtol ${tol.rtol})`
  );
}

/** Throws with `describe`'s line unless every element is within tolerance. */
export function assertClose(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): Comparison {
  const c = compare(name, actual, expected, tol);
  if (!c.ok) throw new Error(describe(c, tol));
  return c;
}

/** The norm-wise tolerance of a float32 tensor against the Float64 reference (the floor covers near-zero tensors). */
export const TENSOR_TOLERANCE: Readonly<Tolerance> = { atol: 1e-7, rtol: 1e-4 };

/** The outcome of a norm-wise check of one tensor. */
export interface NormwiseCheck {
  ok: boolean;
  comparison: Comparison;
  /** The tolerance on `comparison.normwise`: rtol + atol·√n / ‖e‖. */
  bound: number;
  /** Why it failed (undefined when ok): `describeNormwise`'s line. */
  failure?: string;
}

/**
 * A tensor norm-wise: ‖a − e‖ ≤ rtol·‖e‖ + atol·√n (atol per element, so the floor grows with the
 * tensor's size). NaN and length mismatches fail.
 */
export function checkNormwise(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance = TENSOR_TOLERANCE,
): NormwiseCheck {
  const c = compare(name, actual, expected, { atol: 0, rtol: tol.rtol });
  const allowed = tol.rtol * c.refNorm + tol.atol * Math.sqrt(expected.length);
  const bound = allowed / (c.refNorm > 0 ? c.refNorm : 1);
  const ok = c.diffNorm <= allowed;
  const check: NormwiseCheck = { ok, comparison: c, bound };
  if (!ok) check.failure = describeNormwise(c, bound, tol);
  return check;
}

/** One line for a norm-wise failure: `NOT OK dW norm-wise 3.2e-3 > 1.0e-4: …` with the worst element. */
export function describeNormwise(c: Comparison, bound: number, tol: Tolerance): string {
  return (
    `NOT OK ${c.name} norm-wise ${c.normwise.toExponential(2)} > ${bound.toExponential(2)}: ` +
    `max|a−e| ${c.maxAbs.toExponential(2)}, worst [${c.worstIndex}] ${c.actual} vs ${c.expected} ` +
    `(atol ${tol.atol}·√n, rtol ${tol.rtol})`
  );
}
