// `treegrad/node`: what only Node can do. Dawn's WebGPU with a Vulkan driver chosen on its own
// (no environment variable to set), and the files treegrad reads and writes: treebanks, data
// folders, keyword-task data and parameter files. Everything else is in `treegrad`.
export { nodeGpu } from './gpu/node-gpu.ts';
export { type VulkanChoice, type VulkanKind, vulkanEnv } from './gpu/vulkan-env.ts';
export {
  DATA_FILES,
  readDataDir,
  readTreebank,
  type TreebankFiles,
  type TreebankSummary,
} from './train/data-dir.ts';
export { InputError } from './train/files.ts';
export { writeKeywordData } from './data/files.ts';
export { loadParams, saveParams } from './params/io.ts';
