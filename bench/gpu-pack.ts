// Packs what bench/node.ts needs on a GPU machine that has no network and no Node: this Node
// binary and the runtime closure of node_modules (Linux x64 only), as two .tar.xz files that
// bench/gpu.sh unpacks there. Usage: npx tsx bench/gpu-pack.ts [DIR] (default bench/results/carry, git-ignored).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../src/browser/chrome.ts';

/** Packages bench/node.ts loads at run time (their dependencies are added). */
const ROOTS = [
  'tsx',
  'webgpu',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  'pure-rand',
  'wgsl_reflect',
];
/** Pieces of those packages a Linux x64 machine never loads. */
const EXCLUDE = [
  'node_modules/webgpu/dist/darwin-universal',
  'node_modules/webgpu/dist/linux-arm64',
  'node_modules/webgpu/dist/win32-x64',
  'node_modules/webgpu/dist/win32-arm64',
  'node_modules/@tensorflow/tfjs-core/dist/tf-core.es2017.js',
  'node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js',
  'node_modules/@tensorflow/tfjs-core/dist/tf-core.js',
  '*.map',
];

/** The named packages and every package they depend on (dependencies and optional ones present). */
export function closure(roots: readonly string[], modules = join(PROJECT_ROOT, 'node_modules')): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    const manifest = join(modules, name, 'package.json');
    if (!existsSync(manifest)) continue; // an optional dependency for another platform
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string>>;
    todo.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
  return [...seen].sort();
}

function main(): void {
  const out = resolve(process.argv[2] ?? join(PROJECT_ROOT, 'bench', 'results', 'carry'));
  mkdirSync(out, { recursive: true });
  const packages = closure(ROOTS).map((name) => `node_modules/${name}`);
  const tar = (file: string, cwd: string, paths: string[], exclude: string[] = []) => {
    execFileSync('tar', ['-cJf', file, ...exclude.map((e) => `--exclude=${e}`), ...paths], {
      cwd,
      env: { ...process.env, XZ_OPT: '-9 -T0' },
    });
    console.log(`${relative(PROJECT_ROOT, file) || file}: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
  };
  tar(join(out, 'node_modules.tar.xz'), PROJECT_ROOT, packages, EXCLUDE);
  tar(join(out, 'node.tar.xz'), '/', [relative('/', process.execPath)]);
  console.log(`packed ${packages.length} packages and Node ${process.version} (${process.execPath})`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
