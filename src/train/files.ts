// Node only: reading and writing the files a command takes and makes, so that every problem is
// named by path (and line:column), no output is left half-written, and outputs are checked before
// the work: strict UTF-8, located JSON errors, atomic writes, leftover temporary files, output paths.
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** A file or setting the user gave that cannot be used: one line naming what and where. */
export class InputError extends Error {
  override name = 'InputError';
}

/** `line:column` (1-based, column in characters) of character `offset` of `text`. */
export function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `${line}:${Array.from(text.slice(start, offset)).length + 1}`;
}

/**
 * Scans UTF-8 bytes: the offset of the first byte of an invalid sequence (-1: none) and where the
 * last complete character ends. Unless `final`, a sequence cut short by the end is not invalid:
 * it may go on in the next chunk.
 */
function scanUtf8(bytes: Uint8Array, final: boolean): { bad: number; end: number } {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return { bad: i, end: i };
    const have = Math.min(n, bytes.length - 1 - i);
    for (let k = 1; k <= have; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { bad: i, end: i };
    // Overlong 3- and 4-byte forms, surrogates, and code points past U+10FFFF.
    const b1 = bytes[i + 1];
    if (have >= 1 && b1 !== undefined) {
      if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 >= 0xa0)) return { bad: i, end: i };
      if ((b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 >= 0x90)) return { bad: i, end: i };
    }
    if (have < n) return final ? { bad: i, end: i } : { bad: -1, end: i };
    i += n + 1;
  }
  return { bad: -1, end: i };
}

/** Offset of the first byte of an invalid UTF-8 sequence, or -1. */
function invalidUtf8(bytes: Uint8Array): number {
  return scanUtf8(bytes, true).bad;
}

/** Decodes strict UTF-8 (a leading BOM is dropped); an invalid byte is an InputError at path:line:column. */
export function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = invalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, Math.max(0, at)));
    const where = lineColumn(before.replace(/^\uFEFF/, ''), before.length);
    throw new InputError(
      `${path}:${where}: invalid UTF-8 (byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at byte offset ${at})`,
    );
  }
}

/** The InputError of a file that cannot be read. */
function readError(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
  return new InputError(`${path}: cannot read: ${why}`);
}

/** Reads a text file as strict UTF-8; a missing or unreadable file is an InputError naming it. */
export function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw readError(path, e);
  }
  return decodeUtf8(bytes, path);
}

/** Bytes read at a time by readLines. */
const CHUNK = 1 << 20;

/**
 * Reads a text file line by line (without the newlines; a final newline ends the last line), in
 * chunks of 1 MiB: never more than a chunk and the current line in memory. The same rules as
 * readText: strict UTF-8, a leading BOM dropped, an invalid byte an InputError at
 * path:line:column; a missing file an InputError naming it. When every line has been read,
 * `out.sha256` is the SHA-256 of the text (as `sha256(readText(path))` gives it).
 */
export function* readLines(path: string, out: { sha256?: string } = {}): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw readError(path, e);
  }
  try {
    const hash = createHash('sha256');
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const chunk = Buffer.allocUnsafe(CHUNK);
    let carry: Uint8Array = new Uint8Array(0); // a character cut by the chunk's end
    let read = 0; // bytes read so far
    let line = '';
    let lineNo = 1;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK, null);
      } catch (e) {
        throw readError(path, e);
      }
      const final = n === 0;
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const at = read - carry.length; // file offset of bytes[0]
      read += n;
      const bom = at === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      const body = bytes.subarray(bom);
      const { bad, end } = scanUtf8(body, final);
      if (bad >= 0) {
        const before = decoder.decode(body.subarray(0, bad));
        const nl = before.lastIndexOf('\n');
        let lines = lineNo;
        for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) lines++;
        const column = Array.from(nl >= 0 ? before.slice(nl + 1) : line + before).length + 1;
        throw new InputError(
          `${path}:${lines}:${column}: invalid UTF-8 (byte 0x${body[bad]!.toString(16).padStart(2, '0')} at byte offset ${at + bom + bad})`,
        );
      }
      hash.update(body.subarray(0, end));
      const text = decoder.decode(body.subarray(0, end));
      carry = Uint8Array.from(body.subarray(end));
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        const whole = line + text.slice(from, nl);
        line = '';
        from = nl + 1;
        lineNo++;
        yield whole;
      }
      line += text.slice(from);
      if (final) break;
    }
    if (line !== '') yield line;
    out.sha256 = hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * Where JSON text that JSON.parse refused goes wrong, found by the longest valid prefix: line:column
 * and the reason (with the parser's own message).
 */
export function locateJsonError(text: string, error: unknown): { where: string; reason: string } {
  // A prefix that parses, or fails only because it ends, is fine so far: the first offset where
  // that stops holding is where the text goes wrong.
  const fine = (k: number) => {
    try {
      JSON.parse(text.slice(0, k));
      return true;
    } catch (err) {
      const m = (err as Error).message;
      const at = /position (\d+)/.exec(m);
      return /end of JSON input/.test(m) || (at !== null && Number(at[1]) >= k);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fine(mid)) lo = mid;
    else hi = mid - 1;
  }
  const atEnd = lo >= text.length;
  const why = atEnd ? 'the JSON ends too early (a truncated file?)' : 'not valid JSON here';
  const where = lineColumn(text, atEnd ? text.length : lo);
  return { where, reason: `${why} (${(error as Error).message.split('\n')[0]})` };
}

/** Parses JSON text; a syntax error is an InputError at path:line:column (found by the longest valid prefix). */
export function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const { where, reason } = locateJsonError(text, e);
    throw new InputError(`${path}:${where}: ${reason}`);
  }
}

/** Reads and parses a JSON file (strict UTF-8); errors name the path and, for syntax, line:column. */
export function readJson(path: string): unknown {
  return parseJson(readText(path), path);
}

/** SHA-256 of text (as UTF-8) or bytes, in hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The temporary name an atomic write of `path` uses in this process. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Writes `text` to `path` atomically: a temporary file beside it, then a rename; removed on failure. */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/** Writes `value` as JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}

/** Whether process `pid` on this machine is alive (a process we may not signal counts as alive). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This machine's name, as lock files record it. */
export function hostName(): string {
  return hostname();
}

/**
 * Removes temporary files `PATH.tmp-PID` left beside `path` by processes that died mid-write (their
 * pid no longer alive); returns the removed paths. Those of live processes are left alone.
 */
export function cleanStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** A path given by a flag. */
export interface FlagPath {
  flag: string;
  path: string;
}

/** The path with its folder's symbolic links resolved (the file itself need not exist). */
function canonical(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Checks, before any work, that every output can be written (its folder exists and is writable, it
 * is not a folder itself) and that no output is an input or another output. `inputs` may be files
 * or folders (an output inside an input folder is allowed unless it is one of `inputFiles`).
 */
export function checkOutputs(outputs: readonly FlagPath[], inputs: readonly FlagPath[] = []): void {
  const seen = new Map<string, string>();
  for (const o of outputs) {
    const at = canonical(o.path);
    const other = seen.get(at);
    if (other !== undefined)
      throw new InputError(`${o.flag} ${o.path} is also ${other}: give two different files`);
    seen.set(at, `${o.flag}`);
    for (const i of inputs) {
      if (canonical(i.path) === at)
        throw new InputError(`${o.flag} ${o.path} would overwrite the input ${i.flag} ${i.path}`);
    }
    const dir = dirname(resolve(o.path));
    if (!existsSync(dir)) throw new InputError(`${o.flag} ${o.path}: the folder ${dir} does not exist`);
    if (!statSync(dir).isDirectory()) throw new InputError(`${o.flag} ${o.path}: ${dir} is not a folder`);
    if (existsSync(o.path) && statSync(o.path).isDirectory())
      throw new InputError(`${o.flag} ${o.path} is a folder, expected a file`);
    try {
      accessSync(dir, constants.W_OK);
      if (existsSync(o.path)) accessSync(o.path, constants.W_OK);
    } catch {
      throw new InputError(`${o.flag} ${o.path}: not writable (permission denied)`);
    }
  }
}
