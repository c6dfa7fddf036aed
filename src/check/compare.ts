// Float checks against the Float64 reference: |a − e| ≤ atol + rtol·|e| per element, and the
// norm-wise relative error ‖a − e‖ / ‖e‖ per tensor.

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
  /** ‖a − e‖₂ / max(‖e‖₂, tiny). */
  normwise: number;
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
    normwise: Math.sqrt(diff2) / Math.max(Math.sqrt(ref2), 1e-300),
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
