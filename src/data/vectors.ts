// Node only: word vectors in the text format GloVe distributes (`word v1 … vd`, one per line; a
// word2vec header line `count dim` is allowed), streamed line by line and never held whole: only
// the rows of the vocabulary's words are kept. A word is looked up as written, then lowercased
// (GloVe 6B is lowercase). Errors name path:line:column.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../train/files.ts';
import type { PretrainedRows } from './embeddings.ts';

/** The rows found for a vocabulary, and how they were found. */
export interface VectorsRead extends PretrainedRows {
  /** Vocabulary words found as written. */
  exact: number;
  /** Vocabulary words found only lowercased. */
  lowercased: number;
  /** Lines of vectors read. */
  lines: number;
  /** Lines whose word holds spaces (more fields than dim + 1): they match no word of ours. */
  spaced: number;
  /**
   * Lines whose word is not valid UTF-8 (decoded with U+FFFD): they match no word of ours, and are
   * counted so that a file in another encoding is noticed, not silently unmatched.
   */
  undecodable: number;
  /** The first such line's number, when there is one. */
  firstUndecodable?: number;
}

const INTEGER = /^\d+$/;

/**
 * Streams `path` and returns the vectors of `vocab`'s words. The file's dimension (its first
 * vector line, or a word2vec header) must equal `dim`. Lines of other words are only counted
 * field by field, so a cut-short line anywhere is still found.
 */
export async function readVectors(path: string, vocab: readonly string[], dim: number): Promise<VectorsRead> {
  const want = new Map<string, number>();
  const lower = new Map<string, number[]>();
  vocab.forEach((w, i) => {
    want.set(w, i);
    const l = w.toLowerCase();
    if (l !== w) lower.set(l, [...(lower.get(l) ?? []), i]);
  });
  const exact = new Map<number, Float32Array>();
  const folded = new Map<number, Float32Array>();
  let lineNo = 0;
  let lines = 0;
  let spaced = 0;
  let undecodable = 0;
  let firstUndecodable: number | undefined;
  let fileDim: number | undefined;
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
    throw new InputError(`${path}: cannot read: ${why}`);
  }
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const raw of reader) {
      lineNo++;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      const offset = raw.length - text.length;
      if (text.trim() === '') continue;
      const fields = text.trimEnd().split(' ');
      if (fileDim === undefined) {
        const header = fields.length === 2 && INTEGER.test(fields[0]!) && INTEGER.test(fields[1]!);
        fileDim = header ? Number(fields[1]) : fields.length - 1;
        if (fileDim !== dim)
          throw new InputError(
            `${path}:${lineNo}:1: the vectors have ${fileDim} dimensions${header ? ' (word2vec header)' : ''}, --dim is ${dim}: give --dim ${fileDim}`,
          );
        if (header) continue;
      }
      lines++;
      if (fields.length < dim + 1)
        throw new InputError(
          `${path}:${lineNo}:${offset + text.trimEnd().length + 1}: expected ${dim} numbers after the word, found ${fields.length - 1} (a cut-short line?)`,
        );
      if (fields.length > dim + 1) {
        spaced++;
        continue;
      }
      const word = fields[0]!;
      if (word.includes('\uFFFD')) {
        undecodable++;
        firstUndecodable ??= lineNo;
        continue;
      }
      const row = want.get(word);
      const rows = row === undefined ? lower.get(word) : undefined;
      if (row === undefined && rows === undefined) continue;
      if (row !== undefined && exact.has(row)) continue;
      const v = new Float32Array(dim);
      let column = offset + word.length + 2;
      for (let j = 0; j < dim; j++) {
        const f = fields[j + 1]!;
        const x = Number(f);
        if (f === '' || !Number.isFinite(x) || !Number.isFinite(Math.fround(x)))
          throw new InputError(`${path}:${lineNo}:${column}: "${f}" is not a finite number`);
        v[j] = x;
        column += f.length + 1;
      }
      if (row !== undefined) exact.set(row, v);
      else for (const r of rows!) if (!folded.has(r)) folded.set(r, v);
    }
  } finally {
    reader.close();
    stream.destroy();
  }
  if (fileDim === undefined) throw new InputError(`${path}: no vectors (an empty file)`);
  for (const r of exact.keys()) folded.delete(r);
  const found = [...exact, ...folded].sort((a, b) => a[0] - b[0]);
  const values = new Float32Array(found.length * dim);
  for (const [k, [, v]] of found.entries()) values.set(v, k * dim);
  return {
    dim,
    rows: found.map(([r]) => r),
    values,
    exact: exact.size,
    lowercased: folded.size,
    lines,
    spaced,
    undecodable,
    ...(firstUndecodable !== undefined ? { firstUndecodable } : {}),
  };
}
