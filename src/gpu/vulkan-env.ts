// Node only: which Vulkan driver Dawn should load on this machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Folders of Chrome builds that ship SwiftShader's Vulkan driver and a Vulkan loader. */
function chromeLibDirs(current: NodeJS.ProcessEnv): string[] {
  const dirs = ['/usr/lib/chromium', '/opt/google/chrome'];
  if (current.CHROME_PATH) dirs.unshift(dirname(current.CHROME_PATH));
  return dirs;
}
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** Drivers Dawn refuses or that are only test doubles: never count them as a real GPU. */
const IGNORED_ICDS = /lvp|lavapipe|mock|swiftshader/i;

/** What `vulkanEnv` decided and why, for `gpu-info` and error messages. */
export interface VulkanChoice {
  /** Variables to add to the environment before Dawn starts (empty: leave as is). */
  env: Record<string, string>;
  /** One line saying which driver will be used. */
  description: string;
  /** Whether any driver was found. */
  found: boolean;
}

function systemHasVulkanLoader(): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
  }
}

function realGpuIcds(): string[] {
  return ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json') && !IGNORED_ICDS.test(f))
        .map((f) => `${dir}/${f}`);
    } catch {
      return [];
    }
  });
}

/**
 * Decides how Dawn finds a Vulkan driver: an explicit VK_DRIVER_FILES / VK_ICD_FILENAMES wins;
 * else a real GPU driver when one is installed; else Chromium's SwiftShader (CPU) driver, with
 * Chromium's own Vulkan loader when the system has none.
 */
export function vulkanEnv(current: NodeJS.ProcessEnv = process.env): VulkanChoice {
  const env: Record<string, string> = {};
  const explicit = current.VK_DRIVER_FILES ?? current.VK_ICD_FILENAMES;
  const gpus = realGpuIcds();
  const libDir = chromeLibDirs(current).find((dir) => existsSync(`${dir}/vk_swiftshader_icd.json`));
  let description: string;
  if (explicit) {
    description = `Vulkan driver from the environment: ${explicit}`;
  } else if (gpus.length > 0) {
    description = `system Vulkan driver(s): ${gpus.join(', ')}`;
  } else if (libDir) {
    env.VK_DRIVER_FILES = `${libDir}/vk_swiftshader_icd.json`;
    description = `SwiftShader (CPU) Vulkan driver from Chrome: ${env.VK_DRIVER_FILES}`;
  } else {
    description = 'no Vulkan driver found (install a GPU driver, or Debian\'s "chromium" for SwiftShader)';
  }
  const libPath = current.LD_LIBRARY_PATH ?? '';
  const loaderDir = chromeLibDirs(current).find((dir) => existsSync(`${dir}/libvulkan.so.1`));
  if (loaderDir && !systemHasVulkanLoader() && !libPath.split(':').includes(loaderDir)) {
    env.LD_LIBRARY_PATH = libPath ? `${loaderDir}:${libPath}` : loaderDir;
  }
  return { env, description, found: Boolean(explicit || gpus.length > 0 || libDir) };
}
