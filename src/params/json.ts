// Parameter files as JSON: { cell, dim, classes, vocab, tensors: { NAME: { shape, data } } },
// row-major, y = W x. Validation checks everything and lists every problem it finds. No Node APIs:
// the page saves and loads the same files (io.ts reads and writes them in Node).
import type { Params } from './params.ts';
import { isWord } from '../trees/parse.ts';
import { CELLS, isCell, numel, tensorNames, tensorShapes } from './shapes.ts';

/**
 * A parameter file that does not describe a valid model; `problems` lists each thing that is wrong,
 * each starting with the field it is about (`tensors.Wc.shape: …`); `where` is the line:column of a
 * JSON syntax error.
 */
export class ParamsError extends Error {
  override name = 'ParamsError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    readonly where?: string,
  ) {
    const at = where === undefined ? source : `${source}:${where}`;
    super(
      problems.length === 1
        ? `${at}: ${problems[0]}`
        : `${at}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** The JSON form of a tensor. */
export interface TensorJson {
  shape: number[];
  data: number[];
}

/** The JSON form of a parameter file. */
export interface ParamsJson {
  cell: string;
  dim: number;
  classes: number;
  vocab: string[];
  tensors: Record<string, TensorJson>;
}

/** Parameters as a JSON-ready object, tensors in canonical order. */
export function paramsToJson(params: Params): ParamsJson {
  const tensors: Record<string, TensorJson> = {};
  for (const [name, shape] of tensorShapes(params.cell, params.dim, params.vocab.length, params.classes)) {
    tensors[name] = { shape: [...shape], data: Array.from(params.tensors[name] ?? []) };
  }
  return { cell: params.cell, dim: params.dim, classes: params.classes, vocab: [...params.vocab], tensors };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Validates parsed JSON as parameters; throws ParamsError naming every problem (`source` prefixes it). */
export function paramsFromJson(value: unknown, source = 'params'): Params {
  const problems: string[] = [];
  if (!isObject(value))
    throw new ParamsError(source, [
      `expected a JSON object { cell, dim, classes, vocab, tensors }, got ${Array.isArray(value) ? 'an array' : show(value)}`,
    ]);
  const { cell, dim, classes, vocab, tensors } = value;
  if (typeof cell !== 'string' || !isCell(cell))
    problems.push(`cell: must be ${CELLS.map((c) => `"${c}"`).join(' or ')}, got ${show(cell)}`);
  if (!isPositiveInt(dim)) problems.push(`dim: must be a positive integer, got ${show(dim)}`);
  if (!isPositiveInt(classes)) problems.push(`classes: must be a positive integer, got ${show(classes)}`);
  const words = checkVocab(vocab, problems);
  if (!isObject(tensors)) {
    problems.push(`tensors: must be an object { NAME: { shape, data } }, got ${show(tensors)}`);
    throw new ParamsError(source, problems);
  }
  if (problems.length > 0) throw new ParamsError(source, problems);
  const c = cell as Params['cell'];
  const expected = new Map(tensorShapes(c, dim as number, words.length, classes as number));
  for (const name of Object.keys(tensors)) {
    if (!expected.has(name))
      problems.push(`tensors.${name}: unknown tensor (a ${c} has ${tensorNames(c).join(' ')})`);
  }
  const out: Record<string, Float64Array> = {};
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (t === undefined) problems.push(`tensors.${name}: missing`);
    else {
      const data = checkTensor(name, t, shape, problems);
      if (data) out[name] = data;
    }
  }
  if (problems.length > 0) throw new ParamsError(source, problems);
  return { cell: c, dim: dim as number, classes: classes as number, vocab: words, tensors: out };
}

/** Checks the vocabulary: distinct non-empty words without spaces or brackets. */
function checkVocab(vocab: unknown, problems: string[]): string[] {
  if (!Array.isArray(vocab) || vocab.length === 0) {
    problems.push(
      `vocab: must be a non-empty array of words, got ${Array.isArray(vocab) ? '[]' : show(vocab)}`,
    );
    return [];
  }
  const seen = new Map<string, number>();
  vocab.forEach((w, i) => {
    if (typeof w !== 'string' || !isWord(w))
      problems.push(`vocab[${i}]: must be a word without spaces or brackets, got ${show(w)}`);
    else if (seen.has(w)) problems.push(`vocab[${i}]: "${w}" repeats vocab[${seen.get(w)}]`);
    else seen.set(w, i);
  });
  return vocab as string[];
}

/** Checks one tensor's shape and data; returns the data, or undefined after recording problems. */
function checkTensor(
  name: string,
  t: unknown,
  shape: readonly number[],
  problems: string[],
): Float64Array | undefined {
  const want = `[${shape.join(',')}]`;
  const field = `tensors.${name}`;
  if (!isObject(t)) {
    problems.push(`${field}: expected { "shape": ${want}, "data": [...] }, got ${show(t)}`);
    return undefined;
  }
  const got = t.shape;
  if (!Array.isArray(got) || got.length !== shape.length || got.some((v, i) => v !== shape[i])) {
    problems.push(
      `${field}.shape: ${Array.isArray(got) ? `[${got.join(',')}]` : show(got)}, expected ${want}`,
    );
    return undefined;
  }
  const data = t.data;
  if (!Array.isArray(data)) {
    problems.push(`${field}.data: must be an array of numbers, got ${show(data)}`);
    return undefined;
  }
  if (data.length !== numel(shape)) {
    problems.push(`${field}.data: ${data.length} numbers, shape ${want} needs ${numel(shape)}`);
    return undefined;
  }
  const bad = data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) {
    const count = data.filter((v) => typeof v !== 'number' || !Number.isFinite(v)).length;
    const more = count > 1 ? ` (${count} non-finite values in all)` : '';
    problems.push(`${field}.data[${bad}]: not a finite number: ${show(data[bad])}${more}`);
    return undefined;
  }
  return Float64Array.from(data as number[]);
}
