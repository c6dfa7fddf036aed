// Node only: writes a run's files — bench/results/<timestamp>.{json,csv,html} and latest.* copies.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelTables } from './kernels.ts';
import { reportHtml } from './html.ts';
import type { BenchResult } from './result.ts';
import { goalLines, summaryTable, toCsv } from './summary.ts';

/** Where results go by default: bench/results/ (git-ignored). */
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** A file-name-safe stamp of the run's start: 2025-01-31T12-00-00Z. */
export function stamp(startedAt: string): string {
  return startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
}

/** Writes JSON, CSV and HTML under `dir` as <name>.* (and copies as latest.*); returns the paths. */
export function writeOutputs(
  result: BenchResult,
  dir = RESULTS_DIR,
  name = stamp(result.startedAt),
  latest = true,
): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['json', JSON.stringify(result, null, 2) + '\n'],
    ['csv', toCsv(result.points)],
    ['html', reportHtml(result)],
  ];
  const written: string[] = [];
  for (const [ext, text] of files) {
    const path = join(dir, `${name}.${ext}`);
    writeFileSync(path, text);
    written.push(path);
    if (latest) {
      copyFileSync(path, join(dir, `latest.${ext}`));
      written.push(join(dir, `latest.${ext}`));
    }
  }
  return written;
}

/** Exit status of a run: 1 if our engine failed validation or a measurement, else 0. */
export function engineFailures(result: BenchResult): string[] {
  const ours = new Set(['level', 'tree', 'node']);
  return [
    ...result.validation
      .filter((v) => ours.has(v.variant) && !v.ok)
      .map((v) => `validation: ${v.cell} d=${v.dim} ${v.variant}: ${v.error}`),
    ...result.points
      .filter((p) => ours.has(p.variant) && p.error && !p.error.startsWith('not timed'))
      .map((p) => `${p.cell} d=${p.dim} ${p.shape} depth ${p.depth} ×${p.batch} ${p.variant}: ${p.error}`),
  ];
}

/**
 * The end of a run, for both runners: writes the files, prints the summary table, the failed
 * validations, the goals and the paths, and returns the exit status (non-zero when our engine failed).
 */
export function finishRun(result: BenchResult, dir = RESULTS_DIR): number {
  const paths = writeOutputs(result, dir);
  const { adapter, ceilings: c } = result;
  const gf = (x: number | null) => (x === null ? 'n/a' : x.toPrecision(3));
  console.log(`\n${adapter.vendor} ${adapter.architecture} ${adapter.description} (${adapter.runtime})`);
  console.log(
    `ceilings at ${c.size}³: our GEMM ${gf(c.oursGemmGflops)} GFLOP/s, TF.js matMul ` +
      `${gf(c.tfjsMatmulGflops)} GFLOP/s (our gather_matmul ${gf(c.gatherMatmulGflops)} GFLOP/s); ` +
      `empty round trip ${c.emptyRoundTripMs.toFixed(3)} ms; one more dispatch in a pass: empty ` +
      `${c.emptyDispatchUs.toFixed(1)} µs, dependent ${c.dependentDispatchUs.toFixed(1)} µs` +
      (c.rangeGroupDispatchUs === undefined || c.dynamicOffsetDispatchUs === undefined
        ? ''
        : `; with a new uniform: by bind group ${c.rangeGroupDispatchUs.toFixed(1)} µs (ours), by dynamic offset ${c.dynamicOffsetDispatchUs.toFixed(1)} µs`),
  );
  for (const note of c.notes) console.log(`note: ${note}`);
  for (const [v, why] of Object.entries(result.unavailable)) console.log(`not run: ${v} (${why})`);
  console.log(`\n${summaryTable(result.points)}\n`);
  for (const v of result.validation.filter((x) => !x.ok))
    console.log(`NOT OK ${v.cell} d=${v.dim} ${v.variant}: ${v.error} (reported, not timed)`);
  for (const line of goalLines(result)) console.log(`goal: ${line}`);
  const kernels = kernelTables(result);
  if (kernels.length > 0) console.log(`\n${kernels.join('\n')}`);
  console.log(`\n${result.points.length} results in ${result.durationS.toFixed(0)} s; wrote:`);
  for (const path of paths) console.log(`  ${path}`);
  const failures = engineFailures(result);
  for (const f of failures) console.error(`error: treegrad's engine failed: ${f}`);
  return failures.length > 0 ? 1 : 0;
}
