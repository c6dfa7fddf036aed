// Compute pipelines built from shaders/, cached by (kernel, overrides), with bind groups checked
// against the kernel's own declarations.
import { type BindingDecl, loadShaderSource, reflectShader, type ShaderInfo, shaderLine } from './shaders.ts';
import { type UniformLayout, UniformMismatchError, packUniform } from './uniforms.ts';

/** Raised when TypeScript's bindings or constants do not match what a kernel declares. */
export class BindingMismatchError extends Error {
  override name = 'BindingMismatchError';
}

/** A buffer, or a range of one, for one binding. */
export type BufferResource = GPUBuffer | GPUBufferBinding;

/**
 * Byte stride of the per-dispatch range slots (WebGPU's minUniformBufferOffsetAlignment). The
 * uniform binding `range` carries a dispatch's row range. One buffer holds the ranges of every
 * dispatch of a step, one per `RANGE_STRIDE` bytes, and each range has a bind group of its own at
 * its offset. Not a dynamic offset: on lavapipe a dispatch whose dynamic offset changed costs about
 * 90 µs against 20 µs with a bind group per range (SwiftShader: the same either way); see
 * docs/bench.md.
 */
export const RANGE_STRIDE = 256;

/** A compiled kernel: its pipeline and declared bindings. */
export class Kernel {
  constructor(
    readonly info: ShaderInfo,
    readonly label: string,
    readonly pipeline: GPUComputePipeline,
    private readonly layout: GPUBindGroupLayout,
    private readonly device: GPUDevice,
  ) {}

  /** The struct layout of uniform binding `binding` (throws naming the kernel if it has none). */
  uniform(binding: string): UniformLayout {
    const layout = this.info.uniforms[binding];
    if (!layout) {
      throw new UniformMismatchError(
        `kernel ${this.info.name}: no uniform binding "${binding}" (it declares ${Object.keys(this.info.uniforms).join(', ') || 'none'})`,
      );
    }
    return layout;
  }

  /**
   * The uniform struct of binding `binding` packed by field name from `values` (padding fields
   * `_…` zero): every field must be given, and no name the struct lacks.
   */
  pack(binding: string, values: Readonly<Record<string, number>>): Uint32Array {
    return packUniform(this.info.name, binding, this.uniform(binding), values);
  }

  /**
   * A bind group from buffers given by binding name. Every declared binding must be given, no
   * other name may be, and each buffer must carry the usage its binding needs.
   */
  bind(resources: Readonly<Record<string, BufferResource>>): GPUBindGroup {
    const declared = new Set(this.info.bindings.map((b) => b.name));
    for (const name of Object.keys(resources)) {
      if (!declared.has(name)) {
        throw new BindingMismatchError(
          `kernel ${this.info.name}: binding "${name}" was given but the shader declares no such binding ` +
            `(it declares ${[...declared].join(', ')})`,
        );
      }
    }
    const entries = this.info.bindings.map((decl): GPUBindGroupEntry => {
      const resource = resources[decl.name];
      if (!resource) {
        throw new BindingMismatchError(
          `kernel ${this.info.name}: binding "${decl.name}" (@binding(${decl.binding}), ${decl.kind}) ` +
            'is declared in the shader but was not given',
        );
      }
      checkUsage(this.info.name, decl, 'buffer' in resource ? resource.buffer : resource);
      return { binding: decl.binding, resource: 'buffer' in resource ? resource : { buffer: resource } };
    });
    return this.device.createBindGroup({ label: this.label, layout: this.layout, entries });
  }
}

function checkUsage(kernel: string, decl: BindingDecl, buffer: GPUBuffer): void {
  const needed = decl.kind === 'uniform' ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE;
  if ((buffer.usage & needed) === 0) {
    throw new BindingMismatchError(
      `kernel ${kernel}: binding "${decl.name}" is a ${decl.kind} buffer in the shader, but the buffer ` +
        `given (${buffer.label || 'unlabelled'}) lacks ${decl.kind === 'uniform' ? 'UNIFORM' : 'STORAGE'} usage`,
    );
  }
}

/** Options of a KernelCache. */
export interface KernelCacheOptions {
  /**
   * Awaited before each build's work on the calling thread (bind group layout, shader module,
   * pipeline request), one build after another: a page yields to its UI here, so building many
   * pipelines at once never holds its main thread for long. The compiles themselves still overlap.
   */
  pace?: () => Promise<void>;
}

/** Pipelines of one device, built on first use and shared after. */
export class KernelCache {
  private readonly kernels = new Map<string, Promise<Kernel>>();
  /** The last build's turn (with `pace`). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly device: GPUDevice,
    private readonly options: KernelCacheOptions = {},
  ) {}

  /** The kernel shaders/NAME.wgsl with the given override constants (each must be declared). */
  get(name: string, constants: Readonly<Record<string, number>> = {}): Promise<Kernel> {
    const key = `${name}(${Object.entries(constants)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',')})`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.build(name, key, constants);
      this.kernels.set(key, kernel);
      kernel.catch(() => this.kernels.delete(key));
    }
    return kernel;
  }

  private async build(
    name: string,
    label: string,
    constants: Readonly<Record<string, number>>,
  ): Promise<Kernel> {
    const source = await loadShaderSource(name);
    const { pace } = this.options;
    if (pace) {
      const mine = this.turn.then(pace);
      this.turn = mine;
      await mine;
    }
    const info = reflectShader(name, source);
    for (const key of Object.keys(constants)) {
      if (!info.overrides.includes(key)) {
        throw new BindingMismatchError(
          `kernel ${name}: override constant "${key}" was given but the shader declares no such override ` +
            `(it declares ${info.overrides.join(', ') || 'none'})`,
        );
      }
    }
    const layout = this.device.createBindGroupLayout({
      label,
      entries: info.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind },
      })),
    });
    const module = this.device.createShaderModule({ label, code: info.code });
    try {
      const pipeline = await this.device.createComputePipelineAsync({
        label,
        layout: this.device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: info.entry, constants: { ...constants } },
      });
      return new Kernel(info, label, pipeline, layout, this.device);
    } catch (error) {
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      const messages = await Promise.all(
        errors.map(async (m) => `${await shaderLine(name, m.lineNum)}:${m.linePos}: ${m.message}`),
      );
      throw new Error(`kernel ${label}: ${messages.length ? messages.join('; ') : (error as Error).message}`);
    }
  }
}
