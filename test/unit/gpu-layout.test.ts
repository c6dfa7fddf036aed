// The engine's parameter layout: the model's tensors widened to a multiple of 4 with zeros, and
// the conversions between it and the model's layout that files and checkpoints use.
import { describe, expect, it } from 'vitest';
import { gpuDim, gpuLayout, paramLayout, relayout } from '../../src/engine/param-layout.ts';
import { CELLS } from '../../src/cells/index.ts';

describe('gpu layout', () => {
  it('rounds d up to a multiple of 4', () => {
    expect([1, 3, 4, 5, 8, 50, 512].map(gpuDim)).toEqual([4, 4, 4, 8, 8, 52, 512]);
  });

  it('is the model layout when d is a multiple of 4', () => {
    const model = paramLayout('rlstm', 8, 7, 3);
    expect(gpuLayout(model)).toEqual(model);
  });

  for (const cell of CELLS) {
    it(`${cell}: round-trips every model element and zeroes the extra units`, () => {
      const model = paramLayout(cell, 5, 7, 3);
      const wide = gpuLayout(model);
      expect(wide.dim).toBe(8);
      const flat = Float32Array.from({ length: model.size }, (_, i) => i + 1);
      const gpu = relayout(flat, model, wide);
      expect(gpu.length).toBe(wide.size);
      // Every model element lands at its row and column; every other element is 0.
      let kept = 0;
      for (const name of model.names) {
        const [rows, cols = 1] = model.shapes[name]!;
        const [, wideCols = 1] = wide.shapes[name]!;
        for (let r = 0; r < rows!; r++)
          for (let c = 0; c < cols; c++) {
            expect(gpu[wide.offsets[name]! + r * wideCols + c]).toBe(
              flat[model.offsets[name]! + r * cols + c],
            );
            kept++;
          }
      }
      expect(gpu.filter((v) => v !== 0).length).toBe(kept);
      const back = relayout(gpu, wide, model);
      for (const name of model.names) {
        const at = model.offsets[name]!;
        const n = model.shapes[name]!.reduce((a, b) => a * b, 1);
        expect(back.subarray(at, at + n)).toEqual(flat.subarray(at, at + n));
      }
    });
  }

  it('refuses a buffer of the wrong size', () => {
    const model = paramLayout('rnn', 5, 7, 3);
    expect(() => relayout(new Float32Array(3), model, gpuLayout(model))).toThrow(/3 values, the layout has/);
  });
});
