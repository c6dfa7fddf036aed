// Node only, run as a child process by vulkan-env.ts: asks Dawn for an adapter with the Vulkan
// driver(s) named in this process's environment and prints one JSON line: the adapter, or null.
// A separate process because the Vulkan loader reads its driver list once, at start.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
let found = null;
try {
  const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (adapter) {
    const info = adapter.info;
    found = {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: Boolean(info.isFallbackAdapter),
    };
  }
} catch {
  found = null;
}
process.stdout.write(`\n${JSON.stringify(found)}\n`);
process.exit(0);
