// The package as a user gets it: packs treegrad (`npm pack`, which builds dist/), installs the
// tarball into a scratch project outside the repository made from examples/, typechecks the
// examples against the installed declarations, runs the two Node examples with no treegrad or
// Vulkan variable set, runs the installed `treegrad` command, builds the page example with vite
// and opens it in headless Chrome. Prints one line per check and exits non-zero on any failure.
// Usage: tsx scripts/pack-check.ts [--keep] [--summary FILE.json]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { preview } from 'vite';
import { CHROME_FLAGS, ChromeUnavailableError, findChrome } from '../src/browser/chrome.ts';

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, summary: { type: 'string' } } });
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'treegrad-pack-'));
const project = join(work, 'project');

/** The environment of a user who set nothing: no Vulkan driver or treegrad variable. */
const userEnv: NodeJS.ProcessEnv = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' };
for (const key of Object.keys(userEnv)) {
  if (key.startsWith('TREEGRAD_') || key === 'VK_DRIVER_FILES' || key === 'VK_ICD_FILENAMES')
    delete userEnv[key];
}

/** Runs a command in `cwd`; returns its stdout, throws with its output when it fails. */
function sh(cwd: string, command: string, args: string[]): string {
  const child = spawnSync(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout: 300_000 });
  if (child.status !== 0) {
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${output}`);
  }
  return child.stdout;
}

/** Throws `message` unless `condition` holds. */
function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const results: { name: string; ok: boolean; seconds: number; error?: string }[] = [];

/** Runs one check; every check after a failed pack or install is skipped (counted as failed). */
async function check(name: string, body: () => void | Promise<void>): Promise<boolean> {
  const start = performance.now();
  const blocked = results.some((r) => !r.ok && (r.name === 'pack' || r.name === 'install'));
  try {
    if (blocked) throw new Error('skipped: an earlier check failed');
    await body();
    results.push({ name, ok: true, seconds: (performance.now() - start) / 1000 });
  } catch (error) {
    results.push({
      name,
      ok: false,
      seconds: (performance.now() - start) / 1000,
      error: (error as Error).message,
    });
  }
  const r = results.at(-1)!;
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(10)} ${r.seconds.toFixed(1).padStart(5)} s`);
  if (r.error) console.log(`      ${r.error.replaceAll('\n', '\n      ')}`);
  return r.ok;
}

let tarball = '';
await check('pack', () => {
  sh(ROOT, 'npm', ['pack', '--silent', '--pack-destination', work]);
  const found = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(found.length === 1, `npm pack made ${found.length} tarballs in ${work}`);
  tarball = join(work, found[0]!);
});

await check('install', () => {
  cpSync(join(ROOT, 'examples'), project, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|build|dist)$/.test(src),
  });
  sh(project, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
});

// The consumer's tsc, strict and without skipLibCheck, over the examples and the package's .d.ts.
await check('typecheck', () => {
  sh(project, join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
});

await check('gradients', () => {
  const out = sh(project, process.execPath, ['build/gradients.js']);
  const loss = /^loss (\S+) \(Float64 reference (\S+)\)$/m.exec(out);
  expect(loss !== null, `no loss line in:\n${out}`);
  const [gpu, reference] = [Number(loss![1]), Number(loss![2])];
  expect(
    Math.abs(gpu - reference) <= 1e-5 + 1e-4 * Math.abs(reference),
    `GPU loss ${gpu}, reference ${reference}`,
  );
  const trees = out.split('\n').filter((line) => line.startsWith('tree '));
  const counts = trees.map((line) => line.split(/\s{2}/).length);
  expect(counts.join(',') === '5,3', `expected two trees of 5 and 3 nodes, got:\n${trees.join('\n')}`);
});

await check('train', () => {
  const out = sh(project, process.execPath, ['build/train-on-files.js']);
  const epochs = out
    .split('\n')
    .filter((line) => /^epoch \d+: train loss [\d.]+, dev accuracy [\d.]+%$/.test(line));
  expect(epochs.length === 3, `expected 3 epoch lines, got:\n${out}`);
  const accuracy = /^test accuracy ([\d.]+)%/m.exec(out);
  expect(accuracy !== null && Number(accuracy[1]) > 40, `test accuracy not above chance (20 %):\n${out}`);
});

// The command line from the installed package (it runs the shipped sources through tsx).
await check('cli', () => {
  writeFileSync(join(work, 'trees.txt'), '(1 (0 a) (0 b))\n(0 (0 b) (0 (0 a) (0 b)))\n');
  const bin = join(project, 'node_modules', '.bin', 'treegrad');
  sh(project, bin, [
    'grad',
    '--cell',
    'rnn',
    '--trees',
    join(work, 'trees.txt'),
    '--dim',
    '4',
    '--seed',
    '1',
    '--out',
    join(work, 'grad.json'),
  ]);
  const nodes = (JSON.parse(readFileSync(join(work, 'grad.json'), 'utf8')) as { nodes: unknown[][] }).nodes;
  expect(nodes.map((n) => n.length).join(',') === '3,5', 'treegrad grad wrote the wrong node lists');
});

await check('page', async () => {
  sh(project, join(project, 'node_modules', '.bin', 'vite'), ['build', 'page', '--logLevel', 'warn']);
  const executablePath = await findChrome();
  if (!executablePath) throw new ChromeUnavailableError('no Chrome or Chromium: set CHROME_PATH');
  const server = await preview({
    root: join(project, 'page'),
    configFile: false,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const userDataDir = join(work, 'chrome');
  const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROME_FLAGS, userDataDir });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.log(`      [chrome] ${(error as Error).message}`));
    const { port } = server.httpServer.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    await page.waitForSelector('#out:not([data-state="running"])', { timeout: 120_000 });
    const [state, text] = await page.$eval('#out', (el) => [
      (el as HTMLElement).dataset.state,
      el.textContent,
    ]);
    expect(state === 'done', `the page says: ${text}`);
    const result = JSON.parse(text ?? '') as { loss: number; nodes: { gh: number }[] };
    expect(Number.isFinite(result.loss) && result.loss > 0, `loss ${result.loss}`);
    expect(
      result.nodes.length === 5 && result.nodes.every((n) => n.gh > 0),
      `nodes ${JSON.stringify(result.nodes)}`,
    );
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
});

if (values.keep) console.log(`scratch project kept in ${project}`);
else rmSync(work, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok).length;
if (values.summary)
  writeFileSync(values.summary, JSON.stringify({ passed: results.length - failed, failed }));
console.log(`pack check: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
