// Rebuilds the CSV and the HTML report of a results JSON (e.g. one downloaded from the page run
// by hand): npx tsx bench/render.ts FILE.json → FILE.csv and FILE.html next to it.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeOutputs } from './output.ts';
import type { BenchResult } from './result.ts';

const file = process.argv[2];
if (!file?.endsWith('.json')) {
  console.error('usage: npx tsx bench/render.ts FILE.json');
  process.exitCode = 1;
} else {
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  for (const path of writeOutputs(result, dirname(file), basename(file, '.json'), false)) console.log(path);
}
