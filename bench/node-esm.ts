// Node only: lets plain Node load TF.js's ESM build, which imports "./gradients" (a folder) and
// "./base" without extensions, as bundlers (vite, vitest) allow and Node's ESM resolver does not.
import { register } from 'node:module';

/** A resolve hook: a failed relative import inside @tensorflow/* is retried with ".js", "/index.js". */
const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const ours = specifier.startsWith('.') && context.parentURL?.includes('/node_modules/@tensorflow/');
    if (!ours) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await next(specifier + suffix, context);
      } catch {}
    }
    throw error;
  }
}`;

let registered = false;

/** Installs the hook (once per process); call before the first import of TF.js. */
export function allowTfjsEsmInNode(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}
