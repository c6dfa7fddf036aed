// Dawn reads its Vulkan driver and loader from the environment at start: a Node runner that uses
// the GPU restarts itself once with the choice of src/gpu/vulkan-env.ts (bench/node.ts and
// bench/train-peers.ts).
import { spawnSync } from 'node:child_process';
import { restartEnv, vulkanEnv } from '../src/gpu/vulkan-env.ts';

/** Runs this script again with the Vulkan environment and returns its status, or undefined when already set. */
export function restartWithVulkan(): number | undefined {
  const choice = vulkanEnv();
  if (Object.keys(choice.env).length === 0 || process.env.TREEGRAD_ENV_READY) return undefined;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...restartEnv(choice) },
  });
  return child.status ?? 1;
}
