import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CELLS,
  ParamsError,
  initParams,
  loadParams,
  paramsFromJson,
  paramsToJson,
  saveParams,
  tensorNames,
  tensorShapes,
} from '../../src/params/index.ts';

const vocab = ['a', 'b', 'c'];

/** The ParamsError's problems for JSON `value`. */
function problems(value: unknown): readonly string[] {
  try {
    paramsFromJson(value, 'p.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ParamsError);
    return (e as ParamsError).problems;
  }
  throw new Error('expected a ParamsError');
}

describe('tensor names and shapes', () => {
  it('lists E, the cell tensors in model.md order, then Wc and bc', () => {
    expect(tensorNames('rnn')).toEqual(['E', 'W_L', 'W_R', 'b', 'Wc', 'bc']);
    expect(tensorNames('rlstm')).toEqual(
      'E Wi Wi_sib Ui Ui_sib bi Wf Wf_sib Uf Uf_sib bf W_L W_R b O_L O_R O_c bo Wc bc'.split(' '),
    );
    expect(tensorShapes('rlstm', 4, 7, 3).map(([n, s]) => `${n}:${s.join('x')}`)).toEqual([
      'E:7x4',
      ...'Wi Wi_sib Ui Ui_sib'.split(' ').map((n) => `${n}:4x4`),
      'bi:4',
      ...'Wf Wf_sib Uf Uf_sib'.split(' ').map((n) => `${n}:4x4`),
      'bf:4',
      'W_L:4x4',
      'W_R:4x4',
      'b:4',
      'O_L:4x4',
      'O_R:4x4',
      'O_c:4x4',
      'bo:4',
      'Wc:3x4',
      'bc:3',
    ]);
  });
});

describe('initParams', () => {
  it('draws matrices in ±1/√fan_in, zero biases and E ~ N(0, 1), reproducibly', () => {
    const d = 20;
    const p = initParams(
      'rlstm',
      d,
      Array.from({ length: 300 }, (_, i) => `w${i}`),
      5,
      1,
    );
    const bound = { Wi: 4, Uf_sib: 4, W_L: 2, W_R: 2, O_c: 3, O_L: 3, Wc: 1 } as const;
    for (const [name, k] of Object.entries(bound)) {
      const t = p.tensors[name] as Float64Array;
      const a = 1 / Math.sqrt(k * d);
      expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(a);
      expect(Math.max(...t.map(Math.abs))).toBeGreaterThan(0.9 * a);
    }
    for (const name of ['bi', 'bf', 'b', 'bo', 'bc'])
      expect([...(p.tensors[name] as Float64Array)].every((v) => v === 0)).toBe(true);
    const E = p.tensors.E as Float64Array;
    const mean = E.reduce((s, v) => s + v, 0) / E.length;
    const variance = E.reduce((s, v) => s + (v - mean) ** 2, 0) / E.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(initParams('rlstm', d, p.vocab, 5, 1)).toEqual(p);
    expect(initParams('rlstm', d, p.vocab, 5, 2).tensors.Wi).not.toEqual(p.tensors.Wi);
    const rnn = initParams('rnn', d, vocab, 2, 1);
    expect(Math.max(...(rnn.tensors.W_L as Float64Array).map(Math.abs))).toBeLessThanOrEqual(
      1 / Math.sqrt(2 * d),
    );
  });
});

describe('parameter files', () => {
  it('save and load round-trip exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'treegrad-params-'));
    for (const cell of CELLS) {
      const p = initParams(cell, 3, vocab, 4, 11);
      const path = join(dir, `${cell}.json`);
      saveParams(path, p);
      expect(loadParams(path)).toEqual(p);
    }
  });

  it('says exactly what is wrong', () => {
    const good = () => JSON.parse(JSON.stringify(paramsToJson(initParams('rlstm', 3, vocab, 2, 1))));
    let j = good();
    j.tensors.Wi.shape = [3, 2];
    expect(problems(j)).toEqual(['tensors.Wi.shape: [3,2], expected [3,3]']);
    j = good();
    j.tensors.bo.data[1] = null;
    j.tensors.bo.data[2] = 'x';
    expect(problems(j)).toEqual([
      'tensors.bo.data[1]: not a finite number: null (2 non-finite values in all)',
    ]);
    j = good();
    j.tensors.E.data.pop();
    expect(problems(j)).toEqual(['tensors.E.data: 8 numbers, shape [3,3] needs 9']);
    j = good();
    delete j.tensors.O_c;
    j.tensors.Oc = j.tensors.O_L;
    expect(problems(j)).toEqual([
      expect.stringMatching(/^tensors\.Oc: unknown tensor \(a rlstm has E Wi .* Wc bc\)$/),
      'tensors.O_c: missing',
    ]);
    j = good();
    j.cell = 'lstm';
    j.dim = 0;
    j.vocab = ['a', 'a b', 'a'];
    expect(problems(j)).toEqual([
      `cell: must be ${CELLS.map((c) => `"${c}"`).join(' or ')}, got "lstm"`,
      'dim: must be a positive integer, got 0',
      'vocab[1]: must be a word without spaces or brackets, got "a b"',
      'vocab[2]: "a" repeats vocab[0]',
    ]);
    expect(problems([])).toEqual([
      'expected a JSON object { cell, dim, classes, vocab, tensors }, got an array',
    ]);
    j = good();
    j.classes = 3; // Wc and bc no longer match
    expect(problems(j)).toEqual([
      'tensors.Wc.shape: [2,3], expected [3,3]',
      'tensors.bc.shape: [2], expected [3]',
    ]);
  });

  it('reports unreadable files and bad JSON with the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'treegrad-params-'));
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ "cell": ');
    expect(() => loadParams(path)).toThrow(`${path}:1:11: the JSON ends too early`);
    expect(() => loadParams(join(dir, 'none.json'))).toThrow(/none\.json: cannot read/);
    const e = (() => {
      try {
        paramsFromJson({ cell: 'rnn' }, 'x.json');
      } catch (err) {
        return err as ParamsError;
      }
    })();
    expect(e?.message.split('\n')[0]).toBe('x.json: 4 problems:');
  });
});

describe('parameter file errors are located', () => {
  const dir = mkdtempSync(join(tmpdir(), 'treegrad-params-at-'));
  const load = (name: string, text: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    try {
      loadParams(path);
    } catch (e) {
      expect(e).toBeInstanceOf(ParamsError);
      return { path, message: (e as Error).message };
    }
    throw new Error('expected a ParamsError');
  };

  it('a JSON syntax error by line:column', () => {
    const { path, message } = load('comma.json', '{\n  "cell": "rnn",\n  "dim": 2,,\n  "classes": 2\n}\n');
    expect(message).toMatch(new RegExp(`^${path}:3:12: not valid JSON here`));
    const cut = load('cut.json', '{\n "cell": "rnn",\n "tensors": { "E": [1, 2');
    expect(cut.message).toMatch(new RegExp(`^${cut.path}:3:25: the JSON ends too early`));
  });

  it('invalid UTF-8 by line:column; a BOM is dropped', () => {
    const bytes = Buffer.concat([Buffer.from('{\n "cell": "rn'), Buffer.from([0xff]), Buffer.from('n"}')]);
    const { path, message } = load('utf.json', bytes);
    expect(message).toMatch(new RegExp(`^${path}:2:13: invalid UTF-8`));
    const good = JSON.stringify(paramsToJson(initParams('rnn', 2, vocab, 2, 1)));
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${good}`);
    expect(loadParams(bom).dim).toBe(2);
  });

  it('every field error names the field', () => {
    const j = JSON.parse(JSON.stringify(paramsToJson(initParams('rnn', 2, vocab, 2, 1))));
    j.classes = 'two';
    j.vocab = 'abc';
    j.tensors = [];
    const all = [...problems(j)];
    j.tensors = { E: 3 };
    j.classes = 2;
    j.vocab = vocab;
    all.push(...problems(j));
    j.tensors = { E: { shape: [3, 2], data: 'x' } };
    all.push(...problems(j));
    for (const p of all)
      expect(p).toMatch(/^(cell|dim|classes|vocab(\[\d+\])?|tensors(\.\w+(\.shape|\.data(\[\d+\])?)?)?): /);
    expect(all).toContain('tensors.E: expected { "shape": [3,2], "data": [...] }, got 3');
    expect(all).toContain('tensors.E.data: must be an array of numbers, got "x"');
    expect(all).toContain('tensors.W_L: missing');
  });
});
