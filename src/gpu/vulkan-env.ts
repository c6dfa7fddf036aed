// Node only: which Vulkan driver Dawn should load on this machine.
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Where Debian's Chromium keeps its SwiftShader Vulkan driver and a Vulkan loader. */
export const CHROMIUM_LIB_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_LIB_DIR}/vk_swiftshader_icd.json`;
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
/** Drivers Dawn refuses or that are only test doubles: never count them as a real GPU. */
const IGNORED_ICDS = /lvp|lavapipe|mock|swiftshader/i;

/** What `vulkanEnv` decided and why, for `gpu-info` and error messages. */
export interface VulkanChoice {
  /** Variables to add to the environment before Dawn starts (empty: leave as is). */
  env: Record<string, string>;
  /** One line saying which driver will be used. */
  description: string;
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
  let description: string;
  if (explicit) {
    description = `Vulkan driver from the environment: ${explicit}`;
  } else if (gpus.length > 0) {
    description = `system Vulkan driver(s): ${gpus.join(', ')}`;
  } else if (existsSync(SWIFTSHADER_ICD)) {
    env.VK_DRIVER_FILES = SWIFTSHADER_ICD;
    description = `SwiftShader (CPU) Vulkan driver from Chromium: ${SWIFTSHADER_ICD}`;
  } else {
    description = 'no Vulkan driver found (install a GPU driver, or Debian\'s "chromium" for SwiftShader)';
  }
  const libPath = current.LD_LIBRARY_PATH ?? '';
  if (
    !systemHasVulkanLoader() &&
    existsSync(`${CHROMIUM_LIB_DIR}/libvulkan.so.1`) &&
    !libPath.split(':').includes(CHROMIUM_LIB_DIR)
  ) {
    env.LD_LIBRARY_PATH = libPath ? `${CHROMIUM_LIB_DIR}:${libPath}` : CHROMIUM_LIB_DIR;
  }
  return { env, description };
}
