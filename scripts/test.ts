// `npm test`: typecheck, lint, vitest (unit + GPU cases in Node through Dawn on the adapter Node
// chose), the table of GPU cases again in Node on the other CPU driver (SwiftShader after lavapipe
// or a GPU; lavapipe after SwiftShader), then the same GPU cases in headless Chrome, then the package as a
// user installs it (scripts/pack-check.ts: the examples in a scratch project). Runs every step,
// prints one summary table and exits non-zero if any step failed. Extra arguments go to vitest
// (e.g. `npm test -- test/unit`), and skip the other lanes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LAVAPIPE_HINT,
  restartEnv,
  swiftshaderIcd,
  type VulkanChoice,
  vulkanEnv,
} from '../src/gpu/vulkan-env.ts';

interface Step {
  name: string;
  ok: boolean;
  seconds: number;
  passed?: number;
  failed?: number;
}

const bin = (name: string) => join('node_modules', '.bin', name);
const steps: Step[] = [];

function run(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { ok: boolean; seconds: number } {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const start = performance.now();
  const child = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  return { ok: child.status === 0, seconds: (performance.now() - start) / 1000 };
}

const extra = process.argv.slice(2);
const typecheck = run('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);
steps.push({ name: 'typecheck', ok: typecheck.ok, seconds: typecheck.seconds });
const lint = run('lint', bin('biome'), ['ci', '--error-on-warnings', '.']);
steps.push({ name: 'lint', ok: lint.ok, seconds: lint.seconds });

// vitest: counts per file group from its JSON report.
const dir = mkdtempSync(join(tmpdir(), 'treegrad-test-'));
const chosen = vulkanEnv();

/** Runs vitest with `choice` as Node's Vulkan driver; GPU files count under `node-gpu (kind)`. */
function vitestLane(label: string, choice: VulkanChoice, args: string[]): void {
  const report = join(dir, `vitest-${label}.json`);
  const vitest = run(
    `vitest (${label}: ${choice.description})`,
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    { ...process.env, ...restartEnv(choice) },
  );
  const groups = new Map<string, { passed: number; failed: number }>();
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { name: string; assertionResults: { status: string }[] }[];
    };
    for (const file of json.testResults) {
      const group = file.name.includes('/test/gpu/')
        ? `node-gpu (${label})`
        : file.name.includes('/test/slurm/')
          ? 'slurm'
          : 'unit';
      const g = groups.get(group) ?? { passed: 0, failed: 0 };
      for (const a of file.assertionResults) {
        if (a.status === 'passed') g.passed++;
        else if (a.status === 'failed') g.failed++;
      }
      groups.set(group, g);
    }
  } catch {
    groups.set(`vitest (${label})`, { passed: 0, failed: 1 });
  }
  for (const [name, g] of groups)
    steps.push({ name, ok: vitest.ok && g.failed === 0, seconds: vitest.seconds, ...g });
  if (groups.size === 0)
    steps.push({ name: `vitest (${label})`, ok: false, seconds: vitest.seconds, passed: 0, failed: 1 });
}

vitestLane(chosen.kind, chosen, extra);

if (extra.length === 0) {
  // The GPU table on the other CPU driver: both must pass (CI has both; chromium brings
  // SwiftShader, the pre-step installs lavapipe). Only the table: the command-line files of
  // test/gpu test treegrad's own logic, which the first lane already ran on a GPU adapter.
  const swiftshader = swiftshaderIcd();
  if (chosen.kind === 'swiftshader') {
    console.log(`\n── node-gpu (lavapipe): not run, no lavapipe that Dawn accepts. ${LAVAPIPE_HINT}`);
    if (process.env.CI)
      steps.push({ name: 'node-gpu (lavapipe)', ok: false, seconds: 0, passed: 0, failed: 1 });
  } else if (swiftshader) {
    const choice: VulkanChoice = {
      env: { VK_DRIVER_FILES: swiftshader },
      description: `SwiftShader (CPU) Vulkan driver from Chrome: ${swiftshader}`,
      found: true,
      kind: 'swiftshader',
    };
    vitestLane('swiftshader', choice, ['test/gpu/node.test.ts']);
  }
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
  browserStep('lab', 'test/browser/lab.ts');
  browserStep('report-render', 'test/browser/report-render.ts');
  browserStep('bench-smoke', 'test/browser/bench-smoke.ts');
  browserStep('pack', 'scripts/pack-check.ts');
}

rmSync(dir, { recursive: true, force: true });
console.log('\n── summary');
for (const s of steps) {
  const counts = s.passed === undefined ? '' : `${s.passed} passed, ${s.failed} failed`;
  console.log(
    `${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(24)} ${counts.padEnd(26)} ${s.seconds.toFixed(1)} s`,
  );
}
const passed = steps.reduce((n, s) => n + (s.passed ?? (s.ok ? 1 : 0)), 0);
// A step that failed without failing a counted case (a crash, a lint error) counts as one failure.
const failed = steps.reduce((n, s) => n + (s.failed ? s.failed : s.ok ? 0 : 1), 0);
console.log(`Total: ${passed} passed, ${failed} failed`);
process.exitCode = steps.every((s) => s.ok) ? 0 : 1;
