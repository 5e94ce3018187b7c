// What every dev server, test runner and benchmark here needs alike: which Chromium to
// launch, the headers that make a page cross-origin isolated, and the worker-only
// dependencies Vite must pre-bundle. One copy, imported by the configs and the scripts.
import { existsSync } from 'node:fs';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * `CHROMIUM_PATH` if set, else a system Chromium where one exists, else undefined (Playwright
 * then uses its own download, which `scripts/ensure-browser.mjs` installs when missing).
 * @returns {string | undefined}
 */
export function chromiumExecutable() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`[sandcell] CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return SYSTEM_CHROMIUM.find((path) => existsSync(path));
}

/** Headers that make a page cross-origin isolated, so SharedArrayBuffer exists. */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** Page-side dependencies of the SDK, pre-bundled up front so a cold Vite cache does not reload the page mid-run. */
export const PAGE_DEPS = Object.freeze(['comlink', 'idb-keyval']);
