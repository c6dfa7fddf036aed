// Node only: find a Chrome/Chromium, serve the project with vite on 127.0.0.1, and open a page in
// headless Chrome with WebGPU. Used by the test harness, `gpu-info --browser` and the benchmarks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Browser as BrowserName, computeExecutablePath, getInstalledBrowsers } from '@puppeteer/browsers';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';

/** The project's root folder (vite serves it; index.html lives there). */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Raised when no browser can be found or started: says what to install. */
export class ChromeUnavailableError extends Error {
  override name = 'ChromeUnavailableError';
}

/** Places looked at, in order, for a Chrome or Chromium executable. */
export async function chromeCandidates(): Promise<string[]> {
  const candidates = [
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ];
  // Chrome installed with `npx @puppeteer/browsers install chrome@stable` (puppeteer's cache).
  try {
    const cacheDir = process.env.PUPPETEER_CACHE_DIR ?? join(homedir(), '.cache', 'puppeteer');
    for (const b of await getInstalledBrowsers({ cacheDir })) {
      if (b.browser === BrowserName.CHROME || b.browser === BrowserName.CHROMIUM)
        candidates.push(computeExecutablePath({ cacheDir, browser: b.browser, buildId: b.buildId }));
    }
  } catch {
    // no cache: fine, the others may do.
  }
  return candidates.filter((c): c is string => Boolean(c));
}

/** The first Chrome/Chromium that exists, or null. CHROME_PATH, if set, must exist. */
export async function findChrome(): Promise<string | null> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && !existsSync(fromEnv)) {
    throw new ChromeUnavailableError(`CHROME_PATH is set to ${fromEnv}, which does not exist`);
  }
  for (const path of await chromeCandidates()) if (existsSync(path)) return path;
  return null;
}

/** Flags for headless Chrome with WebGPU on a machine that may have no GPU and no network. */
export const CHROME_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-webgpu-developer-features',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/** A vite dev server on 127.0.0.1 (a secure context, so navigator.gpu exists) and its URL. */
export async function startServer(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    root: PROJECT_ROOT,
    configFile: join(PROJECT_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null;
  if (!address) throw new Error('vite did not start a server');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** A running headless Chrome with a page on the project's server; `close` ends all of it. */
export interface ChromeSession {
  browser: Browser;
  page: Page;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the project, starts headless Chrome with WebGPU and opens `path` (e.g. "/test/browser/").
 * Page console lines and page errors go to `onConsole` (default: printed with a "[chrome]" prefix).
 */
export async function openChromePage(
  path: string,
  onConsole: (line: string) => void = (line) => console.log(`[chrome] ${line}`),
): Promise<ChromeSession> {
  const executablePath = await findChrome();
  if (!executablePath) {
    throw new ChromeUnavailableError(
      "no Chrome or Chromium found (looked at CHROME_PATH, /usr/bin/chromium, puppeteer's cache): " +
        'install one, e.g. `apt-get install chromium` on Debian, or set CHROME_PATH',
    );
  }
  const { server, url } = await startServer();
  const userDataDir = mkdtempSync(join(tmpdir(), 'treegrad-chrome-'));
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    await server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: CHROME_FLAGS,
      userDataDir,
      protocolTimeout: 3_600_000, // long GPU work keeps the page busy; callers set their own timeouts
    });
    const page = await browser.newPage();
    page.on('console', (message) => onConsole(message.text()));
    page.on('pageerror', (error) => onConsole(`page error: ${(error as Error).message ?? error}`));
    await page.goto(`${url}${path}`, { waitUntil: 'load' });
    return { browser, page, url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Sets form fields of `page` by element id: a string is the value, a boolean checks a box. */
export async function setInputs(page: Page, fields: Record<string, string | boolean>): Promise<void> {
  await page.evaluate((f: Record<string, string | boolean>) => {
    for (const [id, value] of Object.entries(f)) {
      const el = document.getElementById(id) as HTMLInputElement;
      if (typeof value === 'boolean') el.checked = value;
      else el.value = value;
    }
  }, fields);
}
