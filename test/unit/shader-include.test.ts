// Kernels composed from shaders/ and shaders/include/ (src/gpu/shaders.ts): the text in place and
// each line's origin, which compile errors are reported at.
import { describe, expect, it } from 'vitest';
import { composeShader, loadShaderSource, reflectShader, shaderLine } from '../../src/gpu/shaders.ts';

describe('shader includes', () => {
  const fragments: Record<string, string> = {
    io: 'struct P { a: u32 }\nvar<private> x: u32;\n',
    bad: '//! include io\n',
  };
  const read = async (name: string) => {
    const text = fragments[name];
    if (text === undefined) throw new Error(`no fragment ${name}`);
    return text;
  };

  it('puts a fragment in place of its line, and knows where every line came from', async () => {
    const { code, origins } = await composeShader('k', 'a\n//! include io\nb', read);
    expect(code).toBe('a\nstruct P { a: u32 }\nvar<private> x: u32;\nb');
    expect(origins).toEqual([
      'shaders/k.wgsl:1',
      'shaders/include/io.wgsl:1',
      'shaders/include/io.wgsl:2',
      'shaders/k.wgsl:3',
    ]);
  });

  it('refuses a fragment that includes another, naming both places; a missing one fails', async () => {
    await expect(composeShader('k', 'x\n//! include bad', read)).rejects.toThrow(
      'shaders/include/bad.wgsl:1: a fragment cannot include another (included from shaders/k.wgsl:2)',
    );
    await expect(composeShader('k', '//! include none', read)).rejects.toThrow('no fragment none');
  });

  it('both reductions read their interface from one fragment: same bindings, same uniform', async () => {
    const vec4 = reflectShader('outer_reduce_vec4', await loadShaderSource('outer_reduce_vec4'));
    const blocks = reflectShader('outer_reduce_blocks', await loadShaderSource('outer_reduce_blocks'));
    expect(blocks.bindings).toEqual(vec4.bindings);
    expect(blocks.uniforms).toEqual(vec4.uniforms);
    expect(vec4.bindings.map((b) => b.name)).toEqual([
      'dTheta',
      'deltas',
      'H',
      'C',
      'idx',
      'table',
      'params',
      'partials',
    ]);
    // A compile error on the fragment's `struct Params` line is reported there, not in the kernel.
    const code = (await loadShaderSource('outer_reduce_blocks')).split('\n');
    const line = code.findIndex((l) => l.startsWith('struct Params')) + 1;
    expect(await shaderLine('outer_reduce_blocks', line)).toMatch(
      /^shaders\/include\/outer_reduce_io\.wgsl:\d+$/,
    );
    expect(await shaderLine('outer_reduce_blocks', 1)).toBe('shaders/outer_reduce_blocks.wgsl:1');
  });
});
