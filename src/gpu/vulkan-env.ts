// Node only: which Vulkan driver Dawn should load on this machine, decided by asking Dawn.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders of Chrome builds that ship SwiftShader's Vulkan driver and a Vulkan loader. */
function chromeLibDirs(current: NodeJS.ProcessEnv): string[] {
  const dirs = ['/usr/lib/chromium', '/opt/google/chrome'];
  if (current.CHROME_PATH) dirs.unshift(dirname(current.CHROME_PATH));
  return dirs;
}
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** CPU drivers and test doubles: probed after the hardware drivers, in this order. */
const LAVAPIPE_ICD = /lvp|lavapipe/i;
const NOT_HARDWARE = /lvp|lavapipe|mock|swiftshader/i;

/** Which kind of driver was chosen: a GPU, Mesa's lavapipe (CPU, fast), SwiftShader (CPU), or none. */
export type VulkanKind = 'explicit' | 'gpu' | 'lavapipe' | 'swiftshader' | 'none';

/** What `vulkanEnv` decided and why, for `gpu-info` and error messages. */
export interface VulkanChoice {
  /** Variables to add to the environment before Dawn starts (empty: leave as is). */
  env: Record<string, string>;
  /** One line saying which driver will be used. */
  description: string;
  /** Whether any driver was found. */
  found: boolean;
  kind: VulkanKind;
}

/** What Dawn reported for a candidate driver (null: no adapter). */
interface ProbedAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** Hint printed where no fast CPU driver was found. */
export const LAVAPIPE_HINT =
  "Mesa's lavapipe (Mesa ≥ 24) runs treegrad's kernels 4–7× faster than SwiftShader: on Debian 13 " +
  '`apt-get install mesa-vulkan-drivers`; on Debian 12 the same from bookworm-backports ' +
  '(`apt-get install -t bookworm-backports mesa-vulkan-drivers`); on Ubuntu ≥ 24.04 ' +
  '`apt-get install mesa-vulkan-drivers`; on Fedora `dnf install mesa-vulkan-drivers`.';

function systemHasVulkanLoader(): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
  }
}

function systemIcds(): string[] {
  return ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => `${dir}/${f}`);
    } catch {
      return [];
    }
  });
}

/** LD_LIBRARY_PATH with Chrome's Vulkan loader in front, when the system has no loader of its own. */
function loaderEnv(current: NodeJS.ProcessEnv): Record<string, string> {
  const libPath = current.LD_LIBRARY_PATH ?? '';
  const loaderDir = chromeLibDirs(current).find((dir) => existsSync(`${dir}/libvulkan.so.1`));
  if (loaderDir && !systemHasVulkanLoader() && !libPath.split(':').includes(loaderDir)) {
    return { LD_LIBRARY_PATH: libPath ? `${loaderDir}:${libPath}` : loaderDir };
  }
  return {};
}

const PROBE = fileURLToPath(new URL('./probe-adapter.mjs', import.meta.url));

/** Starts a Node process with `drivers` as its only Vulkan drivers and asks Dawn for an adapter. */
function probe(drivers: string[], current: NodeJS.ProcessEnv): ProbedAdapter | null {
  const env: NodeJS.ProcessEnv = { ...current, ...loaderEnv(current), VK_DRIVER_FILES: drivers.join(':') };
  delete env.VK_ICD_FILENAMES;
  try {
    const out = execFileSync(process.execPath, [PROBE], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const last = out.trim().split('\n').pop() ?? 'null';
    return JSON.parse(last) as ProbedAdapter | null;
  } catch {
    return null; // a driver that crashes or hangs Dawn counts as no adapter
  }
}

function cacheFile(current: NodeJS.ProcessEnv): string {
  const base = current.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'treegrad', 'vulkan-choice.json');
}

/** What the choice depends on: the candidate drivers (with their sizes and times) and the loader. */
function fingerprint(candidates: string[], current: NodeJS.ProcessEnv): string {
  const parts = candidates.map((file) => {
    try {
      const s = statSync(file);
      return `${file}:${s.size}:${s.mtimeMs}`;
    } catch {
      return `${file}:missing`;
    }
  });
  parts.push(`ld:${current.LD_LIBRARY_PATH ?? ''}`, `node:${process.version}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** Forgets the cached choice (after a driver was installed). */
export function forgetVulkanChoice(current: NodeJS.ProcessEnv = process.env): void {
  rmSync(cacheFile(current), { force: true });
}

/**
 * Decides how Dawn finds a Vulkan driver. An explicit VK_DRIVER_FILES / VK_ICD_FILENAMES wins.
 * Otherwise each candidate is tried by asking Dawn for an adapter in a child process: the
 * system's hardware drivers (a real GPU), then Mesa's lavapipe (a CPU driver Dawn accepts from
 * Mesa 24 on), then Chrome's SwiftShader. Installed ICD files prove nothing on a machine without a
 * GPU, so names only order the candidates. The answer is cached per set of driver files.
 */
export function vulkanEnv(current: NodeJS.ProcessEnv = process.env): VulkanChoice {
  const explicit = current.VK_DRIVER_FILES ?? current.VK_ICD_FILENAMES;
  if (explicit) {
    // Our own restart passes the description of what it chose along with the variables.
    const description = current.TREEGRAD_VULKAN_CHOICE ?? `Vulkan driver from the environment: ${explicit}`;
    const kind = (current.TREEGRAD_VULKAN_KIND as VulkanKind | undefined) ?? 'explicit';
    return { env: loaderEnv(current), description, found: true, kind };
  }
  const icds = systemIcds();
  const hardware = icds.filter((f) => !NOT_HARDWARE.test(f.split('/').pop() ?? ''));
  const lavapipe = icds.filter((f) => LAVAPIPE_ICD.test(f.split('/').pop() ?? ''));
  const swiftshader = chromeLibDirs(current)
    .map((dir) => `${dir}/vk_swiftshader_icd.json`)
    .filter(existsSync);
  const file = cacheFile(current);
  const key = fingerprint([...icds, ...swiftshader], current);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key: string; choice: VulkanChoice };
    if (cached.key === key) return { ...cached.choice, env: { ...cached.choice.env, ...loaderEnv(current) } };
  } catch {
    // no cache yet, or an unreadable one: probe
  }
  const choice = decide(current, hardware, lavapipe, swiftshader);
  if (choice.found) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ key, choice }));
    } catch {
      // a read-only home: probe again next time
    }
  }
  return choice;
}

function decide(
  current: NodeJS.ProcessEnv,
  hardware: string[],
  lavapipe: string[],
  swiftshader: string[],
): VulkanChoice {
  const loader = loaderEnv(current);
  if (hardware.length > 0) {
    const gpu = probe(hardware, current);
    if (gpu && !gpu.isFallbackAdapter) {
      // Leave the loader to find every driver: Dawn prefers the GPU over CPU drivers.
      return {
        env: loader,
        description: `GPU: ${gpu.description || gpu.device} (system Vulkan driver)`,
        found: true,
        kind: 'gpu',
      };
    }
  }
  for (const icd of lavapipe) {
    const cpu = probe([icd], current);
    if (cpu) {
      return {
        env: { ...loader, VK_DRIVER_FILES: icd },
        description: `lavapipe (CPU) Vulkan driver: ${cpu.description} (${icd})`,
        found: true,
        kind: 'lavapipe',
      };
    }
  }
  for (const icd of swiftshader) {
    if (probe([icd], current)) {
      return {
        env: { ...loader, VK_DRIVER_FILES: icd },
        description: `SwiftShader (CPU) Vulkan driver from Chrome: ${icd}`,
        found: true,
        kind: 'swiftshader',
      };
    }
  }
  return {
    env: {},
    description:
      'no Vulkan driver that Dawn accepts (install a GPU driver, Mesa ≥ 24 lavapipe, or Debian\'s "chromium" for SwiftShader)',
    found: false,
    kind: 'none',
  };
}

/**
 * Logical CPUs up to which lavapipe may run compute work inline, in its queue thread, instead of
 * handing every dispatch to a pool of one thread per CPU. A level-batched step is dozens of
 * dependent dispatches, most a few workgroups wide (every level above the leaves of a batch-5
 * training step); the pool's two thread hand-offs per dispatch cost more than the second core
 * gives back unless the dispatches are long. On a 2-core machine (docs/bench.md): a small
 * dispatch 15 µs inline against 33 µs, RNN training at d = 50 about 2× faster; RLSTM training at
 * d = 50, whose dispatches are 10–50× longer, 10–25 % slower.
 */
export const LAVAPIPE_INLINE_UP_TO_CPUS = 2;
/**
 * Forward multiply-adds per internal node (the cell's mat-vecs × d²) up to which the work is
 * short enough to run inline: above the quick preset's heaviest model (the RLSTM at d = 32,
 * 21,504; the preset took 92 s inline against 120 s on the pool) and below the RLSTM at d = 50
 * (52,500; faster on the pool).
 */
export const LAVAPIPE_INLINE_MAX_WORK = 32_000;

/** What the process will run, for `driverEnv`. */
export interface DriverHints {
  /** Logical CPUs (default: the machine's). */
  cpus?: number;
  /**
   * Forward multiply-adds per internal node of the heaviest model the process will run (the
   * cell's mat-vecs × d²); unknown: treated as light.
   */
  work?: number;
}

/**
 * Driver settings for the chosen driver (Mesa reads them when Dawn creates the device, so they can
 * be set in the running process before Dawn loads): on lavapipe with at most
 * LAVAPIPE_INLINE_UP_TO_CPUS logical CPUs and light work, LP_NUM_THREADS=0 (inline compute). A
 * value already in the environment is kept.
 */
export function driverEnv(
  choice: VulkanChoice,
  current: NodeJS.ProcessEnv = process.env,
  hints: DriverHints = {},
): Record<string, string> {
  const files = current.VK_DRIVER_FILES ?? current.VK_ICD_FILENAMES ?? choice.env.VK_DRIVER_FILES ?? '';
  const lavapipe =
    choice.kind === 'lavapipe' || files.split(':').some((f) => LAVAPIPE_ICD.test(f.split('/').pop() ?? ''));
  const cpus = hints.cpus ?? availableParallelism();
  const light = (hints.work ?? 0) <= LAVAPIPE_INLINE_MAX_WORK;
  if (!lavapipe || current.LP_NUM_THREADS !== undefined || cpus > LAVAPIPE_INLINE_UP_TO_CPUS || !light)
    return {};
  return { LP_NUM_THREADS: '0' };
}

/** Chrome's SwiftShader Vulkan driver, where a Chrome build ships one. */
export function swiftshaderIcd(current: NodeJS.ProcessEnv = process.env): string | undefined {
  return chromeLibDirs(current)
    .map((dir) => `${dir}/vk_swiftshader_icd.json`)
    .find(existsSync);
}

/** The variables a restarted process needs: the driver, and what was chosen, for `gpu-info`. */
export function restartEnv(choice: VulkanChoice): Record<string, string> {
  return {
    ...choice.env,
    TREEGRAD_ENV_READY: '1',
    TREEGRAD_VULKAN_CHOICE: choice.description,
    TREEGRAD_VULKAN_KIND: choice.kind,
  };
}
