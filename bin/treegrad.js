#!/usr/bin/env node
// treegrad's command line: runs the TypeScript sources through tsx. When Dawn needs a Vulkan
// driver or loader that must be in the environment before the process starts, it restarts once.
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();
const { restartEnv, vulkanEnv } = await import('../src/gpu/vulkan-env.ts');
const choice = vulkanEnv();
if (Object.keys(choice.env).length > 0 && !process.env.TREEGRAD_ENV_READY) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...restartEnv(choice) },
  });
  process.exit(child.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
