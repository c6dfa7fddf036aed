// Parameter files in Node: read and write the JSON form of json.ts (re-exported here).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Params } from './params.ts';
import { ParamsError, paramsFromJson, paramsToJson } from './json.ts';

export { type ParamsJson, ParamsError, type TensorJson, paramsFromJson, paramsToJson } from './json.ts';

/** Reads and validates a parameter file; throws ParamsError for unreadable JSON or invalid content. */
export function loadParams(path: string): Params {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ParamsError(path, [`cannot read: ${(e as Error).message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ParamsError(path, [`not valid JSON: ${(e as Error).message}`]);
  }
  return paramsFromJson(value, path);
}

/** Writes parameters as a JSON file (full Float64 precision). */
export function saveParams(path: string, params: Params): void {
  writeFileSync(path, JSON.stringify(paramsToJson(params)) + '\n');
}
