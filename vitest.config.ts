import { defineConfig } from 'vitest/config';
import { restartEnv, vulkanEnv } from './src/gpu/vulkan-env.ts';

// Test workers are forked from this process: the Vulkan driver and loader Dawn needs must be in
// the environment before they start.
Object.assign(process.env, restartEnv(vulkanEnv()));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
