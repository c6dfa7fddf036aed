// `npm test`: typecheck, lint, vitest (unit + GPU cases in Node through Dawn), then the same GPU
// cases in headless Chrome. Runs every step, prints one summary table and exits non-zero if any
// step failed. Extra arguments go to vitest (e.g. `npm test -- test/unit`), and skip Chrome.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Step {
  name: string;
  ok: boolean;
  seconds: number;
  passed?: number;
  failed?: number;
}

const bin = (name: string) => join('node_modules', '.bin', name);
const steps: Step[] = [];

function run(name: string, command: string, args: string[]): { ok: boolean; seconds: number } {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const start = performance.now();
  const child = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return { ok: child.status === 0, seconds: (performance.now() - start) / 1000 };
}

const extra = process.argv.slice(2);
const typecheck = run('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);
steps.push({ name: 'typecheck', ok: typecheck.ok, seconds: typecheck.seconds });
const lint = run('lint', bin('biome'), ['ci', '--error-on-warnings', '.']);
steps.push({ name: 'lint', ok: lint.ok, seconds: lint.seconds });

// vitest: counts per file group from its JSON report.
const dir = mkdtempSync(join(tmpdir(), 'treegrad-test-'));
const report = join(dir, 'vitest.json');
const vitest = run('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);
const groups = new Map<string, { passed: number; failed: number }>();
try {
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    testResults: { name: string; assertionResults: { status: string }[] }[];
  };
  for (const file of json.testResults) {
    const group = file.name.includes('/test/gpu/') ? 'node-gpu' : 'unit';
    const g = groups.get(group) ?? { passed: 0, failed: 0 };
    for (const a of file.assertionResults) {
      if (a.status === 'passed') g.passed++;
      else if (a.status === 'failed') g.failed++;
    }
    groups.set(group, g);
  }
} catch {
  groups.set('vitest', { passed: 0, failed: 1 });
}
for (const [name, g] of groups)
  steps.push({ name, ok: vitest.ok && g.failed === 0, seconds: vitest.seconds, ...g });
if (groups.size === 0)
  steps.push({ name: 'vitest', ok: false, seconds: vitest.seconds, passed: 0, failed: 1 });

if (extra.length === 0) {
  const browserStep = (name: string, script: string) => {
    const summary = join(dir, `${name}.json`);
    const result = run(name, bin('tsx'), [script, '--summary', summary]);
    let counts = { passed: 0, failed: 1 };
    try {
      counts = JSON.parse(readFileSync(summary, 'utf8')) as typeof counts;
    } catch {
      // the runner died before writing its summary: counted as one failure
    }
    steps.push({ name, ok: result.ok, seconds: result.seconds, ...counts });
  };
  browserStep('chrome-gpu', 'test/browser/run.ts');
  browserStep('app-smoke', 'test/browser/app-smoke.ts');
}

rmSync(dir, { recursive: true, force: true });
console.log('\n── summary');
for (const s of steps) {
  const counts = s.passed === undefined ? '' : `${s.passed} passed, ${s.failed} failed`;
  console.log(
    `${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(10)} ${counts.padEnd(26)} ${s.seconds.toFixed(1)} s`,
  );
}
const passed = steps.reduce((n, s) => n + (s.passed ?? (s.ok ? 1 : 0)), 0);
// A step that failed without failing a counted case (a crash, a lint error) counts as one failure.
const failed = steps.reduce((n, s) => n + (s.failed ? s.failed : s.ok ? 0 : 1), 0);
console.log(`Total: ${passed} passed, ${failed} failed`);
process.exitCode = steps.every((s) => s.ok) ? 0 : 1;
