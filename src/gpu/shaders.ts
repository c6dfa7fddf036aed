// The WGSL files in shaders/, read from disk in Node and fetched from the dev server in a page.
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { type UniformField, type UniformLayout, UniformMismatchError } from './uniforms.ts';

/** The kinds of buffer binding treegrad kernels use. */
export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';

/** One `@group(0) @binding(n) var<…> name` declaration of a kernel. */
export interface BindingDecl {
  readonly name: string;
  readonly binding: number;
  readonly kind: BindingKind;
}

/** A kernel's source and what wgsl_reflect read from it. */
export interface ShaderInfo {
  readonly name: string;
  readonly code: string;
  readonly entry: string;
  readonly workgroupSize: readonly [number, number, number] | null;
  readonly bindings: readonly BindingDecl[];
  readonly overrides: readonly string[];
  /** The struct layout of each uniform binding, by binding name (packed by field name). */
  readonly uniforms: Readonly<Record<string, UniformLayout>>;
}

/**
 * A kernel's text with its includes in place: a line `//! include NAME` (alone on its line) stands
 * for shaders/include/NAME.wgsl. WGSL has no include; this lets kernels share an interface (structs,
 * bindings, helpers) without repeating it. Fragments include nothing themselves.
 */
export interface ComposedShader {
  code: string;
  /** For each line of `code`, where it came from: `shaders/NAME.wgsl:LINE`. */
  origins: string[];
}

const INCLUDE = /^\/\/! include ([a-z0-9_]+)$/;

/**
 * Composes `source` (shaders/NAME.wgsl) with the fragments it includes, read by `fragment` (given
 * the fragment's name). Throws, naming the line, on a fragment that includes another.
 */
export async function composeShader(
  name: string,
  source: string,
  fragment: (include: string) => Promise<string>,
): Promise<ComposedShader> {
  const code: string[] = [];
  const origins: string[] = [];
  for (const [i, line] of source.split('\n').entries()) {
    const include = INCLUDE.exec(line.trim())?.[1];
    if (include === undefined) {
      code.push(line);
      origins.push(`shaders/${name}.wgsl:${i + 1}`);
      continue;
    }
    const text = (await fragment(include)).replace(/\n$/, '');
    for (const [j, part] of text.split('\n').entries()) {
      if (INCLUDE.test(part.trim())) {
        throw new Error(
          `shaders/include/${include}.wgsl:${j + 1}: a fragment cannot include another (included from shaders/${name}.wgsl:${i + 1})`,
        );
      }
      code.push(part);
      origins.push(`shaders/include/${include}.wgsl:${j + 1}`);
    }
  }
  return { code: code.join('\n'), origins };
}

const composed = new Map<string, Promise<ComposedShader>>();
/** Fragments read so far, by name: kernels that include one share a single read. */
const fragments = new Map<string, Promise<string>>();

function loadFragment(name: string): Promise<string> {
  let text = fragments.get(name);
  if (!text) {
    text = readShaderFile(includeUrl(name));
    fragments.set(name, text);
  }
  return text;
}

/** shaders/NAME.wgsl with its includes (cached): fs in Node, fetch next to the module in a page. */
function loadComposed(name: string): Promise<ComposedShader> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid shader name "${name}"`);
  let shader = composed.get(name);
  if (!shader) {
    shader = readShaderFile(kernelUrl(name)).then((source) => composeShader(name, source, loadFragment));
    composed.set(name, shader);
  }
  return shader;
}

/** The text of shaders/NAME.wgsl, includes in place (cached): fs in Node, fetch in a page. */
export async function loadShaderSource(name: string): Promise<string> {
  return (await loadComposed(name)).code;
}

/** Where line `line` (1-based) of kernel NAME's composed text came from: `shaders/FILE.wgsl:LINE`. */
export async function shaderLine(name: string, line: number): Promise<string> {
  const { origins } = await loadComposed(name);
  return origins[line - 1] ?? `shaders/${name}.wgsl:${line}`;
}

// Two literal patterns on purpose: `vite build` turns each `new URL(`…${x}.wgsl`, import.meta.url)`
// into the files that match it (shaders/*.wgsl, shaders/include/*.wgsl) and emits them as assets.
function kernelUrl(name: string): URL {
  return new URL(`../../shaders/${name}.wgsl`, import.meta.url);
}

function includeUrl(name: string): URL {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid shader include "${name}"`);
  return new URL(`../../shaders/include/${name}.wgsl`, import.meta.url);
}

function readShaderFile(url: URL): Promise<string> {
  return url.protocol === 'file:' ? readNode(url) : readHttp(url);
}

async function readNode(url: URL): Promise<string> {
  const fs = (await import(/* @vite-ignore */ 'node:fs/promises')) as typeof import('node:fs/promises');
  try {
    return await fs.readFile(url, 'utf8');
  } catch (error) {
    throw new Error(`kernel ${url.pathname}: cannot read (${(error as Error).message})`);
  }
}

async function readHttp(url: URL): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`kernel ${url.pathname}: HTTP ${response.status} from ${url.origin}`);
  return response.text();
}

/** Reflections already made, by name and source: wgsl_reflect takes 2–60 ms per kernel. */
const reflected = new Map<string, { code: string; info: ShaderInfo }>();

/**
 * Parses a kernel with wgsl_reflect: its single compute entry point, bindings and overrides. The
 * answer is remembered per name and source, so each kernel is parsed once per process or page.
 */
export function reflectShader(name: string, code: string): ShaderInfo {
  const known = reflected.get(name);
  if (known?.code === code) return known.info;
  const info = parseShader(name, code);
  reflected.set(name, { code, info });
  return info;
}

function parseShader(name: string, code: string): ShaderInfo {
  const reflect = new WgslReflect(code);
  const entries = reflect.entry.compute;
  if (entries.length !== 1) {
    throw new Error(`kernel ${name}: expected one @compute entry point, found ${entries.length}`);
  }
  const entry = entries[0]!;
  const bindings: BindingDecl[] = [];
  const uniforms: Record<string, UniformLayout> = {};
  for (const v of reflect.uniforms) uniforms[v.name] = uniformLayout(name, v.name, v.type, v.size);
  for (const v of [...reflect.uniforms, ...reflect.storage]) {
    if (v.group !== 0)
      throw new Error(`kernel ${name}: binding "${v.name}" is in @group(${v.group}); use @group(0)`);
    const kind: BindingKind =
      v.resourceType === 0 /* Uniform */ ? 'uniform' : v.access === 'read' ? 'read-only-storage' : 'storage';
    bindings.push({ name: v.name, binding: v.binding, kind });
  }
  bindings.sort((a, b) => a.binding - b.binding);
  return {
    name,
    code,
    entry: entry.name,
    workgroupSize: entry.workgroupSize,
    bindings,
    overrides: reflect.overrides.map((o) => o.name),
    uniforms,
  };
}

/** What wgsl_reflect says of a type: a struct has members with offsets. */
interface ReflectedType {
  name: string;
  members?: { name: string; offset: number; type: { name: string } }[] | null;
}

/** A uniform binding's struct of u32, i32 and f32 fields, as wgsl_reflect lays it out. */
function uniformLayout(kernel: string, binding: string, type: ReflectedType, size: number): UniformLayout {
  if (!type.members) {
    throw new UniformMismatchError(`kernel ${kernel}: uniform "${binding}" is a ${type.name}, not a struct`);
  }
  const fields = type.members.map((m): UniformField => {
    const t = m.type.name;
    if (t !== 'u32' && t !== 'i32' && t !== 'f32') {
      throw new UniformMismatchError(
        `kernel ${kernel}: struct ${type.name} (binding "${binding}"): field "${m.name}" is ${t}; ` +
          'uniform structs hold u32, i32 and f32 fields only',
      );
    }
    return { name: m.name, offset: m.offset, type: t };
  });
  return { struct: type.name, size, fields };
}
