import { defineConfig } from 'vite';

export default defineConfig({
  // treegrad fetches its WGSL kernels next to its own modules: let the dev server serve it as it
  // is installed instead of pre-bundling it into node_modules/.vite (a build needs nothing here).
  optimizeDeps: { exclude: ['treegrad'] },
});
