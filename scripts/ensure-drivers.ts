// Pre-step of `npm test` and `npm start`: makes sure a Chrome/Chromium (for the browser runner)
// and the fastest Vulkan driver Dawn accepts (for Node) are here. On Debian as root it installs
// Debian's chromium (which brings SwiftShader) and, on a machine without a GPU, Mesa's lavapipe
// (from bookworm-backports on Debian 12); elsewhere it says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { findChrome } from '../src/browser/chrome.ts';
import { forgetVulkanChoice, LAVAPIPE_HINT, vulkanEnv } from '../src/gpu/vulkan-env.ts';

function aptUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function debianCodename(): string | undefined {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    if (!/^ID=debian$/m.test(release)) return undefined;
    return /^VERSION_CODENAME=(\S+)$/m.exec(release)?.[1];
  } catch {
    return undefined;
  }
}

const apt = (args: string[]) =>
  spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).status === 0;

const BACKPORTS = '/etc/apt/sources.list.d/treegrad-bookworm-backports.sources';

function backportsConfigured(): boolean {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) files.push(`/etc/apt/sources.list.d/${f}`);
  } catch {
    // no sources.list.d
  }
  return files.some((f) => existsSync(f) && /bookworm-backports/.test(readFileSync(f, 'utf8')));
}

/** Mesa ≥ 24's lavapipe: Debian 13 ships it; Debian 12 has it in bookworm-backports. */
function installLavapipe(codename: string | undefined): boolean {
  if (codename === 'bookworm') {
    if (!backportsConfigured()) {
      writeFileSync(
        BACKPORTS,
        [
          'Types: deb',
          'URIs: http://deb.debian.org/debian',
          'Suites: bookworm-backports',
          'Components: main',
          'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
          '',
        ].join('\n'),
      );
    }
    return (
      apt(['update', '-qq']) &&
      apt(['install', '-y', '-qq', '-t', 'bookworm-backports', 'mesa-vulkan-drivers'])
    );
  }
  return apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'mesa-vulkan-drivers']);
}

const forTests = process.argv.includes('--tests');
let chrome = await findChrome();
let vulkan = vulkanEnv();
const canApt = aptUsable();
if ((!chrome || !vulkan.found) && canApt) {
  console.log("treegrad: installing Debian's chromium (browser tests, and SwiftShader Vulkan for Dawn)…");
  if (!(apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'chromium']))) {
    console.error('treegrad: apt-get install chromium failed');
  }
  chrome = await findChrome();
  forgetVulkanChoice();
  vulkan = vulkanEnv();
}
const codename = debianCodename();
if (vulkan.kind !== 'gpu' && vulkan.kind !== 'lavapipe' && vulkan.kind !== 'explicit' && canApt && codename) {
  console.log(`treegrad: no GPU here; installing Mesa's lavapipe, the fastest CPU Vulkan driver for Dawn…`);
  if (!installLavapipe(codename)) console.error('treegrad: installing mesa-vulkan-drivers failed');
  forgetVulkanChoice();
  vulkan = vulkanEnv();
}
// `npm test` also runs the study on a real single-node Slurm cluster (test/slurm).
const hasSlurm = ['slurmctld', 'slurmd', 'munged', 'sbatch'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
if (forTests && !hasSlurm) {
  if (canApt) {
    console.log("treegrad: installing Debian's slurm-wlm and munge for the Slurm test…");
    if (!(apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'slurm-wlm', 'munge'])))
      console.error('treegrad: installing slurm-wlm and munge failed');
  } else {
    console.log('treegrad: the Slurm test needs slurm-wlm and munge (and root); it will be skipped');
  }
}
// `npm start` needs only Node's WebGPU; the tests also drive headless Chrome.
if ((forTests && !chrome) || !vulkan.found) {
  console.error(
    [
      'treegrad needs a Chrome/Chromium (headless browser runs) and a Vulkan driver (WebGPU in Node).',
      chrome
        ? `  browser: ${chrome}`
        : "  browser: none found (CHROME_PATH, /usr/bin/chromium, puppeteer's cache)",
      `  Vulkan:  ${vulkan.description}`,
      'Install one of:',
      '  Debian/Ubuntu:  sudo apt-get install chromium     (brings SwiftShader, a CPU Vulkan driver)',
      '  any system:     npx @puppeteer/browsers install chrome@stable --path ~/.cache/puppeteer',
      '  or set CHROME_PATH to a Chrome executable.',
    ].join('\n'),
  );
  process.exit(1);
}
console.log(
  `treegrad: browser ${chrome ?? 'none (not needed to train)'}; Node's WebGPU: ${vulkan.description}`,
);
if (vulkan.kind === 'swiftshader') console.log(`treegrad: ${LAVAPIPE_HINT}`);
