// Float64 building blocks for the reference: row-major matrices [rows, cols], y = W x.

/** A tensor by name; throws if the parameters lack it (a programming error, not user input). */
export function tensor(tensors: Record<string, Float64Array>, name: string): Float64Array {
  const t = tensors[name];
  if (!t) throw new Error(`missing tensor "${name}"`);
  return t;
}

/** out += W x, for W [rows, cols]. */
export function matVecAdd(
  out: Float64Array,
  W: Float64Array,
  x: Float64Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const row = r * cols;
    for (let c = 0; c < cols; c++) s += (W[row + c] as number) * (x[c] as number);
    out[r] = (out[r] as number) + s;
  }
}

/** out += Wᵀ y, for W [rows, cols] (out has cols entries, y has rows). */
export function matTVecAdd(
  out: Float64Array,
  W: Float64Array,
  y: Float64Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const yr = y[r] as number;
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c] = (out[c] as number) + (W[row + c] as number) * yr;
  }
}

/** G += y ⊗ x (outer product), for G [rows, cols]. */
export function outerAdd(
  G: Float64Array,
  y: Float64Array,
  x: Float64Array,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const yr = y[r] as number;
    if (yr === 0) continue;
    const row = r * cols;
    for (let c = 0; c < cols; c++) G[row + c] = (G[row + c] as number) + yr * (x[c] as number);
  }
}

/** out += x, elementwise. */
export function addTo(out: Float64Array, x: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (x[i] as number);
}

/** The logistic sigmoid 1 / (1 + e^−x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Euclidean norm ‖x‖₂. */
export function norm(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) * (x[i] as number);
  return Math.sqrt(s);
}

/** Numerically stable softmax. */
export function softmax(logits: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const p = logits.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of p) sum += v;
  return p.map((v) => v / sum);
}

/** −log softmax(logits)[label], computed as logsumexp − logit (no underflow). */
export function crossEntropy(logits: Float64Array, label: number): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  return max + Math.log(sum) - (logits[label] as number);
}
