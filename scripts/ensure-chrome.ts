// Pre-step of `npm test` and `npm start`: makes sure a Chrome/Chromium (for the browser runner)
// and a Vulkan driver (for Dawn in Node) are here. On Debian as root it installs Debian's
// chromium, which brings both; elsewhere it says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { findChrome } from '../src/browser/chrome.ts';
import { vulkanEnv } from '../src/gpu/vulkan-env.ts';

function aptUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function ready(): Promise<{ chrome: string | null; vulkan: ReturnType<typeof vulkanEnv> }> {
  return { chrome: await findChrome(), vulkan: vulkanEnv() };
}

let state = await ready();
if ((!state.chrome || !state.vulkan.found) && aptUsable()) {
  console.log("treegrad: installing Debian's chromium (browser tests, and SwiftShader Vulkan for Dawn)…");
  const run = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['update', '-qq']);
  const install = run(['install', '-y', '-qq', 'chromium']);
  if (install.status !== 0) console.error('treegrad: apt-get install chromium failed');
  state = await ready();
}
if (!state.chrome || !state.vulkan.found) {
  console.error(
    [
      'treegrad needs a Chrome/Chromium (headless browser runs) and a Vulkan driver (WebGPU in Node).',
      state.chrome
        ? `  browser: ${state.chrome}`
        : "  browser: none found (CHROME_PATH, /usr/bin/chromium, puppeteer's cache)",
      `  Vulkan:  ${state.vulkan.description}`,
      'Install one of:',
      '  Debian/Ubuntu:  sudo apt-get install chromium     (brings SwiftShader, a CPU Vulkan driver)',
      '  any system:     npx puppeteer browsers install chrome   (then a GPU driver for Node)',
      '  or set CHROME_PATH to a Chrome executable.',
    ].join('\n'),
  );
  process.exit(1);
}
console.log(`treegrad: browser ${state.chrome}; ${state.vulkan.description}`);
