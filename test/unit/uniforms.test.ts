// Uniform structs by field name: packing from wgsl_reflect's layout, and every cell's level kernels
// checked against its tensor list, with a planted mismatch named by kernel, struct and field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CELLS, REGISTRY } from '../../src/cells/index.ts';
import { cellParamFields, checkCellKernel } from '../../src/engine/cells.ts';
import { loadShaderSource, reflectShader } from '../../src/gpu/shaders.ts';
import { packUniform, UniformMismatchError } from '../../src/gpu/uniforms.ts';

const source = (name: string) => readFileSync(new URL(`../../shaders/${name}.wgsl`, import.meta.url), 'utf8');

/** The message of the UniformMismatchError `fn` throws. */
function mismatch(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UniformMismatchError);
    return (error as Error).message;
  }
  throw new Error('expected a UniformMismatchError');
}

describe('level kernels and the registry', () => {
  it.each(CELLS)(
    "%s: every level kernel's Params are the cell's tensors, by name and in order",
    async (cell) => {
      // d = 8 and 64: the RNN's quad kernels and its wide ones.
      const kernels = [8, 64].flatMap((d) => {
        const { forward, backward } = REGISTRY[cell].kernels(d);
        return [forward.shader, backward.shader];
      });
      for (const shader of new Set(kernels)) {
        // With its includes in place, as the engine builds it.
        const info = reflectShader(shader, await loadShaderSource(shader));
        expect(() => checkCellKernel(info, cell)).not.toThrow();
        expect(info.uniforms.params?.fields.map((f) => f.name)).toEqual(cellParamFields(cell));
      }
    },
  );

  it('a renamed, a missing and a swapped field are named with kernel and struct', () => {
    const code = source('treelstm_forward');
    const renamed = reflectShader('treelstm_forward', code.replace('offUf_RL: u32', 'offUfRL: u32'));
    expect(mismatch(() => checkCellKernel(renamed, 'treelstm'))).toMatch(
      /^kernel treelstm_forward: struct Params \(binding "params"\): field "offUf_RL" is missing/,
    );
    const swapped = reflectShader(
      'treelstm_forward',
      code.replace('offUo_L: u32, offUo_R: u32', 'offUo_R: u32, offUo_L: u32'),
    );
    expect(mismatch(() => checkCellKernel(swapped, 'treelstm'))).toContain('field "offUo_R" is out of order');
    // The RLSTM's kernel is not a Tree-LSTM kernel.
    const rlstm = reflectShader('rlstm_forward', source('rlstm_forward'));
    expect(mismatch(() => checkCellKernel(rlstm, 'treelstm'))).toContain(
      'kernel rlstm_forward: struct Params',
    );
  });
});

describe('packUniform', () => {
  const info = reflectShader('embed_grad', source('embed_grad'));
  const layout = info.uniforms.params!;

  it('places each field at its offset, f32 as bits, padding zero', () => {
    const words = packUniform('embed_grad', 'params', layout, { vocab: 7, offE: 12, scale: 0.25 });
    expect(words.length).toBe(4);
    expect([words[0], words[1], new Float32Array(words.buffer)[2], words[3]]).toEqual([7, 12, 0.25, 0]);
  });

  it('refuses a missing field, an unknown one, and a value its type cannot hold', () => {
    expect(mismatch(() => packUniform('embed_grad', 'params', layout, { vocab: 7, offE: 12 }))).toBe(
      'kernel embed_grad: struct Params (binding "params"): field "scale" (f32) is declared in the shader but was not given',
    );
    expect(
      mismatch(() => packUniform('embed_grad', 'params', layout, { vocab: 7, offE: 12, scale: 1, offW: 3 })),
    ).toContain('field "offW" was given but the struct declares no such field');
    expect(
      mismatch(() => packUniform('embed_grad', 'params', layout, { vocab: -1, offE: 0, scale: 1 })),
    ).toContain('field "vocab" is u32, got -1');
  });
});
