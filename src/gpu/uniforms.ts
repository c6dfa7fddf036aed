// Uniform structs packed by field name from the kernel's own struct layout (wgsl_reflect), never
// by position: a field TypeScript does not know, or a value for a field the shader does not
// declare, is an error naming the kernel, the struct and the field.

/** Raised when TypeScript's values do not match a kernel's uniform struct. */
export class UniformMismatchError extends Error {
  override name = 'UniformMismatchError';
}

/** One scalar field of a uniform struct. */
export interface UniformField {
  readonly name: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  readonly type: 'u32' | 'i32' | 'f32';
}

/** The layout of one uniform binding's struct. */
export interface UniformLayout {
  /** The WGSL struct's name, e.g. `Params`. */
  readonly struct: string;
  /** Bytes, a multiple of 16 (WGSL's uniform alignment). */
  readonly size: number;
  readonly fields: readonly UniformField[];
}

/** Fields whose name starts with `_` are padding: never given, always zero. */
const isPadding = (name: string) => name.startsWith('_');

/** Where a mismatch is: "kernel K: struct S (binding "b")". */
function where(kernel: string, binding: string, layout: UniformLayout): string {
  return `kernel ${kernel}: struct ${layout.struct} (binding "${binding}")`;
}

/**
 * The uniform struct `layout` of `kernel`'s binding `binding` with every field set by name from
 * `values` (padding fields zero). Every non-padding field must be given and no other name may be.
 */
export function packUniform(
  kernel: string,
  binding: string,
  layout: UniformLayout,
  values: Readonly<Record<string, number>>,
): Uint32Array {
  const declared = new Set(layout.fields.map((f) => f.name));
  for (const name of Object.keys(values)) {
    if (!declared.has(name) || isPadding(name)) {
      throw new UniformMismatchError(
        `${where(kernel, binding, layout)}: field "${name}" was given but the struct declares no such field ` +
          `(it declares ${layout.fields.map((f) => f.name).join(', ')})`,
      );
    }
  }
  const words = new Uint32Array(Math.ceil(layout.size / 16) * 4);
  const view = new DataView(words.buffer);
  for (const f of layout.fields) {
    if (isPadding(f.name)) continue;
    const v = values[f.name];
    if (v === undefined) {
      throw new UniformMismatchError(
        `${where(kernel, binding, layout)}: field "${f.name}" (${f.type}) is declared in the shader but was not given`,
      );
    }
    if (f.type === 'f32') view.setFloat32(f.offset, v, true);
    else {
      const ok =
        Number.isInteger(v) && (f.type === 'u32' ? v >= 0 && v <= 0xffffffff : Math.abs(v) <= 2 ** 31);
      if (!ok) {
        throw new UniformMismatchError(
          `${where(kernel, binding, layout)}: field "${f.name}" is ${f.type}, got ${v}`,
        );
      }
      if (f.type === 'u32') view.setUint32(f.offset, v, true);
      else view.setInt32(f.offset, v, true);
    }
  }
  return words;
}

/**
 * Checks that a uniform struct's fields are exactly `expected` (padding aside), in that order:
 * what a kernel and TypeScript both know by name, compared when the pipeline is built.
 */
export function checkFields(
  kernel: string,
  binding: string,
  layout: UniformLayout,
  expected: readonly string[],
  what: string,
): void {
  const got = layout.fields.map((f) => f.name).filter((n) => !isPadding(n));
  const missing = expected.filter((n) => !got.includes(n));
  const extra = got.filter((n) => !expected.includes(n));
  const problem =
    missing.length > 0
      ? `field "${missing[0]}" is missing`
      : extra.length > 0
        ? `field "${extra[0]}" is not in ${what}`
        : got.some((n, i) => n !== expected[i])
          ? `field "${got.find((n, i) => n !== expected[i])}" is out of order`
          : undefined;
  if (problem) {
    throw new UniformMismatchError(
      `${where(kernel, binding, layout)}: ${problem} (${what}: ${expected.join(' ')}; the struct: ${got.join(' ')})`,
    );
  }
}
