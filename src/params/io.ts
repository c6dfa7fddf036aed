// Parameter files in Node: read and write the JSON form of json.ts (re-exported here).
import { writeFileSync } from 'node:fs';
import { InputError, locateJsonError, readText } from '../train/files.ts';
import type { Params } from './params.ts';
import { ParamsError, paramsFromJson, paramsToJson } from './json.ts';

export { type ParamsJson, ParamsError, type TensorJson, paramsFromJson, paramsToJson } from './json.ts';

/**
 * Reads and validates a parameter file (strict UTF-8); throws ParamsError naming the path, with
 * line:column for invalid UTF-8 or a JSON syntax error, and the field of every invalid value.
 */
export function loadParams(path: string): Params {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // readText's message is `PATH: cannot read: …` or `PATH:LINE:COLUMN: invalid UTF-8 …`.
    const rest = e.message.startsWith(`${path}:`) ? e.message.slice(path.length + 1) : ` ${e.message}`;
    const at = /^(\d+:\d+): /.exec(rest);
    throw at
      ? new ParamsError(path, [rest.slice(at[0].length)], at[1])
      : new ParamsError(path, [rest.trimStart()]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const { where, reason } = locateJsonError(text, e);
    throw new ParamsError(path, [reason], where);
  }
  return paramsFromJson(value, path);
}

/** Writes parameters as a JSON file (full Float64 precision). */
export function saveParams(path: string, params: Params): void {
  writeFileSync(path, JSON.stringify(paramsToJson(params)) + '\n');
}
