// The Chrome benchmark, end to end, on a tiny sweep: `npm run bench` (bench/run.ts) drives the
// benchmark page in headless Chrome, every variant validates against the Float64 reference and is
// timed, the ceilings and dispatch probes are measured, the level point has its kernel profile, and
// the JSON, CSV and HTML are written. What it guards is that the page runs at all in a browser
// (a Node import reaching the page once broke it with no test noticing); speed is not asserted.
// Usage: tsx test/browser/bench-smoke.ts [--summary FILE.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Variant } from '../../bench/config.ts';
import type { BenchResult } from '../../bench/result.ts';

const { values } = parseArgs({ options: { summary: { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'treegrad-bench-smoke-'));
const variants: Variant[] = ['level', 'tree', 'node', 'tfjs-webgpu', 'tfjs-cpu', 'reference'];
const cells = ['rnn', 'rlstm'];

const results: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail = ''): void {
  results.push({ name, ok, detail });
  const shown = detail.length > 600 ? `${detail.slice(0, 600)} …` : detail;
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}${shown ? ` (${shown})` : ''}`);
}

const args = [
  'bench/run.ts',
  ...['--cells', cells.join(','), '--dims', '8', '--shapes', 'chain', '--depths', '2', '--batch', '2'],
  ...['--variants', variants.join(','), '--repeats', '5', '--ceiling', '32', '--timeout', '300'],
  ...['--out', dir],
];
const started = Date.now();
const run = spawnSync(join('node_modules', '.bin', 'tsx'), args, { encoding: 'utf8', timeout: 400_000 });
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
check(
  'npm run bench exits 0',
  run.status === 0,
  `exit ${run.status}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
if (run.status !== 0) console.log(output.split('\n').slice(-30).join('\n'));

const file = join(dir, 'latest.json');
let r: BenchResult | undefined;
try {
  r = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
} catch (error) {
  check('latest.json is written', false, (error as Error).message);
}
if (r) {
  const result = r;
  check('ran in Chrome', result.adapter.runtime === 'chrome', result.adapter.runtime);
  const failed = result.validation.filter((v) => !v.ok);
  check(
    'every variant of every cell validates against the Float64 reference',
    failed.length === 0 && result.validation.length === variants.length * cells.length,
    failed.map((v) => `${v.cell} ${v.variant}: ${v.error ?? v.worst}`).join('; ') ||
      `${result.validation.length} checks`,
  );
  const untimed = cells.flatMap((cell) =>
    variants.filter(
      (variant) =>
        !result.points.some(
          (p) => p.cell === cell && p.variant === variant && !p.error && !p.skipped && (p.medianMs ?? 0) > 0,
        ),
    ),
  );
  check('every variant is timed on the point', untimed.length === 0, untimed.join(', ') || 'all timed');
  const c = result.ceilings;
  const positive = (x: number | null | undefined) => typeof x === 'number' && Number.isFinite(x) && x > 0;
  check(
    'ceilings: our GEMM and TF.js matMul measured',
    positive(c.oursGemmGflops) && positive(c.tfjsMatmulGflops),
    `ours ${c.oursGemmGflops}, TF.js ${c.tfjsMatmulGflops}`,
  );
  check(
    'dispatch probes measured (empty, dependent, by bind group, by dynamic offset)',
    [
      c.emptyRoundTripMs,
      c.emptyDispatchUs,
      c.dependentDispatchUs,
      c.rangeGroupDispatchUs,
      c.dynamicOffsetDispatchUs,
    ].every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0),
  );
  const level = result.points.filter((p) => p.variant === 'level');
  check(
    'level points carry a kernel profile with the reduction’s share',
    level.length === cells.length &&
      level.every(
        (p) =>
          p.levelTiming !== 'timestamp-query' ||
          (p.kernels !== undefined &&
            p.kernels.dispatches.length > 0 &&
            p.kernels.reduceShare > 0 &&
            p.kernels.reduceShare < 1),
      ),
    level
      .map((p) => `${p.cell}: ${p.levelTiming}, ${p.kernels?.dispatches.length ?? 0} dispatches`)
      .join('; '),
  );
  const html = existsSync(join(dir, 'latest.html')) ? readFileSync(join(dir, 'latest.html'), 'utf8') : '';
  check(
    'CSV and HTML report written',
    existsSync(join(dir, 'latest.csv')) && html.includes('<svg') && !html.includes('<script'),
  );
  check('the summary table is printed', /cell\s+d\s+shape/.test(output) && output.includes('goal: level vs'));
}

rmSync(dir, { recursive: true, force: true });
const passed = results.filter((x) => x.ok).length;
const failedCount = results.length - passed;
console.log(`Benchmark smoke: ${passed} passed, ${failedCount} failed`);
if (values.summary) writeFileSync(values.summary, JSON.stringify({ passed, failed: failedCount }));
process.exitCode = failedCount === 0 ? 0 : 1;
