#!/usr/bin/env node
// treegrad's command line. In a checkout (src/ is here) it runs the TypeScript sources through
// tsx, with no build step; the installed package has no src/ and runs the built JavaScript in
// dist/. When Dawn needs a Vulkan driver or loader that must be in the environment before the
// process starts, it restarts once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const fromSources = existsSync(new URL('../src/cli/main.ts', import.meta.url));
if (fromSources) {
  const { register } = await import('tsx/esm/api');
  register();
}
const root = fromSources ? '../src' : '../dist';
const ext = fromSources ? 'ts' : 'js';
const { restartEnv, vulkanEnv } = await import(`${root}/gpu/vulkan-env.${ext}`);
const choice = vulkanEnv();
if (Object.keys(choice.env).length > 0 && !process.env.TREEGRAD_ENV_READY) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...restartEnv(choice) },
  });
  process.exit(child.status ?? 1);
}
const { main } = await import(`${root}/cli/main.${ext}`);
process.exitCode = await main(process.argv.slice(2));
