// Dispatch sizing: fold a 1-D workgroup count into (x, y, z) past maxComputeWorkgroupsPerDimension.
//
// Kernels dispatched this way compute a linear id and skip the overshoot:
//   let wg = id.x + id.y * X + id.z * X * Y;  // X, Y = the x and y counts returned here
//   if (wg >= workgroups) { return; }

/** ⌈a / b⌉ for a non-negative integer a and a positive integer b. */
export function ceilDiv(a: number, b: number): number {
  if (!Number.isInteger(a) || a < 0 || !Number.isInteger(b) || b <= 0) {
    throw new Error(`ceilDiv: need a non-negative integer over a positive integer, got ${a} / ${b}`);
  }
  return Math.floor((a + b - 1) / b);
}

/** Fold n into x·y ≥ n with x, y ≤ max (n ≤ max²): y = ⌈n / max⌉ rows, overshoot < y. */
function fold2(n: number, max: number): [number, number] {
  const y = ceilDiv(n, max);
  return [ceilDiv(n, y), y];
}

/**
 * Workgroup counts [x, y, z], each ≤ maxPerDim, with x·y·z ≥ workgroups: [workgroups, 1, 1] when it
 * fits, else folded into y and then z with a small overshoot (fewer than (y + 1)·z spare workgroups,
 * which the kernel skips). Throws an Error naming the count when even maxPerDim³ is too few.
 */
export function computeDispatch(workgroups: number, maxPerDim: number): [number, number, number] {
  if (!Number.isInteger(maxPerDim) || maxPerDim <= 0) {
    throw new Error(`computeDispatch: maxPerDim must be a positive integer, got ${maxPerDim}`);
  }
  if (!Number.isInteger(workgroups) || workgroups < 0) {
    throw new Error(`computeDispatch: workgroups must be a non-negative integer, got ${workgroups}`);
  }
  if (workgroups <= maxPerDim) return [workgroups, 1, 1];
  const plane = maxPerDim * maxPerDim;
  if (workgroups <= plane) {
    const [x, y] = fold2(workgroups, maxPerDim);
    return [x, y, 1];
  }
  if (workgroups > plane * maxPerDim) {
    throw new Error(
      `computeDispatch: ${workgroups} workgroups exceed ${maxPerDim}³ = ${plane * maxPerDim} (maxPerDim per dimension)`,
    );
  }
  const z = ceilDiv(workgroups, plane);
  const [x, y] = fold2(ceilDiv(workgroups, z), maxPerDim);
  return [x, y, z];
}
