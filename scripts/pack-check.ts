// The package as a user gets it: packs treegrad (`npm pack`, which builds dist/), installs the
// tarball into a scratch project outside the repository made from examples/, checks what was
// installed (dist/ and no sources; dependencies exactly the packages dist/ imports, and their
// size), typechecks the examples and every `ts` block of docs/api.md against the installed
// declarations, runs the two Node examples with no treegrad or Vulkan variable set and nothing
// cached, runs the installed `treegrad` command (grad, gpu-info, a small experiment and its
// report), builds the page example with vite and opens it in headless Chrome. Prints one line per
// check and exits non-zero on any failure.
// Usage: tsx scripts/pack-check.ts [--keep] [--summary FILE.json]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
const installed = join(project, 'node_modules', 'treegrad');

/**
 * The environment of a user who set nothing: no Vulkan driver or treegrad variable, and no
 * cached driver choice (so the installed package probes the drivers itself).
 */
const userEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PUPPETEER_SKIP_DOWNLOAD: '1',
  XDG_CACHE_HOME: join(work, 'cache'),
};
for (const key of Object.keys(userEnv)) {
  if (key.startsWith('TREEGRAD_') || key === 'VK_DRIVER_FILES' || key === 'VK_ICD_FILENAMES')
    delete userEnv[key];
}

/** Runs a command in `cwd`; returns its stdout, throws with its output unless it exits with `status`. */
function sh(cwd: string, command: string, args: string[], status = 0): string {
  const child = spawnSync(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout: 300_000 });
  if (child.status !== status) {
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${output}`);
  }
  return status === 0 ? child.stdout : `${child.stdout}${child.stderr}`;
}

/** Every file under `dir` (recursively), as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** The package a bare import specifier names (`pure-rand/x` → `pure-rand`, `@a/b/c` → `@a/b`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The packages that JavaScript `source` imports, statically or with a literal `import('…')`. */
function importedPackages(source: string): string[] {
  const specifiers = source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]/g);
  return [...specifiers]
    .map((m) => m[1]!)
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map(packageOf);
}

/** Bytes of the files in a package folder, not counting the packages nested in its node_modules. */
function packageBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' && entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? packageBytes(path) : lstatSync(path).size;
  }
  return bytes;
}

/** Throws `message` unless `condition` holds. */
function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const results: { name: string; ok: boolean; seconds: number; error?: string; note?: string }[] = [];

/**
 * Runs one check (its body may return a note for its line); every check after a failed pack or
 * install is skipped (counted as failed).
 */
async function check(name: string, body: () => unknown): Promise<boolean> {
  const start = performance.now();
  const blocked = results.some((r) => !r.ok && (r.name === 'pack' || r.name === 'install'));
  try {
    if (blocked) throw new Error('skipped: an earlier check failed');
    const returned = await body();
    const note = typeof returned === 'string' ? returned : undefined;
    results.push({ name, ok: true, seconds: (performance.now() - start) / 1000, note });
  } catch (error) {
    results.push({
      name,
      ok: false,
      seconds: (performance.now() - start) / 1000,
      error: (error as Error).message,
    });
  }
  const r = results.at(-1)!;
  const note = r.note ? `  ${r.note}` : '';
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(10)} ${r.seconds.toFixed(1).padStart(5)} s${note}`);
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

// What the user got: the built JavaScript and nothing of the sources, and as dependencies exactly
// the packages that JavaScript imports (the command line's too: the installed `treegrad` runs
// dist/). Notes the size of treegrad with its dependency tree as npm installed it.
await check('contents', () => {
  const files = filesUnder(installed);
  const wanted = [
    'bin/treegrad.js',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/node.js',
    'dist/cli/main.js',
    'dist/gpu/probe-adapter.mjs',
    'docs/result.schema.json',
    'shaders/rlstm_forward.wgsl',
    'shaders/include/outer_reduce_io.wgsl',
  ];
  const missing = wanted.filter((f) => !files.includes(f));
  expect(missing.length === 0, `the installed package lacks ${missing.join(', ')}`);
  const extra = files.filter((f) => /^(src|test|bench|scripts|examples|dist\/browser)\//.test(f));
  expect(extra.length === 0, `the installed package ships ${extra.slice(0, 5).join(', ')} …`);
  const imported = new Set(
    files
      .filter((f) => /^dist\/.*\.m?js$/.test(f))
      .flatMap((f) => importedPackages(readFileSync(join(installed, f), 'utf8'))),
  );
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const declared = new Set(Object.keys(pkg.dependencies ?? {}));
  const undeclared = [...imported].filter((p) => !declared.has(p));
  const unused = [...declared].filter((p) => !imported.has(p));
  expect(undeclared.length === 0, `dist/ imports ${undeclared.join(', ')}, not in dependencies`);
  expect(unused.length === 0, `dependencies ${unused.join(', ')} are never imported by dist/`);
  // treegrad's production tree: `npm ls` lists it and everything it pulls in (the examples' own
  // tools are devDependencies of the scratch project, left out by --omit=dev).
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: project,
    env: userEnv,
    encoding: 'utf8',
  });
  const dirs = ls.stdout.split('\n').filter((d) => d !== '' && d !== project && existsSync(d));
  const bytes = dirs.reduce((sum, d) => sum + packageBytes(d), 0);
  return `treegrad and its dependencies: ${dirs.length} packages, ${(bytes / 2 ** 20).toFixed(0)} MiB`;
});

// The consumer's tsc, strict and without skipLibCheck, over the examples and the package's .d.ts.
await check('typecheck', () => {
  sh(project, join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.']);
});

// docs/api.md's code, each `ts` block a module of its own, typechecked the same way: the API page
// cannot drift from the declarations it documents.
await check('api-doc', () => {
  const page = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const blocks = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  expect(blocks.length >= 4, `docs/api.md has ${blocks.length} ts blocks`);
  mkdirSync(join(project, 'api-doc'));
  blocks.forEach((code, i) => {
    const name = `block-${String(i + 1).padStart(2, '0')}.ts`;
    writeFileSync(join(project, 'api-doc', name), `// docs/api.md, ts block ${i + 1}\n${code}\nexport {};\n`);
  });
  writeFileSync(
    join(project, 'tsconfig.api-doc.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: ['api-doc'] }),
  );
  sh(project, join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.api-doc.json']);
  return `${blocks.length} blocks`;
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

// The command line from the installed package (it runs the built JavaScript in dist/).
const bin = join(project, 'node_modules', '.bin', 'treegrad');
await check('cli', () => {
  expect(/Commands:/.test(sh(project, bin, ['--help'])), 'treegrad --help printed no command list');
  expect(/^vulkan: /m.test(sh(project, bin, ['gpu-info'])), 'treegrad gpu-info named no Vulkan driver');
  const browser = sh(project, bin, ['gpu-info', '--browser'], 2);
  expect(/checkout of the treegrad repository/.test(browser), `gpu-info --browser said: ${browser}`);
  writeFileSync(join(work, 'trees.txt'), '(1 (0 a) (0 b))\n(0 (0 b) (0 (0 a) (0 b)))\n');
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

// A small experiment and its report: result files validated against the shipped schema (ajv).
await check('experiment', () => {
  const out = join(work, 'experiment');
  const grid = ['--datasets', '1', '--cells', 'rnn,rlstm', '--seeds', '1', '--epochs', '1'];
  const sizes = ['--train-size', '40', '--dev-size', '20', '--test-size', '20', '--dim', '4'];
  sh(project, bin, ['experiment', ...grid, ...sizes, '--out', out]);
  const results = readdirSync(join(out, 'results')).sort();
  expect(results.join(',') === '1-rlstm-1.json,1-rnn-1.json', `result files: ${results.join(', ')}`);
  expect(/Report: /.test(sh(project, bin, ['report', '--out', out])), 'treegrad report wrote no report');
  const file = join(out, 'results', '1-rnn-1.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), trainLoss: 'none' }));
  const refused = sh(project, bin, ['report', '--out', out], 1);
  expect(
    /not a valid result file \(docs\/result\.schema\.json\): \/trainLoss: must be array/.test(refused),
    `a broken result file was not refused by the schema:\n${refused}`,
  );
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
